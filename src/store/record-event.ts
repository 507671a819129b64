// Writes an after-event: its history rows and the topic change it implies, in one D1 batch (one transaction).
import type { Defer } from "../deadline";
import { eventKeyStem } from "./event-key";
import type { EventFacts, TopicChange } from "./facts";
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

const INSERT_EVENTS = `
INSERT INTO events (event_key, delivery_id, command, sdk_app_id, group_id, topic_id, operator_account, event_time, received_at, payload)
SELECT ?1 || ':' || coalesce(t.value, ''), ?2, ?3, ?4, ?5, t.value, ?6, ?7, ?8, ?9
FROM json_each(?10) AS t
WHERE ?11 IS NULL OR NOT EXISTS (SELECT 1 FROM events AS e WHERE e.event_key = ?11 || ':' || coalesce(t.value, ''))
ORDER BY t.key
ON CONFLICT (event_key) DO NOTHING`;

// Topic changes apply only when this delivery stored the event row, so a redelivery cannot undo later changes.
const STORED_BY_THIS_DELIVERY = "EXISTS (SELECT 1 FROM events WHERE event_key = ?1 AND delivery_id = ?2)";

const CREATE_TOPIC = `
INSERT INTO topics (topic_id, group_id, name, owner_account, created_by, created_at)
SELECT ?3, ?4, ?5, ?6, ?7, ?8 WHERE ${STORED_BY_THIS_DELIVERY}
ON CONFLICT (topic_id) DO UPDATE SET
	group_id = excluded.group_id,
	-- A profile change seen before its create (out of order) is newer than the create's name.
	name = CASE WHEN topics.updated_at IS NULL THEN coalesce(excluded.name, topics.name) ELSE topics.name END,
	owner_account = coalesce(excluded.owner_account, topics.owner_account),
	created_by = coalesce(excluded.created_by, topics.created_by),
	created_at = excluded.created_at`;

const UPDATE_TOPIC = `
INSERT INTO topics (topic_id, group_id, name, introduction, notification, face_url, updated_at)
SELECT ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE ${STORED_BY_THIS_DELIVERY}
ON CONFLICT (topic_id) DO UPDATE SET
	name = coalesce(excluded.name, topics.name),
	introduction = coalesce(excluded.introduction, topics.introduction),
	notification = coalesce(excluded.notification, topics.notification),
	face_url = coalesce(excluded.face_url, topics.face_url),
	updated_at = excluded.updated_at
WHERE topics.updated_at IS NULL OR topics.updated_at <= excluded.updated_at`;

const DELETE_TOPICS = `
INSERT INTO topics (topic_id, group_id, deleted_at)
SELECT t.value, ?3, ?4 FROM json_each(?5) AS t
WHERE EXISTS (SELECT 1 FROM events WHERE event_key = ?1 || t.value AND delivery_id = ?2)
ON CONFLICT (topic_id) DO UPDATE SET deleted_at = coalesce(topics.deleted_at, excluded.deleted_at)`;

const DELETE_GROUP_TOPICS = `
UPDATE topics SET deleted_at = ?4
WHERE group_id = ?3 AND deleted_at IS NULL AND ${STORED_BY_THIS_DELIVERY}`;

/**
 * Stores one after-event: an `events` row per topic it touches (one group-level row when none), and the
 * `topics` change, in a single batch. A redelivery adds nothing and changes nothing.
 */
export async function recordEvent(db: D1Database, record: EventRecord): Promise<RecordResult> {
	const [result] = await recordEvents(db, [record]);
	return result ?? { inserted: 0 };
}

/**
 * Stores several after-events in one D1 batch (one transaction: all or none), in the order given; each
 * event's statements are exactly those of {@link recordEvent}, so a redelivery adds nothing here either.
 * The queue consumer's write: one round trip for a whole batch of messages.
 */
export async function recordEvents(db: D1Database, records: readonly EventRecord[]): Promise<RecordResult[]> {
	const groups = await Promise.all(records.map((record) => eventStatements(db, record)));
	const results = await db.batch(groups.flat());
	let first = 0;
	return groups.map((statements) => {
		const inserted = results[first]?.meta.changes ?? 0;
		first += statements.length;
		return { inserted };
	});
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

/** The statements of one event: the `events` insert first, then its `topics` change. */
async function eventStatements(db: D1Database, record: EventRecord): Promise<D1PreparedStatement[]> {
	const { facts } = record;
	const { stem, previousStem } = await eventKeyStem(
		record.command,
		record.sdkAppId,
		record.payload,
		facts.eventTime,
		record.receivedAt,
		record.deliveryKey,
	);
	const deliveryId = crypto.randomUUID();
	const at = facts.eventTime ?? record.receivedAt;
	const topicsTouched = facts.topicIds.length > 0 ? facts.topicIds : [null];
	return [
		db
			.prepare(INSERT_EVENTS)
			.bind(
				stem,
				deliveryId,
				record.command,
				record.sdkAppId,
				facts.groupId,
				facts.operatorAccount,
				facts.eventTime,
				record.receivedAt,
				record.payload,
				JSON.stringify(topicsTouched),
				previousStem,
			),
		...topicStatements(db, facts.topicChange, stem, deliveryId, at),
	];
}

/** The `topics` statements for a change; each is guarded by the event row this delivery stored. */
function topicStatements(
	db: D1Database,
	change: TopicChange | null,
	stem: string,
	deliveryId: string,
	at: number,
): D1PreparedStatement[] {
	if (!change) return [];
	const rowKey = (topicId: string | null) => `${stem}:${topicId ?? ""}`;
	switch (change.kind) {
		case "create":
			return [
				db
					.prepare(CREATE_TOPIC)
					.bind(
						rowKey(change.topicId),
						deliveryId,
						change.topicId,
						change.groupId,
						change.name,
						change.ownerAccount,
						change.createdBy,
						at,
					),
			];
		case "update":
			return [
				db
					.prepare(UPDATE_TOPIC)
					.bind(
						rowKey(change.topicId),
						deliveryId,
						change.topicId,
						change.groupId,
						change.name ?? null,
						change.introduction ?? null,
						change.notification ?? null,
						change.faceUrl ?? null,
						at,
					),
			];
		case "delete-topics":
			return [
				db
					.prepare(DELETE_TOPICS)
					.bind(rowKey(""), deliveryId, change.groupId, at, JSON.stringify(change.topicIds)),
			];
		case "delete-group":
			return [db.prepare(DELETE_GROUP_TOPICS).bind(rowKey(null), deliveryId, change.groupId, at)];
	}
}
