// The import-direction check: every import in src/ points down the layer table below, the policy is entered
// only through src/policy/index.ts, and scripts/, bench/ and tools/ keep their own order (docs/architecture.md).
// `node scripts/check-imports.mjs` checks the repository; `node scripts/check-imports.mjs DIR` checks DIR as a
// src/ tree; `--root DIR` checks the repository at DIR. It prints each violation and exits 1 when there is
// one. `--picture` prints the layers as docs/architecture.md draws them.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import ts from "typescript";

/**
 * The layers of src/, top first. A module may import its own unit and any unit of a LATER row; never an
 * earlier row, never another unit of its own row. A unit is a folder of src/, a file directly in src/
 * (without extension), or one of the {@link SUB_UNITS}.
 */
export const LAYERS = [
	["index"],
	["routes"],
	["console"],
	["api", "health"],
	["callbacks"],
	["enforcement"],
	["commands"],
	["policy", "auth", "tencent"],
	["store"],
	["http"],
	["config"],
	["policy/engine"],
	["policy/document"],
	["crypto", "deadline", "isolate", "json", "log", "result"],
];

/** Folders inside a unit that are units of their own, with their own row. */
export const SUB_UNITS = ["policy/engine", "policy/document"];

/** Units that may import nothing but their own files and the units listed (pure code: no env, no binding). */
export const ONLY_IMPORTS = {
	"policy/engine": ["policy/document", "log", "result"],
	"policy/document": ["json", "log", "result"],
};

/** Folders entered from outside only through their index.ts: every other file of theirs is private. */
export const DOORS = ["policy"];

/**
 * The layers of the tools around src/, top first, by top-level folder of the repository. Tests may import
 * anything; scripts/ and bench/ share code only through tools/, and nothing of src/ imports a tool.
 */
export const TOOL_LAYERS = [["test"], ["scripts", "bench"], ["tools"], ["src"]];

const rankOf = new Map(LAYERS.flatMap((units, rank) => units.map((unit) => [unit, rank])));
const toolRankOf = new Map(TOOL_LAYERS.flatMap((units, rank) => units.map((unit) => [unit, rank])));

/** The unit of a path relative to src/ (`store/facts.ts` → `store`, `policy/engine/x.ts` → `policy/engine`). */
export function unitOf(relativePath) {
	const normal = relativePath.replaceAll("\\", "/");
	const sub = SUB_UNITS.find((unit) => normal.startsWith(`${unit}/`));
	if (sub !== undefined) return sub;
	const first = normal.split("/")[0] ?? "";
	return first.replace(/\.(d\.)?[cm]?[jt]sx?$/, "");
}

