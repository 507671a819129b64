// Retention: old events, decisions, quarantined bodies and the actions on them go to R2 (gzipped NDJSON per
// UTC day) and only then leave D1, in bounded batches. The real local R2 bucket and D1 from wrangler.toml
// (migrations applied); faults only by wrapping them.
import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { type RetainedTable, runRetention } from "../../src/store/retention";
import { apiCall } from "../api/admin";
import { SDK_APP_ID, samples, sendCallback, unique } from "../support/tencent";

const DAY = 86_400_000;
/** Far enough ahead that every stored row is older than any retention age. */
const FUTURE = Date.now() + 1_000 * DAY;

type Row = Record<string, unknown> & { id: number };

/** Every table retention must prune, written out so a table it stops pruning fails the tests. */
const TABLES: RetainedTable[] = ["events", "decisions", "quarantine", "quarantine_actions"];

async function rows(table: RetainedTable): Promise<Row[]> {
	return (await env.DB.prepare(`SELECT * FROM ${table} ORDER BY id`).all<Row>()).results;
}

/** Every row archived in the bucket under `table/`, read back by decompressing each object. */
async function archived(bucket: R2Bucket, table: RetainedTable): Promise<Row[]> {
	// The folder's day is the day of the row's time: received_at, or acted_at for an action.
	const time = table === "quarantine_actions" ? "acted_at" : "received_at";
	const out: Row[] = [];
	let cursor: string | undefined;
	do {
		const page = await bucket.list({ prefix: `${table}/`, ...(cursor ? { cursor } : {}) });
		for (const object of page.objects) {
			const body = await bucket.get(object.key);
			const text = await new Response(body?.body.pipeThrough(new DecompressionStream("gzip"))).text();
			for (const line of text.split("\n").filter(Boolean)) {
				const row = JSON.parse(line) as Row;
				expect(object.key).toContain(`/${new Date(row[time] as number).toISOString().slice(0, 10)}/`);
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
	// Bodies that fail validation are quarantined; dismissing one records an action on it.
	for (let i = 0; i < count; i++) {
		const { status } = await sendCallback("Group.CallbackAfterCreateTopic", {
			CallbackCommand: "Group.CallbackAfterCreateTopic",
			GroupId: group,
			Marker: `invalid ${i}`,
		});
		expect(status).toBe(400);
	}
	const open = await env.DB.prepare(
		"SELECT id FROM quarantine WHERE resolved_at IS NULL ORDER BY id DESC",
	).first<{
		id: number;
	}>();
	expect((await apiCall("DELETE", `/api/quarantine/${open?.id}`)).status).toBe(200);
}

/** A quarantine row received at `receivedAt`, as the Worker writes one; its id. */
async function quarantined(receivedAt: number): Promise<number> {
	const row = await env.DB.prepare(
		`INSERT INTO quarantine (received_at, command, sdk_app_id, reason, body, body_bytes, body_truncated)
		 VALUES (?, 'Group.CallbackAfterCreateTopic', ?, 'GroupId: missing', '{"a":1}', 7, 0) RETURNING id`,
	)
		.bind(receivedAt, SDK_APP_ID)
		.first<{ id: number }>();
	return row?.id as number;
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
		const before = Object.fromEntries(
			await Promise.all(TABLES.map(async (t) => [t, await rows(t)] as const)),
		);
		expect(before.events?.length).toBeGreaterThanOrEqual(7);
		expect(before.quarantine?.length).toBeGreaterThanOrEqual(7);
		expect(before.quarantine_actions?.length).toBeGreaterThanOrEqual(1);

		await worker.scheduled(createScheduledController({ scheduledTime: FUTURE, cron: "*/15 * * * *" }), {
			...env,
			RETENTION_BATCH_ROWS: "3",
			RETENTION_MAX_BATCHES: "1000",
		});

		for (const table of TABLES) {
			expect(await rows(table), table).toEqual([]);
			expect(await archived(env.ARCHIVE, table), table).toEqual(before[table]);
		}
	});

	it("deletes nothing that R2 did not take: a failing put leaves its batch, and every later one, in D1", async () => {
		await seed(6);
		const before = Object.fromEntries(
			await Promise.all(TABLES.map(async (t) => [t, await rows(t)] as const)),
		);
		for (const allowed of [0, 1, 2]) {
			const bucket = bucketFailingAfter(allowed);
			await runRetention(
				{ ...env, ARCHIVE: bucket, RETENTION_BATCH_ROWS: "1", RETENTION_MAX_BATCHES: "1000" },
				FUTURE,
			);
			for (const table of TABLES) {
				const left = new Set((await rows(table)).map((row) => row.id));
				const inArchive = new Set((await archived(env.ARCHIVE, table)).map((row) => row.id));
				for (const row of before[table] ?? [])
					expect(left.has(row.id) || inArchive.has(row.id), `${table} ${row.id}`).toBe(true);
			}
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
		const young = before.filter((row) => (row.received_at as number) >= cutoff).map((row) => row.id);
		const left = (await rows("events")).map((row) => row.id);
		expect(young.length).toBeGreaterThan(0);
		for (const id of young) expect(left).toContain(id);
	});

	it("prunes quarantine rows past RETENTION_DAYS in bounded batches, and keeps every younger one", async () => {
		// Whatever earlier tests left is archived first, so the rows below are the whole table.
		await runRetention({ ...env, RETENTION_MAX_BATCHES: "1000" }, FUTURE);
		expect(await rows("quarantine")).toEqual([]);
		const now = Date.now();
		// In id order, as the Worker hands ids out; the fifth is old but came late (quarantined by the queue
		// consumer after an outage, with its original time).
		const ids: number[] = [];
		for (const days of [40, 39, 38, 10, 45, 1]) ids.push(await quarantined(now - days * DAY));
		const before = await rows("quarantine");
		const settings = { ...env, RETENTION_DAYS: "30", RETENTION_BATCH_ROWS: "1", RETENTION_MAX_BATCHES: "2" };
		const ours = async () =>
			(await archived(env.ARCHIVE, "quarantine")).filter((row) => ids.includes(row.id));

		// R2 refusing every put: nothing leaves.
		await runRetention({ ...settings, ARCHIVE: bucketFailingAfter(0) }, now);
		expect(await rows("quarantine")).toEqual(before);

		// Bounded: two batches of one row per run.
		const first = await runRetention(settings, now);
		expect(first?.quarantine).toMatchObject({ archived: 2, deleted: 2 });
		expect((await rows("quarantine")).map((row) => row.id)).toEqual(ids.slice(2));

		// The third old row leaves; the 10-day-old row stops the run, and the late old row waits behind it.
		await runRetention(settings, now);
		expect(await rows("quarantine")).toEqual(before.slice(3));
		expect(await ours()).toEqual(before.slice(0, 3));

		// Once the young row is past the window too, the rest leaves, every row in the archive as it was.
		await runRetention(settings, now + 25 * DAY);
		await runRetention(settings, now + 25 * DAY);
		expect((await rows("quarantine")).map((row) => row.id)).toEqual(ids.slice(5));
		expect(await ours()).toEqual(before.slice(0, 5));
	});

	it("reads at most 100 quarantine rows per batch, whatever RETENTION_BATCH_ROWS says (bodies are large)", async () => {
		await runRetention({ ...env, RETENTION_MAX_BATCHES: "1000" }, FUTURE);
		const old = Date.now() - 400 * DAY;
		for (let i = 0; i < 150; i++) await quarantined(old);
		const run = await runRetention(
			{ ...env, RETENTION_BATCH_ROWS: "1000", RETENTION_MAX_BATCHES: "1" },
			Date.now(),
		);
		expect(run?.quarantine).toMatchObject({ archived: 100, deleted: 100 });
		expect(await rows("quarantine")).toHaveLength(50);
	});
});
