// GET /api/topics/{topicId} and GET /api/groups/{groupId}/topics: a topic's state and history, a
// community's topics.
import { apiError } from "../http/api-error";
import { jsonResponse } from "../http/envelope";
import { feedQuery } from "./events";
import { pathSegment, readQuery, text, wholeNumber } from "./query";
import { eventPage, eventPageSql, MAX_PAGE_PAYLOAD_BYTES, type PagedEventRow } from "./rows";

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

const NO_STORE = { "cache-control": "no-store" };

/**
 * GET /api/topics/{topicId}'s query parameters: its events paged like the feed (100 by default, at most
 * 1000, and a byte budget), so a hot topic's history is never read whole.
 */
export const topicQuery = feedQuery;

/** A topic's current state (GET /api/topics/{topicId}). */
export const TOPIC_STATE_SQL = "SELECT * FROM topics WHERE topic_id = ?";

/** One page of a topic's history (GET /api/topics/{topicId}); parameters as eventPageSql, ?4 the topic ID. */
export const TOPIC_EVENTS_PAGE_SQL = eventPageSql("topic_id = ?4 AND ");

/** The topics of a community (GET /api/groups/{groupId}/topics). */
export const GROUP_TOPICS_SQL = "SELECT * FROM topics WHERE group_id = ? ORDER BY topic_id";

/** GET /api/topics's query parameters. */
export const topicSearchQuery = { search: text(256), limit: wholeNumber(1, 200, 50) };

/**
 * `{"topic": {…current state…}, "events": [a page of the topic's event rows, oldest first], "next"}`; 404
 * when the topic was never seen. The page has the events with id > `after` (at most `limit`, 100 by
 * default, and MAX_PAGE_PAYLOAD_BYTES of payloads); `next` is the cursor of the next page, null at the end. `rawTopicId` is the path segment as sent (percent-encoded: IDs
 * contain `@` and `#`).
 */
export async function getTopic(rawTopicId: string | undefined, url: URL, env: Env): Promise<Response> {
	const topicId = pathSegment("topicId", rawTopicId);
	if (!topicId.ok) return apiError(topicId.problem);
	const query = readQuery(url, topicQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit } = query.value;
	const [state, history] = await env.DB.batch<Record<string, unknown>>([
		env.DB.prepare(TOPIC_STATE_SQL).bind(topicId.value),
		env.DB.prepare(TOPIC_EVENTS_PAGE_SQL).bind(after, limit, MAX_PAGE_PAYLOAD_BYTES, topicId.value),
	]);
	const topic = (state?.results[0] as TopicView | undefined) ?? null;
	const { items, next } = eventPage((history?.results ?? []) as unknown as PagedEventRow[]);
	if (!topic && items.length === 0 && after === 0) {
		return apiError({
			status: 404,
			message: "topic not found",
			field: "topicId",
			detail: { topicId: topicId.value },
		});
	}
	return jsonResponse({ topic, events: items, next }, 200, NO_STORE);
}

/**
 * GET /api/topics?search=… → `{"topics": [at most limit topics], "more"}`: the topic with that exact ID, the
 * topics of the community with that exact group ID, and topics whose name contains the text (any case),
 * ordered by topic ID. For finding a topic without knowing its full ID.
 */
export async function searchTopics(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, topicSearchQuery);
	if (!query.ok) return apiError(query.problem);
	const { search, limit } = query.value;
	if (search === undefined) return apiError({ status: 400, message: "search: is required", field: "search" });
	// LIKE's wildcards in the text are matched literally.
	const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
	const { results } = await env.DB.prepare(
		`SELECT * FROM topics WHERE topic_id = ?1 OR group_id = ?1 OR name LIKE ?2 ESCAPE '\\'
		 ORDER BY topic_id LIMIT ?3`,
	)
		.bind(search, pattern, limit + 1)
		.all<TopicView>();
	return jsonResponse({ topics: results.slice(0, limit), more: results.length > limit }, 200, NO_STORE);
}

/** `{"groupId": …, "topics": [every topic of the community, alive and deleted, by topic_id]}`. */
export async function listGroupTopics(rawGroupId: string | undefined, url: URL, env: Env): Promise<Response> {
	const groupId = pathSegment("groupId", rawGroupId);
	if (!groupId.ok) return apiError(groupId.problem);
	const query = readQuery(url, {});
	if (!query.ok) return apiError(query.problem);
	const { results } = await env.DB.prepare(GROUP_TOPICS_SQL).bind(groupId.value).all<TopicView>();
	return jsonResponse({ groupId: groupId.value, topics: results }, 200, NO_STORE);
}
