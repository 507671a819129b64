// The `topics` table's reads: a topic's state with a page of its history, a search, a community's topics,
// a page of topics for the backtest, and a topic's owner. Writes are in record-event.ts and topic-rename.ts.
import {
	APP_TOPIC_EVENTS_PAGE_SQL,
	type EventView,
	eventPage,
	MAX_PAGE_PAYLOAD_BYTES,
	type PagedEventRow,
	TOPIC_EVENTS_PAGE_SQL,
} from "./events";

/** A `topics` row. */
export interface TopicView {
	/** The app (SdkAppid); '' for a row from before migration 0010 not yet assigned. */
	sdk_app_id: string;
	topic_id: string;
	group_id: string | null;
	name: string | null;
	introduction: string | null;
	notification: string | null;
	face_url: string | null;
	owner_account: string | null;
	created_by: string | null;
	created_at: number | null;
	updated_at: number | null;
	deleted_at: number | null;
}

/** A topic's current state (GET /api/topics/{topicId}), in every app (two rows: the ID is used in two). */
export const TOPIC_STATE_SQL = "SELECT * FROM topics WHERE topic_id = ? ORDER BY sdk_app_id LIMIT 2";

/** A topic's current state in one app (GET /api/topics/{topicId}?app=): ?1 the topic, ?2 the SdkAppid. */
export const APP_TOPIC_STATE_SQL = "SELECT * FROM topics WHERE topic_id = ?1 AND sdk_app_id = ?2";

/** The topics of a community, in every app (GET /api/groups/{groupId}/topics). */
export const GROUP_TOPICS_SQL = "SELECT * FROM topics WHERE group_id = ? ORDER BY topic_id";

/** The topics of a community in one app (GET /api/groups/{groupId}/topics?app=): ?1 the group, ?2 the SdkAppid. */
export const APP_GROUP_TOPICS_SQL =
	"SELECT * FROM topics WHERE group_id = ?1 AND sdk_app_id = ?2 ORDER BY topic_id";

/**
 * A topic's state (null when it has no row) and one page of its events with id > `after` (at most `limit`
 * and MAX_PAGE_PAYLOAD_BYTES of payloads), read together; of the app `sdkAppId`, or of any app when it is
 * undefined. `apps` lists the apps holding a row for the topic when more than one does (and no app was
 * given): the caller then asks which one is meant.
 */
export async function topicWithEvents(
	db: D1Database,
	topicId: string,
	after: number,
	limit: number,
	sdkAppId?: string,
): Promise<{ topic: TopicView | null; items: EventView[]; next: number | null; apps: string[] }> {
	const [state, history] = await db.batch<Record<string, unknown>>([
		...(sdkAppId === undefined
			? [
					db.prepare(TOPIC_STATE_SQL).bind(topicId),
					db.prepare(TOPIC_EVENTS_PAGE_SQL).bind(after, limit, MAX_PAGE_PAYLOAD_BYTES, topicId),
				]
			: [
					db.prepare(APP_TOPIC_STATE_SQL).bind(topicId, sdkAppId),
					db.prepare(APP_TOPIC_EVENTS_PAGE_SQL).bind(after, limit, MAX_PAGE_PAYLOAD_BYTES, topicId, sdkAppId),
				]),
	]);
	const rows = (state?.results ?? []) as unknown as TopicView[];
	const topic = rows[0] ?? null;
	const { items, next } = eventPage((history?.results ?? []) as unknown as PagedEventRow[]);
	return { topic, items, next, apps: rows.length > 1 ? rows.map((row) => row.sdk_app_id) : [] };
}

/**
 * At most `limit` + 1 topics, by topic ID: the one with that exact ID, those of the community with that
 * exact group ID, and those whose name contains `search` (any case; LIKE's wildcards matched literally).
 */
export async function searchTopicRows(
	db: D1Database,
	search: string,
	limit: number,
	sdkAppId?: string,
): Promise<TopicView[]> {
	const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
	const { results } = await db
		.prepare(
			`SELECT * FROM topics WHERE (topic_id = ?1 OR group_id = ?1 OR name LIKE ?2 ESCAPE '\\')
			 AND (?4 IS NULL OR sdk_app_id = ?4) ORDER BY topic_id, sdk_app_id LIMIT ?3`,
		)
		.bind(search, pattern, limit + 1, sdkAppId ?? null)
		.all<TopicView>();
	return results;
}

/** Every topic of a community (of one app, or of any), alive and deleted, by topic ID. */
export async function groupTopics(db: D1Database, groupId: string, sdkAppId?: string): Promise<TopicView[]> {
	const statement =
		sdkAppId === undefined
			? db.prepare(GROUP_TOPICS_SQL).bind(groupId)
			: db.prepare(APP_GROUP_TOPICS_SQL).bind(groupId, sdkAppId);
	const { results } = await statement.all<TopicView>();
	return results;
}

/** A topic as the backtest judges it: its name and texts. */
export interface LiveTopic {
	topic_id: string;
	group_id: string | null;
	name: string | null;
	introduction?: string | null;
	notification?: string | null;
	face_url?: string | null;
	deleted_at: number | null;
}

/** Up to `limit` topics of the app `sdkAppId` with an ID after `after`, by topic ID (the backtest's page). */
export async function topicsAfter(
	db: D1Database,
	sdkAppId: string,
	after: string,
	limit: number,
): Promise<LiveTopic[]> {
	const { results } = await db
		.prepare(
			`SELECT topic_id, group_id, name, introduction, notification, face_url, deleted_at FROM topics
			 WHERE topic_id > ?1 AND sdk_app_id = ?3 ORDER BY topic_id LIMIT ?2`,
		)
		.bind(after, limit, sdkAppId)
		.all<LiveTopic>();
	return results;
}

/** The owner the event history knows for a topic of an app (get_topic reports none), or null. */
export async function topicOwner(db: D1Database, sdkAppId: string, topicId: string): Promise<string | null> {
	const row = await db
		.prepare("SELECT owner_account FROM topics WHERE topic_id = ?1 AND sdk_app_id = ?2")
		.bind(topicId, sdkAppId)
		.first<{ owner_account: string | null }>();
	return row?.owner_account ?? null;
}
