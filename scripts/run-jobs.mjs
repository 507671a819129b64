// Runs named commands side by side, at most `concurrency` at a time, each one's output kept and printed
// whole when it ends, with its wall time; resolves to whether all of them passed. Used by `npm run check`
// (scripts/check.mjs) and `npm test` (scripts/test.mjs).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// As under `npm run`: the project's own tools (and the Node of package.json) first on the PATH.
const PATH = [join(root, "node_modules", ".bin"), dirname(process.execPath), process.env.PATH].join(":");
// Node keeps the code it compiles for a module on disk and reuses it in every later process: the suites start
// wrangler (a 10 MB script), npm and vitest workers dozens of times, and each start after the first skips
// that compile (about a fifth of the CPU of the deploy CLI's tests). The first start fills the folder.
const NODE_COMPILE_CACHE =
	process.env.NODE_COMPILE_CACHE ?? join(root, "node_modules", ".cache", "node-compile");

/** Seconds since `start` (a performance.now() reading), one decimal. */
export function secondsSince(start) {
	return ((performance.now() - start) / 1000).toFixed(1);
}

/** Runs `command` (a shell command line) in the project folder; resolves to { ok, output, seconds }. */
function runOne(command, env) {
	const start = performance.now();
	return new Promise((resolve) => {
		const child = spawn(command, {
			cwd: root,
			shell: true,
			env: { ...process.env, PATH, NODE_COMPILE_CACHE, FORCE_COLOR: process.env.FORCE_COLOR ?? "1", ...env },
			stdio: ["ignore", "pipe", "pipe"],
		});
		const chunks = [];
		child.stdout.on("data", (chunk) => chunks.push(chunk));
		child.stderr.on("data", (chunk) => chunks.push(chunk));
		child.on("close", (code, signal) =>
			resolve({
				ok: code === 0,
				code: code ?? signal,
				output: Buffer.concat(chunks).toString(),
				seconds: secondsSince(start),
			}),
		);
	});
}

/**
 * Runs `jobs` ([{ name, command, env?, quiet? }]) at most `concurrency` at a time. A job's output is printed
 * when it ends (always when it failed; not at all for a passing `quiet` job), then a line with its time.
 * Resolves to [{ name, ok, seconds }] in the order given.
 */
export async function runJobs(jobs, concurrency) {
	const results = new Array(jobs.length);
	let next = 0;
	async function lane() {
		while (next < jobs.length) {
			const index = next++;
			const job = jobs[index];
			const result = await runOne(job.command, job.env);
			if (!result.ok || !job.quiet) process.stdout.write(result.output);
			const verdict = result.ok ? "ok" : `FAILED (exit ${result.code})`;
			console.log(`[${result.seconds.padStart(6)} s] ${job.name}: ${verdict}`);
			results[index] = { name: job.name, ok: result.ok, seconds: result.seconds };
		}
	}
	await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, lane));
	return results;
}
