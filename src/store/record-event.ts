// Writes an after-event: its history rows and the topic change it implies, in one D1 batch (one transaction).
import type { Defer } from "../deadline";
import { eventKeyStem } from "./event-key";
import { type EventFacts, onceIn, type TopicChange } from "./facts";
import { groupCommit } from "./group-commit";

/**
 * How long the callback path waits for the first way of keeping an event (D1, or the queue with
 * `EVENT_WRITES=queue`) before it tries the other.
 */
export const FIRST_WRITE_DEADLINE_MS = 1_200;

/** An accepted after-event, ready to store. */
export interface EventRecord {
	command: string;
	sdkAppId: string;
	facts: EventFacts;
	/** The validated body as JSON. */
	payload: string;
	receivedAt: number;
	/** The delivery's identity (see deliveryKey): null when the URL was not signed. */
	deliveryKey: string | null;
}

/** What a write did: rows added to `events` (0 for a redelivery). */
export interface RecordResult {
	inserted: number;
}

/** At most this many events per `events` insert: each binds its payload, and D1 binds at most 100 values. */
export const EVENTS_PER_STATEMENT = 99;

/**
 * The `events` insert of up to {@link EVENTS_PER_STATEMENT} events: `?1` is a JSON array with one entry per
 * event, `[stem, deliveryId, command, sdkAppId, groupId, operatorAccount, eventTime, receivedAt,
 * topicsTouched, previousStem]`, and the payloads are bound one each (`?2`, `?3`, …), never inside that JSON,
 * so a payload as large as a row may be is never escaped into a larger string. One row per event and topic
 * touched, in order; a row whose key is stored already (a redelivery) is skipped. RETURNING names the rows
 * added, by delivery.
 */
function insertEventsSql(count: number): string {
	const payloads = Array.from({ length: count }, (_, index) => `WHEN ${index} THEN ?${index + 2}`).join(" ");
	const field = (index: number) => `json_extract(e.value, '$[${index}]')`;
	return `
INSERT INTO events (event_key, delivery_id, command, sdk_app_id, group_id, topic_id, operator_account, event_time, received_at, payload)
SELECT ${field(0)} || ':' || coalesce(t.value, ''), ${field(1)}, ${field(2)}, ${field(3)}, ${field(4)}, t.value,
	${field(5)}, ${field(6)}, ${field(7)}, CASE e.key ${payloads} END
FROM json_each(?1) AS e, json_each(e.value, '$[8]') AS t
WHERE ${field(9)} IS NULL
	OR NOT EXISTS (SELECT 1 FROM events AS x WHERE x.event_key = ${field(9)} || ':' || coalesce(t.value, ''))
ORDER BY e.key, t.key
ON CONFLICT (event_key) DO NOTHING
RETURNING delivery_id`;
}

/**
 * The SQL of each `events` insert size, made once. A pure memo (the same count always makes the same text),
 * so it stays a module table, not per-isolate state (src/isolate.ts).
 */
const insertEventsByCount = new Map<number, string>();

// Topic changes apply only when this delivery stored the event row, so a redelivery cannot undo later changes.
// Each statement below takes a JSON array of changes of one kind; `c` is one, `[rowKey, deliveryId, …]`.
const STORED_BY_THIS_DELIVERY =
	"EXISTS (SELECT 1 FROM events WHERE event_key = json_extract(c.value, '$[0]') AND delivery_id = json_extract(c.value, '$[1]'))";

/** Creates: `[rowKey, deliveryId, topicId, groupId, name, ownerAccount, createdBy, at, sdkAppId]`. */
const CREATE_TOPICS = `
INSERT INTO topics (topic_id, group_id, name, owner_account, created_by, created_at, sdk_app_id)
SELECT json_extract(c.value, '$[2]'), json_extract(c.value, '$[3]'), json_extract(c.value, '$[4]'),
	json_extract(c.value, '$[5]'), json_extract(c.value, '$[6]'), json_extract(c.value, '$[7]'),
	json_extract(c.value, '$[8]')
FROM json_each(?1) AS c WHERE ${STORED_BY_THIS_DELIVERY}
ORDER BY c.key
ON CONFLICT (topic_id, sdk_app_id) DO UPDATE SET
	group_id = excluded.group_id,
	-- A profile change seen before its create (out of order) is newer than the create's name.
	name = CASE WHEN topics.updated_at IS NULL THEN coalesce(excluded.name, topics.name) ELSE topics.name END,
	owner_account = coalesce(excluded.owner_account, topics.owner_account),
	created_by = coalesce(excluded.created_by, topics.created_by),
	created_at = excluded.created_at`;

