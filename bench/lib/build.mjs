// Builds a Worker the way `wrangler deploy` would (--dry-run --outdir) and measures what would be uploaded.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** Runs a command with a time limit; resolves to its output, rejects with it when it fails. */
export function run(command, args, { cwd, env, timeoutMs = 120_000 } = {}) {
	return new Promise((resolve, reject) => {
		// The running Node first on the PATH, so anything a child starts with `node` is Node 22 too.
		const path = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`;
		const child = spawn(command, args, {
			cwd,
			env: { ...process.env, PATH: path, ...env },
			stdio: ["ignore", "pipe", "pipe"],
		});
		let output = "";
		child.stdout.on("data", (chunk) => {
			output += chunk;
		});
		child.stderr.on("data", (chunk) => {
			output += chunk;
		});
		const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
		child.on("error", reject);
		child.on("close", (code, signal) => {
			clearTimeout(timer);
			if (code === 0) resolve(output);
			else reject(new Error(`${command} ${args.join(" ")} failed (${signal ?? code}):\n${output}`));
		});
	});
}

/** The project's own wrangler, run by the Node running the bench (22 under npm), whatever the PATH says. */
export const WRANGLER_JS = join(process.cwd(), "node_modules", "wrangler", "bin", "wrangler.js");

/** Runs `wrangler args…` with a time limit; resolves to its output. */
export function wrangler(args, options = {}) {
	return run(process.execPath, [WRANGLER_JS, ...args], options);
}

/**
 * `wrangler deploy --dry-run --outdir outdir --metafile`: the deployable bundle, without uploading it.
 * Resolves to the bundle's entry path, the esbuild metafile and wrangler's own printed size line.
 */
export async function buildWorker(configPath, outdir) {
	const metafile = join(outdir, "bundle-meta.json");
	const output = await wrangler([
		"deploy",
		"--dry-run",
		"--config",
		configPath,
		"--outdir",
		outdir,
		"--metafile",
		metafile,
	]);
	const entry = readdirSync(outdir).find((file) => /\.(m?js)$/.test(file));
	if (!entry) throw new Error(`wrangler built nothing into ${outdir}:\n${output}`);
	const uploadLine = output.match(/Total Upload: .*/)?.[0] ?? null;
	return { entry: join(outdir, entry), meta: JSON.parse(readFileSync(metafile, "utf8")), uploadLine };
}

/** Groups an output's inputs by package (node_modules/<name>) or by the project's top folder. */
function partOf(inputPath) {
	const modules = inputPath.lastIndexOf("node_modules/");
	if (modules >= 0) {
		const rest = inputPath.slice(modules + "node_modules/".length).split("/");
		return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? inputPath);
	}
	const src = inputPath.match(/(?:^|\/)(src\/[^/]+)/);
	if (src) return src[1].endsWith(".ts") ? src[1] : `${src[1]}/`;
	return inputPath.replace(/^.*\/wrangler\/templates\//, "wrangler templates/");
}

/**
 * The size of the bundle as uploaded (every module of the outdir, source maps left out), gzipped at
 * level 9 like the upload, and the parts it is made of, from esbuild's metafile (bytes before gzip).
 */
export function bundleSize(outdir, meta) {
	const files = readdirSync(outdir).filter((file) => /\.(m?js|wasm|txt|bin|html|sql)$/.test(file));
	let raw = 0;
	let gzip = 0;
	for (const file of files) {
		const bytes = readFileSync(join(outdir, file));
		raw += bytes.length;
		gzip += gzipSync(bytes, { level: 9 }).length;
	}
	const parts = new Map();
	for (const output of Object.values(meta.outputs ?? {})) {
		for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
			const part = partOf(input);
			parts.set(part, (parts.get(part) ?? 0) + bytesInOutput);
		}
	}
	const total = [...parts.values()].reduce((a, b) => a + b, 0);
	const biggest = [...parts.entries()]
		.sort((a, b) => b[1] - a[1])
		.map(([part, bytes]) => ({ part, bytes, share: total > 0 ? bytes / total : 0 }));
	return { files, rawBytes: raw, gzipBytes: gzip, parts: biggest };
}

/**
 * Bundles bench/policy-adapter.ts (and the policy module it imports) into one ES module for Node at
 * `outfile`: what the policy micro-benchmark and the quality benchmark run, the module's own code.
 */
export async function bundleAdapter(outfile) {
	await build({
		entryPoints: [fileURLToPath(new URL("../policy-adapter.ts", import.meta.url))],
		bundle: true,
		platform: "node",
		format: "esm",
		target: "node22",
		outfile,
		external: ["cloudflare:*"],
		logLevel: "error",
	});
}