/** The module specifiers a source text imports or re-exports (type-only and dynamic imports included). */
export function importsOf(text) {
	return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/** Why an import from `file` of `target` (both relative to src/) goes through no door, or null. */
function doorViolation(file, target) {
	for (const door of DOORS) {
		if (file.startsWith(`${door}/`) || !target.startsWith(`${door}/`)) continue;
		const inner = target.slice(door.length + 1).replace(/\.[cm]?[jt]sx?$/, "");
		if (inner !== "index") return `${door}/ is entered only through ${door}/index.ts`;
	}
	return null;
}

/**
 * The rule's violations among `modules` (path relative to src/ → its import specifiers), as sentences.
 * Bare specifiers (packages) are not layered; a path leaving src/ may not reach a tool or a test.
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
			if (target.startsWith("..")) {
				const outside = target.split("/").find((segment) => segment !== "..") ?? "";
				if (toolRankOf.has(outside) && outside !== "src")
					violations.push(`src/${file} imports "${specifier}": src/ never imports ${outside}/`);
				continue;
			}
			const to = unitOf(target);
			const door = doorViolation(file, target);
			if (door !== null) violations.push(`src/${file} imports "${specifier}": ${door}`);
			if (to === from) continue;
			const toRank = rankOf.get(to);
			const only = ONLY_IMPORTS[from];
			if (toRank === undefined) violations.push(`src/${file} imports "${specifier}": "${to}" is in no layer`);
			else if (toRank < fromRank)
				violations.push(`src/${file} imports "${specifier}": ${to} is above ${from} (imports point down)`);
			else if (toRank === fromRank)
				violations.push(
					`src/${file} imports "${specifier}": ${to} and ${from} are side by side in one layer`,
				);
			else if (only !== undefined && !only.includes(to))
				violations.push(`src/${file} imports "${specifier}": ${from} imports only ${only.join(", ")}`);
		}
	}
	return violations;
}

/**
 * The violations among the tools' `modules` (path relative to the repository → its import specifiers), by
 * {@link TOOL_LAYERS}. Files at the top level and folders in no row (data such as examples/) are not layered.
 */
export function toolViolations(modules) {
	const violations = [];
	for (const [file, specifiers] of modules) {
		const from = file.split("/")[0] ?? "";
		const fromRank = toolRankOf.get(from);
		if (fromRank === undefined) continue;
		for (const specifier of specifiers) {
			if (!specifier.startsWith(".")) continue;
			const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
			const to = target.split("/")[0] ?? "";
			const toRank = toolRankOf.get(to);
			if (to === from || toRank === undefined) continue;
			if (toRank < fromRank)
				violations.push(`${file} imports "${specifier}": ${to}/ is above ${from}/ (imports point down)`);
			else if (toRank === fromRank)
				violations.push(`${file} imports "${specifier}": ${to}/ and ${from}/ share code only through tools/`);
		}
	}
	return violations;
}

/**
 * The picture of the layers docs/architecture.md shows (a test keeps the two the same): src/ top first, each
 * row's units side by side, then the tools.
 */
export function layersPicture() {
	const notes = (unit) => {
		if (DOORS.includes(unit)) return `${unit} (entered through ${unit}/index.ts)`;
		if (ONLY_IMPORTS[unit] !== undefined) return `${unit} (imports only ${ONLY_IMPORTS[unit].join(", ")})`;
		return unit;
	};
	const rows = LAYERS.map((units) => units.map(notes).join("  |  "));
	const width = Math.max(...rows.map((row) => row.length));
	const center = (text) => `${" ".repeat(Math.floor((width - text.length) / 2))}${text}`.trimEnd();
	const src = rows.flatMap((row, i) => (i === 0 ? [center(row)] : [center("↓"), center(row)]));
	const tools = TOOL_LAYERS.map((units) => units.map((unit) => `${unit}/`).join("  |  ")).join("  →  ");
	return ["src/", "", ...src, "", "around src/:", "", tools].join("\n");
}

/** Every script file under `dir` (not node_modules), as paths relative to it with forward slashes. */
function sourceFiles(dir, prefix = "") {
	return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
		if (entry.name === "node_modules") return [];
		const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
		if (entry.isDirectory()) return sourceFiles(dir, relative);
		return /\.[cm]?[jt]sx?$/.test(entry.name) ? [relative] : [];
	});
}

/** `files` (relative to `dir`) → their import specifiers. */
function readModules(dir, files) {
	return new Map(files.map((file) => [file, importsOf(readFileSync(path.join(dir, file), "utf8"))]));
}

/** The violations of the tree under `srcDir`. */
export function checkTree(srcDir) {
	return importViolations(readModules(srcDir, sourceFiles(srcDir)));
}

/** The violations of the tools (scripts/, bench/, tools/) of the repository at `root`. */
export function checkTools(root) {
	const files = ["scripts", "bench", "tools"]
		.filter((folder) => existsSync(path.join(root, folder)))
		.flatMap((folder) => sourceFiles(root, folder));
	return toolViolations(readModules(root, files));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const { values, positionals } = parseArgs({
		options: { root: { type: "string" }, picture: { type: "boolean", default: false } },
		allowPositionals: true,
	});
	if (values.picture) {
		console.log(layersPicture());
		process.exit(0);
	}
	const root = path.resolve(values.root ?? fileURLToPath(new URL("..", import.meta.url)));
	const srcDir = positionals[0] === undefined ? path.join(root, "src") : path.resolve(positionals[0]);
	const violations = checkTree(srcDir);
	if (positionals[0] === undefined) violations.push(...checkTools(root));
	for (const violation of violations) console.error(violation);
	if (violations.length > 0) {
		console.error(`\n${violations.length} import(s) break the layering (docs/architecture.md).`);
		process.exit(1);
	}
	const tools = positionals[0] === undefined ? " and the tools" : "";
	console.log(`imports point down: ${sourceFiles(srcDir).length} modules of src/${tools} checked`);
}
