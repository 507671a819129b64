// /api/enforcement: the enforcement ledger (table `enforcement_actions`), paged like the change feed, and the
// moderator's hand on the hourly caps: what is held, and resume or discard.
import * as v from "valibot";
import type { AdminCaller } from "../auth/admin-auth";
import { callbackAuthMode } from "../auth/callback-auth";
import { readConfig } from "../config";
import {
	ACTION_STATUSES,
	actionsAfter,
	discardHeld,
	type HeldSelection,
	heldSummary,
	resumeHeld,
} from "../store/enforcement-actions";

export type { ActionView } from "../store/enforcement-actions";

import type { EnforcementMessage } from "../enforcement/recheck";
import { apiError } from "../http/api-error";
import { NO_STORE, readJsonBody } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { ENFORCEMENT_DEFAULTS, policyLoaders } from "../policy";
import { ok } from "../result";
import { MAX_FEED_LIMIT } from "./events";
import { appParam, configuredApp, type QueryResult, readQuery, text, wholeNumber } from "./query";
import { type ApiRoute, urlOf } from "./route";
import { page } from "./rows";
import { next, nullable } from "./shapes";

const statusMessage = `must be ${ACTION_STATUSES.slice(0, -1).join(", ")} or ${ACTION_STATUSES.at(-1)}`;

/** The ledger's query parameters. */
export const enforcementQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	limit: wholeNumber(1, MAX_FEED_LIMIT, 100),
	status: v.optional(v.picklist(ACTION_STATUSES, statusMessage)),
	topic: text(),
	group: text(),
	app: appParam,
};

/**
 * `{"actions": […], "next": <id or null>}`: ledger rows with id > after, oldest first, optionally only one
 * `status` (pending, held, done, failed, skipped, discarded) or one `topic` (a topic ID) or `group`, or one
 * SdkAppid (`app`).
 */
export async function listActions(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, enforcementQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit, status, topic, group } = query.value;
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const rows = await actionsAfter(env.DB, after, limit + 1, { status, topic, group, app: app.value });
	const { items: actions, next } = page(rows, limit);
	return jsonResponse({ actions, next }, 200, NO_STORE);
}

/** GET /api/enforcement/hold's query: one app's hold and caps (`app`), or every app's hold. */
export const holdQuery = { app: appParam };

/**
 * `GET /api/enforcement/hold` → `{"held", "oldestAt", "caps", "unsigned"}`: how many actions wait past a
 * cap, since when, the live policy's caps, and whether callbacks are accepted unsigned (enforcement then
 * only records). With `?app=` the app's held actions and its policy's caps; without, every app's held
 * actions and the caps of the only app's policy (of the shared policy when there are several).
 */
export async function holdStatus(url: URL, env: Env, ctx: ExecutionContext): Promise<Response> {
	const query = readQuery(url, holdQuery);
	if (!query.ok) return apiError(query.problem);
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const [summary, state] = await Promise.all([
		heldSummary(env.DB, app.value),
		policyLoaders(env).current(env, (work) => ctx.waitUntil(work), app.value),
	]);
	const settings = state.policy?.compiled.enforcement ?? ENFORCEMENT_DEFAULTS;
	return jsonResponse(
		{
			...summary,
			caps: { destroysPerHour: settings.maxDestroysPerHour, renamesPerHour: settings.maxRenamesPerHour },
			unsigned: callbackAuthMode(readConfig(env)) === "unsigned",
		},
		200,
		NO_STORE,
	);
}

/** The body of resume and discard: some held rows by id, or all of them; with `app`, only that app's. */
export const HeldSelectionSchema = v.union(
	[
		v.strictObject({
			ids: v.pipe(
				v.array(v.pipe(v.number(), v.integer(), v.minValue(1)), "must be a list of ledger ids"),
				v.minLength(1, "must name at least one ledger id"),
				v.maxLength(1000, "must name at most 1000 ledger ids"),
			),
			app: appParam,
		}),
		v.strictObject({ all: v.literal(true, 'must be true (or send "ids")'), app: appParam }),
	],
	'must be {"ids": [ledger ids]} or {"all": true}, with "app" optional',
);

