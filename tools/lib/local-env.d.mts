// Types of local-env.mjs, for vitest.config.ts and the Node-side tests.
import type { WorkerOptions } from "miniflare";

/** The env file list that makes wrangler read no `.dev.vars` or `.env`. */
export declare const NO_ENV_FILES: string[];
/** wrangler's local Miniflare options for the Worker of `configPath`, from wrangler.toml alone. */
export declare function tomlWorkerOptions(
	configPath: string,
): WorkerOptions & { bindings?: Record<string, unknown> };
/** Every name `.dev.vars` or `.env` sets, with wrangler.toml's value back, or "" when wrangler.toml has none. */
export declare function localFileOverrides(configPath: string): Record<string, unknown>;
