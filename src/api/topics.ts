// GET /api/topics/{topicId} and GET /api/groups/{groupId}/topics: a topic's state and history, a
// community's topics.
import { apiError } from "../http/api-error";
import { jsonResponse } from "../http/envelope";
import { pathSegment, readQuery } from "./query";
import { EVENT_COLUMNS, type EventView, eventView } from "./rows";

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
 * `{"topic": {…current state…}, "events": [every event row of the topic, oldest first]}`; 404 when the topic
 * was never seen. `rawTopicId` is the path segment as sent (percent-encoded: IDs contain `@` and `#`).
 */
export async function getTopic(rawTopicId: string | undefined, url: URL, env: Env): Promise<Response> {
	const topicId = pathSegment("topicId", rawTopicId);
	if (!topicId.ok) return apiError(topicId.problem);
	const query = readQuery(url, {});
	if (!query.ok) return apiError(query.problem);
	const [state, history] = await env.DB.batch<Record<string, unknown>>([
		env.DB.prepare("SELECT * FROM topics WHERE topic_id = ?").bind(topicId.value),
		env.DB.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE topic_id = ? ORDER BY id`).bind(topicId.value),
	]);
	const topic = (state?.results[0] as TopicView | undefined) ?? null;
	const events = ((history?.results ?? []) as (Omit<EventView, "payload"> & { payload: string })[]).map(
		eventView,
	);
	if (!topic && events.length === 0) {
		return apiError({
			status: 404,
			message: "topic not found",
			field: "topicId",
			detail: { topicId: topicId.value },
		});
	}
	return jsonResponse({ topic, events }, 200, NO_STORE);
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
