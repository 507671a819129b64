// Bundles part of src/policy (TypeScript written for the Worker) with esbuild into .wrangler/tmp and
// imports it, so Node scripts run the Worker's own policy code rather than a copy.
import { mkdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

/** The project's root folder, with a trailing slash. */
export const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * Bundles `reexports` (export statements relative to `sourceRoot`) as `.wrangler/tmp/<name>.mjs` and
 * imports it.
 * @example const { compilePolicyText } = await loadPolicyModule("cli", 'export { compilePolicyText } from "./src/policy/engine/compile";');
 */
export async function loadPolicyModule(name, reexports, sourceRoot = root) {
	const outfile = `${root}.wrangler/tmp/${name}.mjs`;
	mkdirSync(`${root}.wrangler/tmp`, { recursive: true });
	await build({
		stdin: { contents: reexports, resolveDir: sourceRoot, loader: "ts" },
		bundle: true,
		format: "esm",
		platform: "neutral",
		mainFields: ["module", "main"],
		outfile,
		nodePaths: [`${root}node_modules`],
		logLevel: "error",
	});
	return import(`${pathToFileURL(outfile).href}?${Date.now()}`);
}
