// wrangler.toml's vars, and nothing of a developer's `.dev.vars` or `.env`: what the test suites and the
// bench give the Worker. wrangler loads those files into every local run unless it is given env files of its
// own; naming only an empty one (/dev/null) makes it load nothing but wrangler.toml.
import { unstable_getMiniflareWorkerOptions } from "wrangler";

/** The env file list that makes wrangler read no `.dev.vars` or `.env`. */
export const NO_ENV_FILES = ["/dev/null"];

/** wrangler's local Miniflare options for the Worker of `configPath`, from wrangler.toml alone. */
export function tomlWorkerOptions(configPath) {
	return unstable_getMiniflareWorkerOptions(configPath, undefined, { envFiles: NO_ENV_FILES }).workerOptions;
}

/**
 * For a tool that loads wrangler.toml with the local files and only lets bindings be laid over it (the
 * workerd suite's plugin): every name `.dev.vars` or `.env` sets, with wrangler.toml's value back, or ""
 * (which the Worker reads as unset) when wrangler.toml has none.
 */
export function localFileOverrides(configPath) {
	const withLocalFiles = unstable_getMiniflareWorkerOptions(configPath).workerOptions.bindings ?? {};
	const tomlOnly = tomlWorkerOptions(configPath).bindings ?? {};
	return Object.fromEntries(
		Object.keys(withLocalFiles).map((name) => [name, Object.hasOwn(tomlOnly, name) ? tomlOnly[name] : ""]),
	);
}
