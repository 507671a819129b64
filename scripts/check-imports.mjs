// The import-direction check: every import in src/ points down the layer table below (docs/architecture.md).
// `node scripts/check-imports.mjs [srcDir]` prints each upward or sideways import and exits 1 when there is one.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/**
 * The layers, top first. A module may import its own folder (or file) and any unit of a LATER row; never an
 * earlier row, never another unit of its own row. A unit is a folder of src/ or a file directly in src/
 * (without extension). Planned folders are listed already so they can be added without touching this table.
 */
export const LAYERS = [
	["index"],
	["routes"],
	["console"],
	["api", "health"],
	["callbacks"],
	["enforcement"],
	["policy", "store", "auth", "tencent"],
	["http"],
	["config"],
	["crypto", "deadline", "log", "result"],
];

const rankOf = new Map(LAYERS.flatMap((units, rank) => units.map((unit) => [unit, rank])));

/** The unit of a path relative to src/ (`store/facts.ts` → `store`, `routes.ts` → `routes`). */
export function unitOf(relativePath) {
	const first = relativePath.split(/[\\/]/)[0] ?? "";
	return first.replace(/\.(d\.)?[cm]?[jt]sx?$/, "");
}

/** The module specifiers a source text imports or re-exports (type-only and dynamic imports included). */
export function importsOf(text) {
	return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/**
 * The rule's violations among `modules` (path relative to src/ → its import specifiers), as sentences.
 * Bare specifiers (packages) and paths leaving src/ are not layered.
 */
export function importViolations(modules) {
	const violations = [];
	for (const [file, specifiers] of modules) {
		const from = unitOf(file);
		const fromRank = rankOf.get(from);
		if (fromRank === undefined) {
			violations.push(`src/${file}: "${from}" is in no layer; add it to LAYERS and docs/architecture.md`);
			continue;
		}
		for (const specifier of specifiers) {
			if (!specifier.startsWith(".")) continue;
			const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
			if (target.startsWith("..")) continue;
			const to = unitOf(target);
			if (to === from) continue;
			const toRank = rankOf.get(to);
			if (toRank === undefined) violations.push(`src/${file} imports "${specifier}": "${to}" is in no layer`);
			else if (toRank < fromRank)
				violations.push(`src/${file} imports "${specifier}": ${to} is above ${from} (imports point down)`);
			else if (toRank === fromRank)
				violations.push(
					`src/${file} imports "${specifier}": ${to} and ${from} are side by side in one layer`,
				);
		}
	}
	return violations;
}

/** Every .ts file under `dir`, as paths relative to it with forward slashes. */
function sourceFiles(dir, prefix = "") {
	return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
		const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
		if (entry.isDirectory()) return sourceFiles(dir, relative);
		return /\.[cm]?tsx?$/.test(entry.name) ? [relative] : [];
	});
}

/** The violations of the tree under `srcDir`. */
export function checkTree(srcDir) {
	const modules = new Map(
		sourceFiles(srcDir).map((file) => [file, importsOf(readFileSync(path.join(srcDir, file), "utf8"))]),
	);
	return importViolations(modules);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const srcDir = path.resolve(process.argv[2] ?? "src");
	const violations = checkTree(srcDir);
	for (const violation of violations) console.error(violation);
	if (violations.length > 0) {
		console.error(`\n${violations.length} import(s) break the layering (docs/architecture.md).`);
		process.exit(1);
	}
	console.log(`imports point down: ${sourceFiles(srcDir).length} modules checked`);
}
