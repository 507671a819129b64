// The real Worker on a real loopback socket, for tests that must see what a client sees over HTTP (status
// lines, resets, bodies that are not read). Each start gets its own fresh local KV, D1 (migrations applied)
// and Queues state in a temporary directory, and only the vars and secrets the test passes: a developer's
// .dev.vars or .env never reaches it.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_splitSqlQuery, unstable_startWorker } from "wrangler";
import { NO_ENV_FILES, tomlWorkerOptions } from "../../../tools/lib/local-env.mjs";

const projectRoot = fileURLToPath(new URL("../../..", import.meta.url));
const configPath = join(projectRoot, "wrangler.toml");
const migrationsDir = join(projectRoot, "migrations");

/** What a test can set on the Worker it starts. */
export interface StartOptions {
	/** Plain vars, over wrangler.toml's `[vars]` (e.g. `{ MAX_BODY_BYTES: "1000" }`). */
	vars?: Record<string, string>;
	/** Secrets such as CALLBACK_TOKEN or ADMIN_TOKEN; none is set unless given here. */
	secrets?: Record<string, string>;
	/** Values put into the POLICY KV namespace before the Worker starts, by key (e.g. `{ policy: "{…}" }`). */
	policyKv?: Record<string, string>;
	/** Another wrangler.toml than the project's (a copy elsewhere); its `main` must be an absolute path. */
	configPath?: string;
}

/** A started Worker: its base URL, a fetch against it, and how to stop it. */
export interface RunningWorker {
	/** Base URL on 127.0.0.1 with the port the Worker listens on, e.g. `http://127.0.0.1:41234/`. */
	url: URL;
	/** The directory holding this Worker's local KV, D1 and Queues state (removed by `stop`). */
	stateDir: string;
	/** `fetch(new URL(path, url), init)` through Node's own HTTP client. */
	fetch(path: string, init?: RequestInit): Promise<Response>;
	/** Stops the Worker and removes its state. */
	stop(): Promise<void>;
}

/** `migrations/*.sql` in order, each split into statements the way wrangler splits them. */
async function migrationStatements(): Promise<string[][]> {
	const files = (await readdir(migrationsDir)).filter((name) => name.endsWith(".sql")).sort();
	return Promise.all(
		files.map(async (name) => unstable_splitSqlQuery(await readFile(join(migrationsDir, name), "utf8"))),
	);
}

/**
 * Writes the fresh state the Worker will start on: D1 migrated, POLICY seeded. Done through Miniflare on
 * the same persistence layout wrangler uses (`<dir>/v3`), with the binding ids wrangler.toml gives.
 */
async function prepareState(stateDir: string, policyKv: Record<string, string>, configPath: string) {
	// Only the storage bindings' ids are used from these options; no var reaches this Miniflare.
	const workerOptions = tomlWorkerOptions(configPath);
	const mf = new Miniflare({
		modules: true,
		script: "export default {}",
		d1Databases: workerOptions.d1Databases,
		kvNamespaces: workerOptions.kvNamespaces,
		defaultPersistRoot: join(stateDir, "v3"),
		d1Persist: true,
		kvPersist: true,
	});
	try {
		const db = await mf.getD1Database("DB");
		for (const statements of await migrationStatements())
			await db.batch(statements.map((sql) => db.prepare(sql)));
		const kv = await mf.getKVNamespace("POLICY");
		for (const [key, value] of Object.entries(policyKv)) await kv.put(key, value);
	} finally {
		await mf.dispose();
	}
}

/**
 * Starts the Worker from wrangler.toml with `unstable_startWorker` on 127.0.0.1 and a free port, on fresh
 * state, with wrangler.toml's vars plus `options.vars` and only the secrets in `options.secrets`.
 *
 * @example
 * const worker = await startWorker({ secrets: { ADMIN_TOKEN: "a-long-enough-admin-token-0123456789" } });
 * try {
 *   const response = await worker.fetch("/healthz");
 * } finally {
 *   await worker.stop();
 * }
 */
export async function startWorker(options: StartOptions = {}): Promise<RunningWorker> {
	const stateDir = await mkdtemp(join(tmpdir(), "worker-state-"));
	try {
		const config = options.configPath ?? configPath;
		await prepareState(stateDir, options.policyKv ?? {}, config);
		const bindings = {
			...Object.fromEntries(
				Object.entries(options.vars ?? {}).map(([name, value]) => [name, { type: "plain_text", value }]),
			),
			...Object.fromEntries(
				Object.entries(options.secrets ?? {}).map(([name, value]) => [name, { type: "secret_text", value }]),
			),
		} as const;
		const worker = await unstable_startWorker({
			config,
			// wrangler.toml's vars only: no .dev.vars, no .env.
			envFiles: NO_ENV_FILES,
			bindings,
			dev: {
				server: { hostname: "127.0.0.1", port: 0 },
				inspector: false,
				persist: stateDir,
				watch: false,
				logLevel: process.env.WORKER_LOG_LEVEL === "debug" ? "debug" : "error",
			},
		});
		await worker.ready;
		const url = new URL((await worker.url).href);
		return {
			url,
			stateDir,
			fetch: (path, init) => fetch(new URL(path, url), init),
			stop: async () => {
				await worker.dispose();
				await rm(stateDir, { recursive: true, force: true });
			},
		};
	} catch (error) {
		await rm(stateDir, { recursive: true, force: true });
		throw error;
	}
}
