// GET /api/topics/{topicId} and GET /api/groups/{groupId}/topics: a topic's state and history, a
// community's topics.

import * as v from "valibot";
import { apiError } from "../http/api-error";
import { NO_STORE } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { groupTopics, searchTopicRows, topicWithEvents } from "../store/topics";
import { feedQuery } from "./events";
import { appParam, configuredApp, pathSegment, readQuery, text, wholeNumber } from "./query";
import { type ApiRoute, urlOf } from "./route";
import { app, Event, groupIdParameter, next, nullable } from "./shapes";

/**
 * GET /api/topics/{topicId}'s query parameters: its events paged like the feed (100 by default, at most
 * 1000, and a byte budget), so a hot topic's history is never read whole.
 */
export const topicQuery = feedQuery;

/** GET /api/topics's query parameters. */
export const topicSearchQuery = { search: text(256), limit: wholeNumber(1, 200, 50), app: appParam };

/** GET /api/groups/{groupId}/topics's query parameters. */
export const groupTopicsQuery = { app: appParam };

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
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const { topic, items, next, apps } = await topicWithEvents(env.DB, topicId.value, after, limit, app.value);
	if (apps.length > 1)
		return apiError({
			status: 409,
			message: `app: the topic ID is used in several apps (${apps.join(", ")}): name one with ?app=`,
			field: "app",
			detail: { topicId: topicId.value, apps },
		});
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
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const results = await searchTopicRows(env.DB, search, limit, app.value);
	return jsonResponse({ topics: results.slice(0, limit), more: results.length > limit }, 200, NO_STORE);
}

/** `{"groupId": …, "topics": [every topic of the community, alive and deleted, by topic_id]}`. */
export async function listGroupTopics(rawGroupId: string | undefined, url: URL, env: Env): Promise<Response> {
	const groupId = pathSegment("groupId", rawGroupId);
	if (!groupId.ok) return apiError(groupId.problem);
	const query = readQuery(url, groupTopicsQuery);
	if (!query.ok) return apiError(query.problem);
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const results = await groupTopics(env.DB, groupId.value, app.value);
	return jsonResponse({ groupId: groupId.value, topics: results }, 200, NO_STORE);
}

/** A topic's current state (a row of `topics`). */
const Topic = v.object({
	sdk_app_id: app,
	topic_id: v.string(),
	group_id: nullable(v.string()),
	name: nullable(v.string()),
	introduction: nullable(v.string()),
	notification: nullable(v.string()),
	face_url: nullable(v.string()),
	owner_account: nullable(v.string()),
	created_by: nullable(v.string()),
	created_at: nullable(v.number()),
	updated_at: nullable(v.number()),
	deleted_at: v.pipe(nullable(v.number()), v.description("null while the topic is alive.")),
});

/** A topic with its history, the topic search, a community's topics. */
export const topicRoutes: ApiRoute[] = [
	{
		method: "get",
		path: "/api/topics/{topicId}",
		summary: "A topic's current state and one page of its history",
		tag: "history",
		pathParameters: { topicId: "The TopicId, percent-encoded." },
		query: topicQuery,
		responses: {
			200: {
				description: "State and one page of events (at most limit and 4 MiB of payloads); next is the cursor",
				schema: v.object({ topic: nullable(Topic), events: v.array(Event), next }),
			},
		},
		errors: {
			400: "a bad topicId or query parameter",
			404: "never seen",
			409: "the topic ID is used in several apps: name one with ?app=",
		},
		handler: (request, env) => getTopic(request.params.topicId, urlOf(request), env),
	},
	{
		method: "get",
		path: "/api/topics",
		summary: "Topics whose id, group or name matches a search text",
		tag: "history",
		query: topicSearchQuery,
		responses: {
			200: {
				description: "Matching topics",
				schema: v.object({
					topics: v.array(Topic),
					more: v.pipe(v.boolean(), v.description("More topics match than `limit`.")),
				}),
			},
		},
		errors: { 400: "search missing, or a bad query parameter" },
		handler: (request, env) => searchTopics(urlOf(request), env),
	},
	{
		method: "get",
		path: "/api/groups/{groupId}/topics",
		summary: "A community's topics, alive and deleted",
		tag: "history",
		pathParameters: groupIdParameter,
		query: groupTopicsQuery,
		responses: {
			200: { description: "Its topics", schema: v.object({ groupId: v.string(), topics: v.array(Topic) }) },
		},
		errors: { 400: "a bad groupId" },
		handler: (request, env) => listGroupTopics(request.params.groupId, urlOf(request), env),
	},
];
