// GET /api/decisions: the policy's decision log (table `decisions`), paged like the change feed.

import * as v from "valibot";
import { apiError } from "../http/api-error";
import { NO_STORE } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { errorMessage, log } from "../log";
import { type DecisionView, decisionsPage, refusalsByRule } from "../store/decisions";
import { MAX_FEED_LIMIT } from "./events";
import { appParam, configuredApp, flag, optionalWholeNumber, readQuery, text, wholeNumber } from "./query";
import { page } from "./rows";

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