/**
 * Profile changes: `[rowKey, deliveryId, topicId, groupId, name, introduction, notification, faceUrl, at,
 * sdkAppId]`.
 */
const UPDATE_TOPICS = `
INSERT INTO topics (topic_id, group_id, name, introduction, notification, face_url, updated_at, sdk_app_id)
SELECT json_extract(c.value, '$[2]'), json_extract(c.value, '$[3]'), json_extract(c.value, '$[4]'),
	json_extract(c.value, '$[5]'), json_extract(c.value, '$[6]'), json_extract(c.value, '$[7]'),
	json_extract(c.value, '$[8]'), json_extract(c.value, '$[9]')
FROM json_each(?1) AS c WHERE ${STORED_BY_THIS_DELIVERY}
ORDER BY c.key
ON CONFLICT (topic_id, sdk_app_id) DO UPDATE SET
	name = coalesce(excluded.name, topics.name),
	introduction = coalesce(excluded.introduction, topics.introduction),
	notification = coalesce(excluded.notification, topics.notification),
	face_url = coalesce(excluded.face_url, topics.face_url),
	updated_at = excluded.updated_at
WHERE topics.updated_at IS NULL OR topics.updated_at <= excluded.updated_at`;

/** Topic deletions: `[rowKeyPrefix, deliveryId, groupId, at, topicIds, sdkAppId]`, one row per topic. */
const DELETE_TOPICS = `
INSERT INTO topics (topic_id, group_id, deleted_at, sdk_app_id)
SELECT t.value, json_extract(c.value, '$[2]'), json_extract(c.value, '$[3]'), json_extract(c.value, '$[5]')
FROM json_each(?1) AS c, json_each(c.value, '$[4]') AS t
WHERE EXISTS (SELECT 1 FROM events
	WHERE event_key = json_extract(c.value, '$[0]') || t.value AND delivery_id = json_extract(c.value, '$[1]'))
ORDER BY c.key, t.key
ON CONFLICT (topic_id, sdk_app_id) DO UPDATE SET deleted_at = coalesce(topics.deleted_at, excluded.deleted_at)`;

/** A disbanded community: `[rowKey, deliveryId, groupId, at, sdkAppId]`. */
const DELETE_GROUP_TOPICS = `
UPDATE topics SET deleted_at = json_extract(c.value, '$[3]')
FROM json_each(?1) AS c
WHERE topics.group_id = json_extract(c.value, '$[2]') AND topics.sdk_app_id = json_extract(c.value, '$[4]')
	AND topics.deleted_at IS NULL AND ${STORED_BY_THIS_DELIVERY}`;

/** Each kind of topic change, its statement. */
const TOPIC_SQL: Record<TopicChange["kind"], string> = {
	create: CREATE_TOPICS,
	update: UPDATE_TOPICS,
	"delete-topics": DELETE_TOPICS,
	"delete-group": DELETE_GROUP_TOPICS,
};

/**
 * Stores one after-event: an `events` row per topic it touches (one group-level row when none), and the
 * `topics` change, in a single batch. A redelivery adds nothing and changes nothing.
 */
export async function recordEvent(db: D1Database, record: EventRecord): Promise<RecordResult> {
	const [result] = await recordEvents(db, [record]);
	return result ?? { inserted: 0 };
}

/**
 * Stores several after-events in one D1 batch (one transaction: all or none), in the order given, with the
 * same outcome as storing each with {@link recordEvent} in turn: a redelivery adds nothing here either.
 * The statements carry whole runs of events (one `events` insert per {@link EVENTS_PER_STATEMENT}, one
 * statement per run of topic changes of one kind), since each statement costs D1 far more than each row.
 */
export async function recordEvents(db: D1Database, records: readonly EventRecord[]): Promise<RecordResult[]> {
	const rows = await Promise.all(records.map(eventRow));
	const stored = rows.filter((row, index) => !repeatsEarlierWindow(row, rows.slice(0, index)));
	const inserts: D1PreparedStatement[] = [];
	for (let first = 0; first < stored.length; first += EVENTS_PER_STATEMENT)
		inserts.push(insertEvents(db, stored.slice(first, first + EVENTS_PER_STATEMENT)));
	const results = await db.batch([...inserts, ...topicStatements(db, stored)]);
	const added = new Map<string, number>();
	for (const result of results.slice(0, inserts.length))
		for (const { delivery_id } of result.results as { delivery_id: string }[])
			added.set(delivery_id, (added.get(delivery_id) ?? 0) + 1);
	return rows.map((row) => ({ inserted: added.get(row.deliveryId) ?? 0 }));
}

/** An event ready for the statements: its record, its key stems and this delivery's id. */
interface EventRow {
	record: EventRecord;
	stem: string;
	previousStem: string | null;
	deliveryId: string;
}

