// The `topics` table's reads: a topic's state with a page of its history, a search, a community's topics,
// a page of topics for the backtest, and a topic's owner. Writes are in record-event.ts and topic-rename.ts.
import {
	type EventView,
	eventPage,
	MAX_PAGE_PAYLOAD_BYTES,
	type PagedEventRow,
	TOPIC_EVENTS_PAGE_SQL,
} from "./events";

/** A `topics` row. */
export interface TopicView {
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

/** A topic's current state (GET /api/topics/{topicId}). */
export const TOPIC_STATE_SQL = "SELECT * FROM topics WHERE topic_id = ?";

/** The topics of a community (GET /api/groups/{groupId}/topics). */
export const GROUP_TOPICS_SQL = "SELECT * FROM topics WHERE group_id = ? ORDER BY topic_id";

/**
 * A topic's state (null when it has no row) and one page of its events with id > `after` (at most `limit`
 * and MAX_PAGE_PAYLOAD_BYTES of payloads), read together.
 */
export async function topicWithEvents(
	db: D1Database,
	topicId: string,
	after: number,
	limit: number,
): Promise<{ topic: TopicView | null; items: EventView[]; next: number | null }> {
	const [state, history] = await db.batch<Record<string, unknown>>([
		db.prepare(TOPIC_STATE_SQL).bind(topicId),
		db.prepare(TOPIC_EVENTS_PAGE_SQL).bind(after, limit, MAX_PAGE_PAYLOAD_BYTES, topicId),
	]);
	const topic = (state?.results[0] as TopicView | undefined) ?? null;
	const { items, next } = eventPage((history?.results ?? []) as unknown as PagedEventRow[]);
	return { topic, items, next };
}

/**
 * At most `limit` + 1 topics, by topic ID: the one with that exact ID, those of the community with that
 * exact group ID, and those whose name contains `search` (any case; LIKE's wildcards matched literally).
 */
export async function searchTopicRows(db: D1Database, search: string, limit: number): Promise<TopicView[]> {
	const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
	const { results } = await db
		.prepare(
			`SELECT * FROM topics WHERE topic_id = ?1 OR group_id = ?1 OR name LIKE ?2 ESCAPE '\\'
			 ORDER BY topic_id LIMIT ?3`,
		)
		.bind(search, pattern, limit + 1)
		.all<TopicView>();
	return results;
}

/** Every topic of a community, alive and deleted, by topic ID. */
export async function groupTopics(db: D1Database, groupId: string): Promise<TopicView[]> {
	const { results } = await db.prepare(GROUP_TOPICS_SQL).bind(groupId).all<TopicView>();
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

/** Up to `limit` topics with an ID after `after`, by topic ID (the backtest's page). */
export async function topicsAfter(db: D1Database, after: string, limit: number): Promise<LiveTopic[]> {
	const { results } = await db
		.prepare(
			`SELECT topic_id, group_id, name, introduction, notification, face_url, deleted_at FROM topics
			 WHERE topic_id > ?1 ORDER BY topic_id LIMIT ?2`,
		)
		.bind(after, limit)
		.all<LiveTopic>();
	return results;
}

/** The owner the event history knows for a topic (get_topic reports none), or null. */
export async function topicOwner(db: D1Database, topicId: string): Promise<string | null> {
	const row = await db
		.prepare("SELECT owner_account FROM topics WHERE topic_id = ?1")
		.bind(topicId)
		.first<{ owner_account: string | null }>();
	return row?.owner_account ?? null;
}
