// Types of build.mjs, for the Node-side tests that build the Worker as the bench does.
/** `wrangler deploy --dry-run --outdir outdir --metafile`: the deployable bundle's entry, metafile and size line. */
export declare function buildWorker(
	configPath: string,
	outdir: string,
): Promise<{ entry: string; meta: unknown; uploadLine: string | null }>;
