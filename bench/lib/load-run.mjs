// Runs bench/lib/load.mjs (one autocannon run) in its own Node process, so the load generator never shares
// an event loop with the servers it loads, and resolves to the run's result line.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const LOAD_SCRIPT = fileURLToPath(new URL("./load.mjs", import.meta.url));

/** What a run is unless told otherwise: 16 connections, the app the bench's Workers answer for. */
const DEFAULTS = { connections: 16, sdkAppId: "1400000000" };

/**
 * One autocannon run of `options` (load.mjs's: url, scenario, body, query, connections, seconds, token,
 * sdkAppId, runId; `scenario` defaults to `body`, the rest to DEFAULTS). The child is killed once it has
 * run a minute past its length. `children`, when given, holds the child while it runs, so a caller that
 * stops early can kill it.
 */
export function runLoad(given, children = null) {
	const options = { ...DEFAULTS, scenario: given.body, ...given };
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [LOAD_SCRIPT, JSON.stringify(options)], {
			stdio: ["ignore", "pipe", "inherit"],
		});
		children?.add(child);
		let stdout = "";
		child.stdout.on("data", (chunk) => {
			stdout += chunk;
		});
		const timer = setTimeout(() => child.kill("SIGKILL"), (options.seconds + 60) * 1000);
		child.on("error", reject);
		child.on("close", (code, signal) => {
			clearTimeout(timer);
			children?.delete(child);
			if (code !== 0) reject(new Error(`bench/lib/load.mjs failed (${signal ?? code})`));
			else resolve(JSON.parse(stdout.trim().split("\n").at(-1)));
		});
	});
}
