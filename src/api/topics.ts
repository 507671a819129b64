// GET /api/topics/{topicId} and GET /api/groups/{groupId}/topics: a topic's state and history, a
// community's topics.
import { apiError } from "../http/api-error";
import { jsonResponse } from "../http/envelope";
import { MAX_FEED_LIMIT } from "./events";
import { optionalWholeNumber, pathSegment, readQuery, text, wholeNumber } from "./query";
import { EVENT_COLUMNS, type EventView, eventView, page } from "./rows";

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

/** GET /api/topics/{topicId}'s query parameters: its events paged (all of them without `limit`). */
export const topicQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	limit: optionalWholeNumber(1, MAX_FEED_LIMIT),
};

/** GET /api/topics's query parameters. */
export const topicSearchQuery = { search: text(256), limit: wholeNumber(1, 200, 50) };

/**
 * `{"topic": {…current state…}, "events": [the topic's event rows, oldest first], "next"}`; 404 when the
 * topic was never seen. Without `limit`, every event and `next` null; with it, a page of events with id >
 * `after` and the cursor of the next page. `rawTopicId` is the path segment as sent (percent-encoded: IDs
 * contain `@` and `#`).
 */
export async function getTopic(rawTopicId: string | undefined, url: URL, env: Env): Promise<Response> {
	const topicId = pathSegment("topicId", rawTopicId);
	if (!topicId.ok) return apiError(topicId.problem);
	const query = readQuery(url, topicQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit } = query.value;
	const [state, history] = await env.DB.batch<Record<string, unknown>>([
		env.DB.prepare("SELECT * FROM topics WHERE topic_id = ?").bind(topicId.value),
		env.DB.prepare(
			`SELECT ${EVENT_COLUMNS} FROM events WHERE topic_id = ? AND id > ? ORDER BY id LIMIT ?`,
		).bind(topicId.value, after, limit === undefined ? -1 : limit + 1),
	]);
	const topic = (state?.results[0] as TopicView | undefined) ?? null;
	const rows = (history?.results ?? []) as (Omit<EventView, "payload"> & { payload: string })[];
	const { items, next } = limit === undefined ? { items: rows, next: null } : page(rows, limit);
	if (!topic && items.length === 0 && after === 0) {
		return apiError({
			status: 404,
			message: "topic not found",
			field: "topicId",
			detail: { topicId: topicId.value },
		});
	}
	return jsonResponse({ topic, events: items.map(eventView), next }, 200, NO_STORE);
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
	const { results } = await env.DB.prepare("SELECT * FROM topics WHERE group_id = ? ORDER BY topic_id")
		.bind(groupId.value)
		.all<TopicView>();
	return jsonResponse({ groupId: groupId.value, topics: results }, 200, NO_STORE);
}
