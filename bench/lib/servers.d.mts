// Types of servers.mjs, for the Node-side tests that serve the built Worker as the bench does.
import type { Miniflare, WorkerOptions } from "miniflare";

/** The compatibility settings and bindings wrangler would give the project's Worker locally, from wrangler.toml alone. */
export declare function projectWorkerOptions(
	configPath: string,
): WorkerOptions & { bindings?: Record<string, unknown> };
/** Where temporary builds, KV and D1 go: /dev/shm when the machine has it, else the OS temporary folder. */
export declare function stateRoot(): string;
/** Applies the project's D1 migrations to the local database under `stateDir` with wrangler itself. */
export declare function applyMigrations(configPath: string, stateDir: string): Promise<void>;
/** Serves the bundle at `entry` with Miniflare on 127.0.0.1, persistence under `stateDir`. */
export declare function serveBundle(options: {
	name: string;
	entry: string;
	options: WorkerOptions;
	stateDir: string;
	inspectorPort?: number;
}): Promise<{
	url: URL;
	mf: Miniflare;
	output: { bytes: number; lines: number; tail: string; calls: Record<string, number> };
	dispose(): Promise<void>;
}>;