async function eventRow(record: EventRecord): Promise<EventRow> {
	const { stem, previousStem } = await eventKeyStem(
		record.command,
		record.sdkAppId,
		record.payload,
		record.facts.eventTime,
		record.receivedAt,
		record.deliveryKey,
		onceIn(record.facts),
	);
	return { record, stem, previousStem, deliveryId: crypto.randomUUID() };
}

/**
 * Whether `row` is an event that one of the `earlier` events of its batch already stores from the previous
 * dedupe window. One insert does not see its own rows when it checks that window, so this is decided here.
 */
function repeatsEarlierWindow(row: EventRow, earlier: readonly EventRow[]): boolean {
	return row.previousStem !== null && earlier.some((other) => other.stem === row.previousStem);
}

/** The `events` insert of some events (at most {@link EVENTS_PER_STATEMENT}). */
function insertEvents(db: D1Database, rows: readonly EventRow[]): D1PreparedStatement {
	let sql = insertEventsByCount.get(rows.length);
	if (sql === undefined) {
		sql = insertEventsSql(rows.length);
		insertEventsByCount.set(rows.length, sql);
	}
	const events = rows.map(({ record, stem, previousStem, deliveryId }) => [
		stem,
		deliveryId,
		record.command,
		record.sdkAppId,
		record.facts.groupId,
		record.facts.operatorAccount,
		record.facts.eventTime,
		record.receivedAt,
		record.facts.topicIds.length > 0 ? record.facts.topicIds : [null],
		previousStem,
	]);
	return db.prepare(sql).bind(JSON.stringify(events), ...rows.map(({ record }) => record.payload));
}

/**
 * At most this many events, and payload bytes (counted once per topic row), per grouped D1 batch: a few
 * dozen statements, a transaction that stays short.
 */
export const DIRECT_WRITE_LIMITS = { items: 20, bytes: 1_000_000 };

const recordGrouped = groupCommit<D1Database, EventRecord, RecordResult>(DIRECT_WRITE_LIMITS, recordEvents);

/**
 * Stores an after-event as {@link recordEvent} does, in one D1 batch with the events this isolate is
 * storing meanwhile (group-commit.ts): resolves with this event's result once the batch is written, rejects
 * with the batch's error (every event of a failed batch is then kept another way by its own caller).
 * `defer` (`ctx.waitUntil`) keeps a batch going after its writer's answer.
 */
export function recordEventGrouped(db: D1Database, record: EventRecord, defer: Defer): Promise<RecordResult> {
	const bytes = record.payload.length * Math.max(1, record.facts.topicIds.length);
	return recordGrouped(db, record, bytes, defer);
}

/**
 * The `topics` statements of some events, in their order: one per run of changes of one kind (a disbanded
 * community alone, so the first disband of a community sets its topics' `deleted_at`, as in order).
 */
function topicStatements(db: D1Database, rows: readonly EventRow[]): D1PreparedStatement[] {
	const runs: { kind: TopicChange["kind"]; changes: unknown[][] }[] = [];
	for (const { record, stem, deliveryId } of rows) {
		const change = record.facts.topicChange;
		if (!change) continue;
		const at = record.facts.eventTime ?? record.receivedAt;
		const entry = [...topicChangeEntry(change, stem, deliveryId, at), record.sdkAppId];
		const last = runs.at(-1);
		if (last && last.kind === change.kind && change.kind !== "delete-group") last.changes.push(entry);
		else runs.push({ kind: change.kind, changes: [entry] });
	}
	return runs.map(({ kind, changes }) => db.prepare(TOPIC_SQL[kind]).bind(JSON.stringify(changes)));
}

/**
 * One change as its statement reads it (see the statements above), but for the app, which follows it; each
 * is guarded by this delivery's row.
 */
function topicChangeEntry(change: TopicChange, stem: string, deliveryId: string, at: number): unknown[] {
	const rowKey = (topicId: string | null) => `${stem}:${topicId ?? ""}`;
	switch (change.kind) {
		case "create":
			return [
				rowKey(change.topicId),
				deliveryId,
				change.topicId,
				change.groupId,
				change.name,
				change.ownerAccount,
				change.createdBy,
				at,
			];
		case "update":
			return [
				rowKey(change.topicId),
				deliveryId,
				change.topicId,
				change.groupId,
				change.name ?? null,
				change.introduction ?? null,
				change.notification ?? null,
				change.faceUrl ?? null,
				at,
			];
		case "delete-topics":
			return [rowKey(""), deliveryId, change.groupId, at, change.topicIds];
		case "delete-group":
			return [rowKey(null), deliveryId, change.groupId, at];
	}
}
