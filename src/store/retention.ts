// Retention: rows of `events`, `decisions`, `quarantine` and `quarantine_actions` older than RETENTION_DAYS
// go to R2 (gzipped NDJSON, one folder per UTC day), and only once R2 holds them are they deleted from D1,
// in bounded batches. Run by the Cron Trigger (`scheduled` in src/index.ts), so D1 stays under its size cap.
//
// Rows leave strictly in id order: a batch is the oldest rows of the table, and it ends before the first
// row that is still too young. So the deleted rows are always an id prefix of the table, which is also
// what a change-feed follower sees: its cursor is either past the retention line or below the table's
// first id (docs/sync.md, "Retention").
import { configProblem, readConfig } from "../config";
import { errorMessage, log } from "../log";

const DAY_MS = 86_400_000;

/** How retention reads one table. */
interface RetainedTableShape {
	/** The columns each archived line holds: every column of the table. */
	columns: string;
	/** The column (ms) a row's age is counted from, and its archive folder's day taken from. */
	time: "received_at" | "acted_at";
	/** The most rows one batch reads, whatever RETENTION_BATCH_ROWS says (rows that can be large). */
	maxBatchRows?: number;
}

/** The tables retention archives, in the order a run goes through them. */
export const RETAINED_TABLES = {
	events: {
		columns:
			"id, event_key, delivery_id, command, sdk_app_id, group_id, topic_id, operator_account, event_time, received_at, payload",
		time: "received_at",
	},
	decisions: {
		columns:
			"id, received_at, command, operator_account, name, allowed, error_code, rule, policy_version, dry_run, source, sdk_app_id, field",
		time: "received_at",
	},
	quarantine: {
		columns:
			"id, received_at, command, sdk_app_id, reason, body, body_bytes, body_truncated, resolved_at, resolution",
		time: "received_at",
		// A body is kept up to 64 KiB: 100 rows keep one batch near 6.4 MiB in the isolate's memory.
		maxBatchRows: 100,
	},
	quarantine_actions: {
		columns: "id, quarantine_id, action, outcome, detail, acted_at, request_id, acted_by, sdk_app_id",
		time: "acted_at",
	},
} as const satisfies Record<string, RetainedTableShape>;
export type RetainedTable = keyof typeof RETAINED_TABLES;

/** How retention is set (vars RETENTION_DAYS, RETENTION_BATCH_ROWS, RETENTION_MAX_BATCHES). */
export interface RetentionSettings {
	/** Rows received more than this many days ago are archived and deleted; 0 turns retention off. */
	days: number;
	/** Rows per batch: one R2 object per UTC day in the batch, then one DELETE. */
	batchRows: number;
	/** Batches per table and run, so one run stays well inside a Cron invocation's limits. */
	maxBatches: number;
}

/** The settings from the env, with their defaults (90 days, 1,000 rows, 20 batches). */
export function retentionSettings(env: Env): RetentionSettings {
	return readConfig(env).retention;
}

/** What one run did to one table. */
export interface TableRun {
	archived: number;
	deleted: number;
	objects: string[];
}

/** `2026-11-28` for a time in ms (UTC). */
function utcDay(ms: number): string {
	return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** The R2 key of an archived run of rows: by table, UTC day, and id range (so a re-run overwrites it). */
export function archiveKey(table: RetainedTable, day: string, firstId: number, lastId: number): string {
	const pad = (id: number) => String(id).padStart(16, "0");
	return `${table}/${day}/${pad(firstId)}-${pad(lastId)}.ndjson.gz`;
}

async function gzip(text: string): Promise<ArrayBuffer> {
	const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
	return new Response(stream).arrayBuffer();
}

/**
 * Archives then deletes one batch of `table`: its oldest rows from before `cutoff` (by its time column),
 * stopping at the first younger row. Each UTC day of the batch becomes one R2 object; the DELETE runs only
 * after every object of the batch was written, and removes exactly the id range written. Returns null when
 * there was nothing to do.
 */
async function archiveBatch(
	env: Env,
	bucket: R2Bucket,
	table: RetainedTable,
	cutoff: number,
	batchRows: number,
): Promise<TableRun | null> {
	const shape: RetainedTableShape = RETAINED_TABLES[table];
	const { results } = await env.DB.prepare(`SELECT ${shape.columns} FROM ${table} ORDER BY id LIMIT ?`)
		.bind(Math.min(batchRows, shape.maxBatchRows ?? batchRows))
		.all<{ id: number } & Record<string, unknown>>();
	const at = (row: (typeof results)[number]) => row[shape.time] as number;
	const young = results.findIndex((row) => at(row) >= cutoff);
	const rows = young === -1 ? results : results.slice(0, young);
	if (rows.length === 0) return null;
	const byDay = new Map<string, typeof rows>();
	for (const row of rows) {
		const day = utcDay(at(row));
		byDay.set(day, [...(byDay.get(day) ?? []), row]);
	}
	const objects: string[] = [];
	for (const [day, dayRows] of byDay) {
		const key = archiveKey(table, day, dayRows[0]?.id ?? 0, dayRows.at(-1)?.id ?? 0);
		const body = await gzip(`${dayRows.map((row) => JSON.stringify(row)).join("\n")}\n`);
		// A put that fails throws: the batch's rows then stay in D1 for the next run.
		await bucket.put(key, body, {
			httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" },
			customMetadata: { rows: String(dayRows.length), table },
		});
		objects.push(key);
	}
	const firstId = rows[0]?.id ?? 0;
	const lastId = rows.at(-1)?.id ?? 0;
	// Ids never come back (AUTOINCREMENT) and new rows get larger ones, so this range is exactly `rows`.
	const deleted = await env.DB.prepare(`DELETE FROM ${table} WHERE id >= ? AND id <= ?`)
		.bind(firstId, lastId)
		.run();
	return { archived: rows.length, deleted: deleted.meta.changes ?? 0, objects };
}

/**
 * One retention run at `now`: for each table, up to `maxBatches` batches of rows from before `now - days`.
 * Off (nothing read, nothing deleted) when RETENTION_DAYS is 0 or the ARCHIVE bucket is not bound. A failure stops that table's run and is logged; what was not archived is never deleted.
 */
export async function runRetention(env: Env, now: number): Promise<Record<RetainedTable, TableRun> | null> {
	const settings = retentionSettings(env);
	// An invalid RETENTION_* var stops retention rather than guessing how much history to delete.
	const problem = configProblem(readConfig(env), "retention");
	if (problem) {
		log("error", "retention.config_invalid", { variable: problem.variable, message: problem.message });
		return null;
	}
	const bucket: R2Bucket | undefined = env.ARCHIVE;
	if (settings.days === 0 || !bucket) {
		log("info", "retention.off", { days: settings.days, archiveBound: Boolean(bucket) });
		return null;
	}
	const cutoff = now - settings.days * DAY_MS;
	const summary = {} as Record<RetainedTable, TableRun>;
	for (const table of Object.keys(RETAINED_TABLES) as RetainedTable[]) {
		const run: TableRun = { archived: 0, deleted: 0, objects: [] };
		try {
			for (let batch = 0; batch < settings.maxBatches; batch++) {
				const done = await archiveBatch(env, bucket, table, cutoff, settings.batchRows);
				if (!done) break;
				run.archived += done.archived;
				run.deleted += done.deleted;
				run.objects.push(...done.objects);
			}
		} catch (error) {
			log("error", "retention.failed", { table, error: errorMessage(error), ...run });
		}
		summary[table] = run;
		log("info", "retention.ran", { table, cutoff, archived: run.archived, deleted: run.deleted });
	}
	return summary;
}
