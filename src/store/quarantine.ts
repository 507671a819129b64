// Keeps authenticated callback bodies that failed validation, raw and with the reason, so a format change on
// Tencent's side loses nothing: the rows can be read, fixed for, and replayed.
import { utf8ByteLength } from "../crypto";
import { errorMessage, log } from "../log";

/** A body longer than this many UTF-8 bytes is stored cut, with its full size and a flag. */
export const QUARANTINE_BODY_LIMIT = 65_536;

/** Part of a body that could not be stored (in the log line when D1 is down). */
const LOGGED_BODY_LIMIT = 8_192;

/** A refused body and why. */
export interface QuarantineEntry {
	receivedAt: number;
	command: string | null;
	sdkAppId: string | null;
	reason: string;
	body: string;
}

/** The body as stored: at most `limit` bytes of UTF-8, never a broken character, with its full size. */
export function boundedBody(
	body: string,
	limit = QUARANTINE_BODY_LIMIT,
): { text: string; bytes: number; truncated: boolean } {
	const encoded = new TextEncoder().encode(body);
	if (encoded.byteLength <= limit) return { text: body, bytes: encoded.byteLength, truncated: false };
	// Step back to the start of a character so the cut leaves valid UTF-8 (continuation bytes are 10xxxxxx).
	let end = limit;
	while (end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end--;
	return {
		text: new TextDecoder().decode(encoded.subarray(0, end)),
		bytes: encoded.byteLength,
		truncated: true,
	};
}

/** Inserts a row into `quarantine`; throws when D1 does not take it. */
export async function storeQuarantined(db: D1Database, entry: QuarantineEntry): Promise<void> {
	const body = boundedBody(entry.body);
	await db
		.prepare(
			`INSERT INTO quarantine (received_at, command, sdk_app_id, reason, body, body_bytes, body_truncated)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`,
		)
		.bind(
			entry.receivedAt,
			entry.command,
			entry.sdkAppId,
			entry.reason,
			body.text,
			body.bytes,
			body.truncated ? 1 : 0,
		)
		.run();
}

/**
 * Quarantines a refused callback body. Never throws: when D1 cannot take it, the entry (body cut to 8 KiB)
 * goes to the error log instead, and the caller's answer stays what it was.
 */
export async function quarantineBody(
	db: D1Database,
	entry: QuarantineEntry,
	requestId: string,
): Promise<void> {
	try {
		await storeQuarantined(db, entry);
		log("warn", "callback.quarantined", { requestId, command: entry.command, reason: entry.reason });
	} catch (error) {
		log("error", "quarantine.store_failed", {
			requestId,
			command: entry.command,
			sdkAppId: entry.sdkAppId,
			receivedAt: entry.receivedAt,
			reason: entry.reason,
			error: errorMessage(error),
			bodyBytes: utf8ByteLength(entry.body),
			body: boundedBody(entry.body, LOGGED_BODY_LIMIT).text,
		});
	}
}

/** A `quarantine` row as listed (the body only in the single-row view). */
export interface QuarantineView {
	id: number;
	received_at: number;
	command: string | null;
	sdk_app_id: string | null;
	reason: string;
	body_bytes: number;
	body_truncated: boolean;
	resolved_at: number | null;
	resolution: "replayed" | "dismissed" | null;
}

/** A `quarantine_actions` row. */
export interface QuarantineActionView {
	id: number;
	quarantine_id: number;
	action: "replay" | "dismiss";
	outcome: string;
	detail: string | null;
	acted_at: number;
	request_id: string | null;
	/** Who acted: the console session's name, or "api token". */
	acted_by: string | null;
}

/** Who acts on a quarantine row: the API request (to match with the logs) and the admin caller's name. */
export interface QuarantineActor {
	requestId: string;
	by: string;
}

const COLUMNS =
	"id, received_at, command, sdk_app_id, reason, body_bytes, body_truncated, resolved_at, resolution";
const STATUS_FILTER = {
	open: "resolved_at IS NULL AND",
	resolved: "resolved_at IS NOT NULL AND",
	all: "",
} as const;

/**
 * SQL of one page of quarantine rows (without bodies) with `status`; parameters: after, row limit (and,
 * with `byApp`, the SdkAppid).
 */
export function quarantinePageSql(status: keyof typeof STATUS_FILTER, byApp = false): string {
	const app = byApp ? "sdk_app_id = ?3 AND" : "";
	return `SELECT ${COLUMNS} FROM quarantine WHERE ${STATUS_FILTER[status]} ${app} id > ?1 ORDER BY id LIMIT ?2`;
}

/** What was done to one quarantine row, oldest first. */
export const QUARANTINE_ACTIONS_SQL = "SELECT * FROM quarantine_actions WHERE quarantine_id = ? ORDER BY id";

function view(row: Omit<QuarantineView, "body_truncated"> & { body_truncated: number }): QuarantineView {
	return { ...row, body_truncated: row.body_truncated === 1 };
}

/** Up to `limit` rows with id > `after` and `status` (of the app `sdkAppId`, when given), oldest first, without bodies. */
export async function quarantinePage(
	db: D1Database,
	status: keyof typeof STATUS_FILTER,
	after: number,
	limit: number,
	sdkAppId?: string,
): Promise<QuarantineView[]> {
	const statement = db.prepare(quarantinePageSql(status, sdkAppId !== undefined));
	const { results } = await (sdkAppId === undefined
		? statement.bind(after, limit)
		: statement.bind(after, limit, sdkAppId)
	).all<Parameters<typeof view>[0]>();
	return results.map(view);
}

/** One row with its body, or null. */
export async function quarantinedRow(
	db: D1Database,
	id: number,
): Promise<(QuarantineView & { body: string }) | null> {
	const row = await db
		.prepare(`SELECT ${COLUMNS}, body FROM quarantine WHERE id = ?`)
		.bind(id)
		.first<Parameters<typeof view>[0] & { body: string }>();
	return row ? { ...view(row), body: row.body } : null;
}

/** One row with its body and what was done to it, read together; null when there is no such row. */
export async function quarantinedWithActions(
	db: D1Database,
	id: number,
): Promise<{ entry: QuarantineView & { body: string }; actions: QuarantineActionView[] } | null> {
	const [row, actions] = await db.batch<Record<string, unknown>>([
		db.prepare(`SELECT ${COLUMNS}, body FROM quarantine WHERE id = ?`).bind(id),
		db.prepare(QUARANTINE_ACTIONS_SQL).bind(id),
	]);
	const entry = row?.results[0] as (Parameters<typeof view>[0] & { body: string }) | undefined;
	if (!entry) return null;
	return {
		entry: { ...view(entry), body: entry.body },
		actions: (actions?.results ?? []) as unknown as QuarantineActionView[],
	};
}

export type QuarantineOutcome = "stored" | "duplicate" | "still_invalid" | "not_replayable" | "dismissed";

/** Records an action on a quarantine row (and, when it settles the row, its resolution) in one batch. */
export async function recordQuarantineAction(
	db: D1Database,
	id: number,
	action: "replay" | "dismiss",
	outcome: QuarantineOutcome,
	detail: string | null,
	actor: QuarantineActor,
	resolution: "replayed" | "dismissed" | null,
): Promise<void> {
	const now = Date.now();
	const statements = [
		db
			.prepare(
				`INSERT INTO quarantine_actions (quarantine_id, action, outcome, detail, acted_at, request_id, acted_by, sdk_app_id)
				 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT sdk_app_id FROM quarantine WHERE id = ?1))`,
			)
			.bind(id, action, outcome, detail, now, actor.requestId, actor.by),
	];
	if (resolution)
		statements.push(
			db
				.prepare("UPDATE quarantine SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL")
				.bind(now, resolution, id),
		);
	await db.batch(statements);
}
