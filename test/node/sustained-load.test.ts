// After-callbacks under sustained load over real sockets: the built Worker served by workerd (Miniflare, no
// proxy in front, so it runs at full speed; built and served as `npm run bench` does), 16 autocannon
// connections for four runs, each ended with requests in flight (autocannon closes its connections
// mid-request). Grouped writes must keep working through it: every answer is a 200 OK, no run stalls, and
// every acknowledged event is stored.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorker } from "../../bench/lib/build.mjs";
import { applyMigrations, projectWorkerOptions, serveBundle, stateRoot } from "../../bench/lib/servers.mjs";

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const config = join(root, "wrangler.toml");
const CONNECTIONS = 16;
const SECONDS = 5;
const RUNS = 4;
const CALLBACK_TOKEN = "callback-token-for-sustained-load";

let dir: string;
let entry: string;

beforeAll(async () => {
	// In memory when the machine has a tmpfs (stateRoot), as `npm run bench` keeps its D1.
	dir = mkdtempSync(join(stateRoot(), "sustained-load-"));
	entry = (await buildWorker(config, join(dir, "dist"))).entry;
});
afterAll(() => {
	if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The Worker with `EVENT_WRITES = mode`, on its own fresh local D1 (migrated), KV and Queues. */
async function serve(mode: string) {
	const state = join(dir, `state-${mode}`);
	await applyMigrations(config, state);
	const project = projectWorkerOptions(config);
	return serveBundle({
		name: "worker",
		entry,
		options: { ...project, bindings: { ...project.bindings, CALLBACK_TOKEN, EVENT_WRITES: mode } },
		stateDir: state,
	});
}

/**
 * One run of bench/lib/load.mjs (autocannon in its own process, as `npm run bench` loads the Worker):
 * CONNECTIONS connections send signed topic creates, a new topic each, for SECONDS; the process then exits
 * with requests still in flight.
 */
async function run(
	url: URL,
	index: number,
): Promise<{ ok: number; non2xx: number; errors: number; timeouts: number }> {
	const options = {
		url: url.href,
		scenario: "sustained",
		body: "after",
		connections: CONNECTIONS,
		seconds: SECONDS,
		token: CALLBACK_TOKEN,
		sdkAppId: "1400000000",
		runId: `run${index}`,
	};
	// autocannon gives up on a request after 10 s: a run not over 20 s past its length has stalled.
	const { stdout } = await execFileAsync(
		process.execPath,
		[join(root, "bench", "lib", "load.mjs"), JSON.stringify(options)],
		{
			cwd: root,
			timeout: (SECONDS + 20) * 1000,
		},
	);
	const { ok, non2xx, errors, timeouts } = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
	return { ok, non2xx, errors, timeouts };
}

// The two modes run side by side, each on its own Worker and state: the file is the suite's longest, and
// what it asserts (every answer a 200, no stall, nothing lost) does not depend on having the machine alone.
describe.concurrent("sustained after-callbacks", () => {
	it.each(["queue", "direct"])(
		"EVENT_WRITES=%s: answers every run with 200 OK, without stalling, and stores every acknowledged event",
		async (mode) => {
			const worker = await serve(mode);
			const rates: number[] = [];
			try {
				let acknowledged = 0;
				for (let index = 0; index < RUNS; index++) {
					const result = await run(worker.url, index);
					expect({ ...result, ok: undefined }).toEqual({ ok: undefined, non2xx: 0, errors: 0, timeouts: 0 });
					// Every run answers (a stalled Worker answers none: autocannon's requests time out, counted above);
					// how many it answers depends on the machine, so it is reported, not asserted.
					expect(result.ok).toBeGreaterThan(0);
					rates.push(result.ok / SECONDS);
					acknowledged += result.ok;
				}
				// With EVENT_WRITES=queue the consumer stores behind the answers: wait for it to catch up.
				const db = await worker.mf.getD1Database("DB");
				const count = async () =>
					(await db
						.prepare("SELECT count(*) AS n FROM topics WHERE group_id = ?")
						.bind("@TGS#_@TGS#benchGroup")
						.first<number>("n")) ?? 0;
				let stored = await count();
				for (const end = Date.now() + 120_000; stored < acknowledged && Date.now() < end; ) {
					await new Promise((resolve) => setTimeout(resolve, 200));
					stored = await count();
				}
				expect(stored).toBeGreaterThanOrEqual(acknowledged);
			} finally {
				await worker.dispose();
				// The speed, for the record (npm run bench measures it against a baseline).
				process.stderr.write(
					`sustained-load EVENT_WRITES=${mode}: ${rates.map((rate) => rate.toFixed(0)).join(", ")} answers/s over ${rates.length} runs of ${SECONDS} s, ${CONNECTIONS} connections\n`,
				);
			}
		},
		300_000,
	);
});
