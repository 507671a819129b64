// Serves built Worker bundles with Miniflare (the workerd runtime `wrangler dev` uses), on 127.0.0.1, with
// the bindings of wrangler.toml backed by local KV and D1 persisted in a temporary folder.
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { tomlWorkerOptions } from "../../tools/lib/local-env.mjs";
import { buildWorker, wrangler } from "./build.mjs";

const FLOOR_CONFIG = fileURLToPath(new URL("../floor/wrangler.toml", import.meta.url));

/**
 * Where temporary builds, KV and D1 go: a tmpfs when the machine has one, since on disk every D1 write waits
 * for this machine's fsync, which measures the shared virtual disk rather than the Worker.
 */
export function stateRoot() {
	return existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
}

/** Counts what the runtime prints (the Worker's log lines) without keeping it, except the last lines. */
function drain(stats) {
	return (stdout, stderr) => {
		let partial = "";
		stdout.on("data", (chunk) => {
			// Call-count markers printed by the profiler's logpoints (bench/lib/profile.mjs) are counted.
			const text = partial + chunk;
			const end = text.lastIndexOf("\n");
			partial = text.slice(end + 1);
			for (const match of text.slice(0, end + 1).matchAll(/^__bench_call:(\S+)$/gm)) {
				stats.calls[match[1]] = (stats.calls[match[1]] ?? 0) + 1;
			}
		});
		for (const stream of [stdout, stderr]) {
			stream.on("data", (chunk) => {
				stats.bytes += chunk.length;
				for (const byte of chunk) if (byte === 10) stats.lines++;
				stats.tail = `${stats.tail}${chunk}`.slice(-4000);
			});
		}
	};
}

/**
 * The compatibility settings and bindings wrangler would give the project's Worker locally, from
 * wrangler.toml alone: a developer's .dev.vars or .env never reaches the bench.
 */
export function projectWorkerOptions(configPath) {
	return tomlWorkerOptions(configPath);
}

/**
 * Applies the project's D1 migrations to the local database under `stateDir` with wrangler itself, so the
 * schema is exactly what `wrangler d1 migrations apply` gives.
 */
export async function applyMigrations(configPath, stateDir) {
	await wrangler(
		["d1", "migrations", "apply", "DB", "--local", "--config", configPath, "--persist-to", stateDir],
		{
			env: { CI: "true" },
		},
	);
}

/**
 * Starts one Miniflare instance serving the bundle at `entry` with `options` (bindings, compatibility),
 * persistence under `stateDir`. Resolves to { url, mf, output, dispose }.
 */
export async function serveBundle({ name, entry, options, stateDir, inspectorPort }) {
	const output = { bytes: 0, lines: 0, tail: "", calls: {} };
	const mf = new Miniflare({
		host: "127.0.0.1",
		port: 0,
		defaultPersistRoot: join(stateDir, "v3"),
		handleRuntimeStdio: drain(output),
		...(inspectorPort === undefined ? {} : { inspectorPort }),
		workers: [{ ...options, name, modules: true, modulesRoot: dirname(entry), scriptPath: entry }],
	});
	const url = await mf.ready;
	let disposed = false;
	return {
		url: new URL(url),
		mf,
		output,
		async dispose() {
			if (disposed) return;
			disposed = true;
			await mf.dispose();
		},
	};
}

/**
 * The floor Worker (bench/floor: reads the body, answers OK), built as `wrangler deploy` would under `work`
 * and served with the project's compatibility settings (`project`, from projectWorkerOptions). Resolves to
 * the server (as serveBundle's) with its bundle's `entry`.
 */
export async function serveFloor(work, project, inspectorPort) {
	const built = await buildWorker(FLOOR_CONFIG, join(work, "floor-dist"));
	const server = await serveBundle({
		name: "floor",
		entry: built.entry,
		options: { compatibilityDate: project.compatibilityDate, compatibilityFlags: project.compatibilityFlags },
		stateDir: join(work, "floor-state"),
		inspectorPort,
	});
	return { ...server, entry: built.entry };
}

/** A free TCP port on 127.0.0.1 (for a server or an inspector). */
export function freePort() {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.on("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}
