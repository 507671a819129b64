// Each workerd test file starts on fresh state, as in a new Worker: the files of the workerd suite share a
// workerd instance (vitest.config.ts: isolate false, which saves starting one per file), so before a file's
// first test this empties what the previous file left: D1's tables (the migrated schema stays), the POLICY
// KV namespace and the R2 archive, and it forgets the env objects the tests handed the Worker
// (test/support/isolate-env.ts), so the Worker's per-isolate state (src/isolate.ts: loaded policies, counts)
// starts afresh. After a file's last test, it waits until the queues' consumer has handled what the file
// queued (a condition, test/support/queues.ts), so that nothing a file started runs on into the next file or
// is cut off when workerd stops.
import { env } from "cloudflare:test";
import { afterAll, beforeAll } from "vitest";
import { newIsolate } from "./isolate-env";
import { countQueueRuns, queuesIdle } from "./queues";

/** Every table of the schema, save D1's own and the migrations ledger. */
async function tables(): Promise<string[]> {
	const { results } = await env.DB.prepare(
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations'",
	).all<{ name: string }>();
	return results.map((row) => row.name);
}

async function emptyKv(kv: KVNamespace): Promise<void> {
	for (;;) {
		const page = await kv.list();
		await Promise.all(page.keys.map((key) => kv.delete(key.name)));
		if (page.list_complete) return;
	}
}

async function emptyBucket(bucket: R2Bucket): Promise<void> {
	for (;;) {
		const page = await bucket.list();
		if (page.objects.length > 0) await bucket.delete(page.objects.map((object) => object.key));
		if (!page.truncated) return;
	}
}

beforeAll(async () => {
	countQueueRuns();
	await queuesIdle();
	const names = await tables();
	await env.DB.batch(names.map((name) => env.DB.prepare(`DELETE FROM "${name}"`)));
	await emptyKv(env.POLICY);
	await emptyBucket(env.ARCHIVE);
	newIsolate();
});

afterAll(() => queuesIdle());