/** The held rows a resume or discard names (bounded body; `app` one of this Worker's), or the 4xx problem. */
async function readSelection(request: Request, env: Env): Promise<QueryResult<HeldSelection>> {
	const body = await readJsonBody(request, HeldSelectionSchema, readConfig(env).maxBodyBytes);
	if (!body.ok) return body;
	const app = configuredApp(env, body.value.app);
	return app.ok ? ok(body.value as HeldSelection) : app;
}

/**
 * `POST /api/enforcement/resume` → `{"resumed": n}`: held rows become pending again, exempt from the cap
 * (the moderator decided), and are queued; each is still confirmed with Tencent before anything is done.
 */
export async function resumeActions(request: Request, env: Env, caller: AdminCaller): Promise<Response> {
	const selection = await readSelection(request, env);
	if (!selection.ok) return apiError(selection.problem);
	const ids = await resumeHeld(env.DB, selection.value, caller.name, Date.now());
	const messages = ids.map((actionId) => ({
		body: { kind: "action", actionId } satisfies EnforcementMessage,
		contentType: "json" as const,
	}));
	for (let i = 0; i < messages.length; i += 100)
		await env.ENFORCEMENT_QUEUE.sendBatch(messages.slice(i, i + 100));
	return jsonResponse({ resumed: ids.length }, 200, NO_STORE);
}

/** `POST /api/enforcement/discard` → `{"discarded": n}`: held rows are closed; nothing is ever called for them. */
export async function discardActions(request: Request, env: Env, caller: AdminCaller): Promise<Response> {
	const selection = await readSelection(request, env);
	if (!selection.ok) return apiError(selection.problem);
	const discarded = await discardHeld(env.DB, selection.value, caller.name, Date.now());
	return jsonResponse({ discarded }, 200, NO_STORE);
}

/** The enforcement ledger and the hold. */
export const enforcementRoutes: ApiRoute[] = [
	{
		method: "get",
		path: "/api/enforcement",
		summary: "The enforcement ledger: every action taken or planned on a live name, paged",
		tag: "enforcement",
		query: enforcementQuery,
		responses: {
			200: {
				description: "One page of ledger rows",
				schema: v.object({ actions: v.array(v.record(v.string(), v.unknown())), next }),
			},
		},
		errors: { 400: "a bad query parameter, named" },
		handler: (request, env) => listActions(urlOf(request), env),
	},
	{
		method: "get",
		path: "/api/enforcement/hold",
		summary: "Actions held past an hourly cap, the caps, and whether enforcement only records",
		tag: "enforcement",
		responses: {
			200: {
				description: "The hold",
				schema: v.object({
					held: v.number(),
					oldestAt: nullable(v.number()),
					caps: v.object({ destroysPerHour: v.number(), renamesPerHour: v.number() }),
					unsigned: v.pipe(
						v.boolean(),
						v.description(
							"Callbacks are accepted unsigned: enforcement records what they would make it do and calls nothing for them; a moderator's backtest apply or resume still acts once Tencent confirms.",
						),
					),
				}),
			},
		},
		query: holdQuery,
		errors: { 400: "a bad app, named" },
		handler: (request, env, ctx) => holdStatus(urlOf(request), env, ctx),
	},
	{
		method: "post",
		path: "/api/enforcement/resume",
		summary: "Resume held actions: each is confirmed with Tencent, then carried out regardless of the cap",
		tag: "enforcement",
		body: HeldSelectionSchema,
		responses: {
			200: { description: "How many held actions were resumed", schema: v.object({ resumed: v.number() }) },
		},
		errors: { 400: "a bad body, named" },
		handler: (request, env) => resumeActions(request, env, request.caller),
	},
	{
		method: "post",
		path: "/api/enforcement/discard",
		summary: "Discard held actions: nothing is ever called for them",
		tag: "enforcement",
		body: HeldSelectionSchema,
		responses: {
			200: {
				description: "How many held actions were discarded",
				schema: v.object({ discarded: v.number() }),
			},
		},
		errors: { 400: "a bad body, named" },
		handler: (request, env) => discardActions(request, env, request.caller),
	},
];
