// GET /api/decisions: the policy's decision log (table `decisions`), paged like the change feed.

import * as v from "valibot";
import { apiError } from "../http/api-error";
import { NO_STORE } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { errorMessage, log } from "../log";
import { type DecisionView, decisionsPage, refusalsByRule } from "../store/decisions";
import { MAX_FEED_LIMIT } from "./events";
import { appParam, configuredApp, flag, optionalWholeNumber, readQuery, text, wholeNumber } from "./query";
import { type ApiRoute, urlOf } from "./route";
import { page } from "./rows";
import { app, next, nullable } from "./shapes";

export type { DecisionView } from "../store/decisions";

/** GET /api/decisions/refusals's query parameters (default: the last 24 hours). */
export const refusalsQuery = {
	since: optionalWholeNumber(0, Number.MAX_SAFE_INTEGER),
	until: optionalWholeNumber(0, Number.MAX_SAFE_INTEGER),
	app: appParam,
};

/** The decision log's query parameters. */
export const decisionsQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	before: wholeNumber(1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
	order: v.optional(v.picklist(["asc", "desc"], "must be asc or desc"), "asc"),
	limit: wholeNumber(1, MAX_FEED_LIMIT, 100),
	since: optionalWholeNumber(0, Number.MAX_SAFE_INTEGER),
	until: optionalWholeNumber(0, Number.MAX_SAFE_INTEGER),
	operator: text(),
	rule: text(),
	allowed: flag,
	app: appParam,
};

/**
 * `{"decisions": […], "next": <id or null>}`: decisions with id > after, oldest first (or, with
 * `order=desc`, id < before, newest first), optionally only those received in [`since`, `until`) (ms), by one
 * `operator`, decided by one `rule`, or only refusals/allowances (`allowed`), or of one SdkAppid (`app`).
 */
export async function listDecisions(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, decisionsQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, before, order, limit, since, until, operator, rule, allowed } = query.value;
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	let rows: DecisionView[];
	try {
		rows = await decisionsPage(
			env.DB,
			{ after, before, order, since, until, operator, rule, allowed, app: app.value },
			limit + 1,
		);
	} catch (error) {
		return missingTable(error);
	}
	const { items: decisions, next } = page(rows, limit);
	return jsonResponse({ decisions, next }, 200, NO_STORE);
}

/** The table comes with the policy engine's migration; say so rather than answer a bare 500. */
function missingTable(error: unknown): Response {
	if (!/no such table/i.test(errorMessage(error))) throw error;
	log("error", "api.decisions_missing", { error: errorMessage(error) });
	return apiError({ status: 503, message: "the decisions table does not exist: apply the D1 migrations" });
}

/**
 * GET /api/decisions/refusals?since=&until= → `{"since", "until", "total", "rules": [{"rule", "count"}]}`:
 * refusals per deciding rule in [since, until) (default: the last 24 hours), most frequent first, for the
 * console's chart. Dry-run refusals count (they are what enforce mode would refuse).
 */
export async function countRefusals(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, refusalsQuery);
	if (!query.ok) return apiError(query.problem);
	const until = query.value.until ?? Date.now();
	const since = query.value.since ?? until - 86_400_000;
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	let rows: { rule: string | null; count: number }[];
	try {
		rows = await refusalsByRule(env.DB, since, until, app.value);
	} catch (error) {
		return missingTable(error);
	}
	const total = rows.reduce((sum, row) => sum + row.count, 0);
	return jsonResponse({ since, until, total, rules: rows }, 200, NO_STORE);
}

/** A decision of the policy (a row of `decisions`). */
const Decision = v.object({
	id: v.number(),
	sdk_app_id: app,
	received_at: v.number(),
	command: v.string(),
	operator_account: v.string(),
	name: v.string(),
	allowed: v.boolean(),
	error_code: v.number(),
	rule: nullable(v.string()),
	policy_version: nullable(v.string()),
	dry_run: v.boolean(),
	source: v.optional(v.string()),
	field: v.optional(
		v.pipe(v.string(), v.description("The field judged: `name` (creations judge names only).")),
	),
});

/** The decision log and the refusals by rule. */
export const decisionRoutes: ApiRoute[] = [
	{
		method: "get",
		path: "/api/decisions",
		summary: "The policy's decision log, paged and filtered",
		tag: "policy",
		query: decisionsQuery,
		responses: {
			200: { description: "One page", schema: v.object({ decisions: v.array(Decision), next }) },
		},
		errors: { 400: "a bad query parameter, named" },
		handler: (request, env) => listDecisions(urlOf(request), env),
	},
	{
		method: "get",
		path: "/api/decisions/refusals",
		summary: "Refusals counted by rule over a time range (default: the last 24 hours)",
		tag: "policy",
		query: refusalsQuery,
		responses: {
			200: {
				description: "Counts by rule in [since, until), most frequent first (at most 100 rules)",
				schema: v.object({
					since: v.pipe(v.number(), v.description("ms")),
					until: v.pipe(v.number(), v.description("ms")),
					total: v.number(),
					rules: v.array(
						v.object({
							rule: v.pipe(
								nullable(v.string()),
								v.description("null for refusals no rule decided (fail mode)."),
							),
							count: v.number(),
						}),
					),
				}),
			},
		},
		errors: { 400: "a bad query parameter, named" },
		handler: (request, env) => countRefusals(urlOf(request), env),
	},
];
