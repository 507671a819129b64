// GET /api/events?after={id}&limit={n}: the change feed other systems follow, in `id` order.

import * as v from "valibot";
import { apiError } from "../http/api-error";
import { NO_STORE } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { eventsPage } from "../store/events";
import { appParam, configuredApp, pathSegment, readQuery, wholeNumber } from "./query";
import type { ApiRoute } from "./route";
import { urlOf } from "./route";
import { Event, groupIdParameter, next } from "./shapes";

/** Largest page of the change feed. */
export const MAX_FEED_LIMIT = 1000;

/** The change feed's query parameters (also those of a group's history). */
export const feedQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	limit: wholeNumber(1, MAX_FEED_LIMIT, 100),
	app: appParam,
};

/**
 * `?app=` keeps one SdkAppid's rows (every row carries `sdk_app_id`).
 * `{"events": [rows with id > after, at most limit and about MAX_PAGE_PAYLOAD_BYTES of payloads, in id order], "next": <id to pass as after, or null>}`.
 * `next` is null once the page reaches the newest event; a follower then keeps its last id and asks again
 * later. The cursor is safe because D1 runs writes one at a time: a row is visible only after every row
 * with a smaller id, so nothing can appear behind a cursor (docs/sync.md).
 */
export async function listEvents(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, feedQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit } = query.value;
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const { items, next } = await eventsPage(env.DB, after, limit, undefined, app.value);
	return jsonResponse({ events: items, next }, 200, NO_STORE);
}

/**
 * GET /api/groups/{groupId}/events: a community's whole history (group-level events and every topic's),
 * paged like the feed (rows and bytes): `{"groupId", "events": [id > after, in id order], "next"}`.
 */
export async function listGroupEvents(rawGroupId: string | undefined, url: URL, env: Env): Promise<Response> {
	const groupId = pathSegment("groupId", rawGroupId);
	if (!groupId.ok) return apiError(groupId.problem);
	const query = readQuery(url, feedQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit } = query.value;
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const { items, next } = await eventsPage(env.DB, after, limit, groupId.value, app.value);
	return jsonResponse({ groupId: groupId.value, events: items, next }, 200, NO_STORE);
}

/** The change feed and a community's history. */
export const eventRoutes: ApiRoute[] = [
	{
		method: "get",
		path: "/api/events",
		summary: "The change feed: every stored event in id order, paged",
		tag: "history",
		query: feedQuery,
		responses: {
			200: {
				description: "One page: at most limit rows and 4 MiB of payloads (always at least one row)",
				schema: v.object({ events: v.array(Event), next }),
			},
		},
		errors: { 400: "a bad query parameter, named" },
		handler: (request, env) => listEvents(urlOf(request), env),
	},
	{
		method: "get",
		path: "/api/groups/{groupId}/events",
		summary: "A community's history (group-level and topic events), paged",
		tag: "history",
		pathParameters: groupIdParameter,
		query: feedQuery,
		responses: {
			200: {
				description: "One page",
				schema: v.object({ groupId: v.string(), events: v.array(Event), next }),
			},
		},
		errors: { 400: "a bad groupId or query parameter, named" },
		handler: (request, env) => listGroupEvents(request.params.groupId, urlOf(request), env),
	},
];
