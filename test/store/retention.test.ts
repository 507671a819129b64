// Retention: old events and decisions go to R2 (gzipped NDJSON per UTC day) and only then leave D1, in
// bounded batches. The real local R2 bucket and D1 from wrangler.toml; faults only by wrapping them.
import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { runRetention } from "../../src/store/retention";
import { samples, sendCallback, unique } from "../support/tencent";

const DAY = 86_400_000;
/** Far enough ahead that every stored row is older than any retention age. */
const FUTURE = Date.now() + 1_000 * DAY;

type Row = Record<string, unknown> & { id: number; received_at: number };

async function rows(table: "events" | "decisions"): Promise<Row[]> {
	return (await env.DB.prepare(`SELECT * FROM ${table} ORDER BY id`).all<Row>()).results;
}

/** Every row archived in the bucket under `table/`, read back by decompressing each object. */
async function archived(bucket: R2Bucket, table: string): Promise<Row[]> {
	const out: Row[] = [];
	let cursor: string | undefined;
	do {
		const page = await bucket.list({ prefix: `${table}/`, ...(cursor ? { cursor } : {}) });
		for (const object of page.objects) {
			const body = await bucket.get(object.key);
			const text = await new Response(body?.body.pipeThrough(new DecompressionStream("gzip"))).text();
			for (const line of text.split("\n").filter(Boolean)) {
				const row = JSON.parse(line) as Row;
				expect(object.key).toContain(`/${new Date(row.received_at).toISOString().slice(0, 10)}/`);
				out.push(row);
			}
		}
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
	return out.sort((a, b) => a.id - b.id);
}

async function seed(count: number): Promise<void> {
	const group = `@TGS#ret${unique()}`;
	for (let i = 0; i < count; i++)
		await sendCallback(
			"Group.CallbackAfterCreateTopic",
			samples.afterCreateTopic(`${group}@TOPIC#_${i}`, group),
		);
	for (let i = 0; i < count; i++)
		await env.DB.prepare(
			`INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, rule, policy_version, dry_run, source)
			 VALUES (?, 'Group.CallbackBeforeCreateTopic', 'leckie', ?, 0, 1, 'names.banned[0] "casino"', 'v1', 0, 'policy')`,
		)
			.bind(Date.now() - i * DAY, `casino ${i}`)
			.run();
}

/** The real bucket, with `put` failing after `allowed` successful puts (an R2 outage mid-run). */
function bucketFailingAfter(allowed: number): R2Bucket {
	let puts = 0;
	return new Proxy(env.ARCHIVE, {
		get(target, property) {
			if (property === "put")
				return (...args: Parameters<R2Bucket["put"]>) =>
					puts++ < allowed ? target.put(...args) : Promise.reject(new Error("R2: injected outage"));
			const value = Reflect.get(target, property, target);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

describe("retention", () => {
	it("archives every old row to R2 as gzipped NDJSON per day, then deletes exactly those rows (Cron Trigger)", async () => {
		await seed(7);
		const before = { events: await rows("events"), decisions: await rows("decisions") };
		expect(before.events.length).toBeGreaterThanOrEqual(7);

		await worker.scheduled(createScheduledController({ scheduledTime: FUTURE, cron: "*/15 * * * *" }), {
			...env,
			RETENTION_BATCH_ROWS: "3",
			RETENTION_MAX_BATCHES: "1000",
		});

		expect(await rows("events")).toEqual([]);
		expect(await rows("decisions")).toEqual([]);
		expect(await archived(env.ARCHIVE, "events")).toEqual(before.events);
		expect(await archived(env.ARCHIVE, "decisions")).toEqual(before.decisions);
	});

	it("deletes nothing that R2 did not take: a failing put leaves its batch, and every later one, in D1", async () => {
		await seed(6);
		const before = await rows("events");
		for (const allowed of [0, 1, 2]) {
			const bucket = bucketFailingAfter(allowed);
			await runRetention(
				{ ...env, ARCHIVE: bucket, RETENTION_BATCH_ROWS: "1", RETENTION_MAX_BATCHES: "1000" },
				FUTURE,
			);
			const left = new Set((await rows("events")).map((row) => row.id));
			const inArchive = new Set((await archived(env.ARCHIVE, "events")).map((row) => row.id));
			for (const row of before)
				expect(left.has(row.id) || inArchive.has(row.id), `event ${row.id}`).toBe(true);
		}
		// With R2 failing from the first put, nothing at all leaves D1.
		const remaining = await rows("events");
		await runRetention({ ...env, ARCHIVE: bucketFailingAfter(0) }, FUTURE);
		expect(await rows("events")).toEqual(remaining);
		expect(remaining.length).toBeGreaterThan(0);
	});

	it("keeps rows younger than RETENTION_DAYS, and does nothing when it is 0 or the bucket is not bound", async () => {
		await seed(3);
		const before = await rows("events");
		await runRetention({ ...env, RETENTION_DAYS: "0" }, FUTURE);
		await runRetention({ ...env, ARCHIVE: undefined as unknown as R2Bucket }, FUTURE);
		expect(await rows("events")).toEqual(before);

		const now = Date.now();
		await runRetention({ ...env, RETENTION_DAYS: "30" }, now);
		const cutoff = now - 30 * DAY;
		const young = before.filter((row) => row.received_at >= cutoff).map((row) => row.id);
		const left = (await rows("events")).map((row) => row.id);
		expect(young.length).toBeGreaterThan(0);
		for (const id of young) expect(left).toContain(id);
	});
});
