#!/usr/bin/env node
// Adds lockfile entries for platform-specific optional packages (workerd, biome, …) that `npm install`
// left out because the registry it used did not serve them. Without those entries `npm ci` refuses the
// lockfile as out of sync. Each added entry names only the version; other platforms fetch it by name.
// Run after every `npm install <pkg>`: `node scripts/complete-lockfile.mjs`. With `--check` (run by
// `npm test`) it changes nothing and fails when it would have changed the file.
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const original = readFileSync(file, "utf8");
const lock = JSON.parse(original);
const packages = lock.packages;

/** Where Node would find `dep` from the package at `path`, if the lockfile has it at `version`. */
function resolve(path, dep, version) {
	let dir = path;
	for (;;) {
		const candidate = dir ? `${dir}/node_modules/${dep}` : `node_modules/${dep}`;
		if (candidate in packages) return packages[candidate].version === version ? candidate : null;
		if (!dir) return null;
		const cut = dir.lastIndexOf("/node_modules/");
		dir = cut >= 0 ? dir.slice(0, cut) : "";
	}
}

let added = 0;
for (const [path, meta] of Object.entries(packages)) {
	const optional = Object.entries(meta.optionalDependencies ?? {});
	const sibling = optional.map(([dep, version]) => resolve(path, dep, version)).find(Boolean);
	if (!sibling) continue; // nothing of this family installs here (e.g. macOS-only fsevents)
	for (const [dep, version] of optional) {
		if (resolve(path, dep, version)) continue;
		const location = `${sibling.slice(0, sibling.lastIndexOf("node_modules/"))}node_modules/${dep}`;
		packages[location] = { version, dev: meta.dev ?? undefined, optional: true };
		added++;
	}
}
// In npm's own order (it sorts the keys with `localeCompare(…, "en")`), so that the next `npm install`
// finds nothing to rewrite and a fresh clone's tree stays clean.
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b, "en")));
const indent = /^\{\n(\s+)/.exec(original)?.[1] ?? "  ";
const completed = `${JSON.stringify(lock, null, indent)}\n`;
if (process.argv.includes("--check")) {
	if (completed !== original) {
		console.error(
			`package-lock.json is incomplete or not in npm's order (${added} platform entries missing): run \`node scripts/complete-lockfile.mjs\` and commit it`,
		);
		process.exit(1);
	}
	console.log("package-lock.json is complete");
} else {
	writeFileSync(file, completed);
	console.log(`complete-lockfile: ${added} platform entr${added === 1 ? "y" : "ies"} added`);
}
