// GET /api/decisions: the policy's decision log (table `decisions`), paged like the change feed.

import * as v from "valibot";
import { apiError } from "../http/api-error";
import { jsonResponse } from "../http/envelope";
import { errorMessage, log } from "../log";
import { MAX_FEED_LIMIT } from "./events";
import { flag, optionalWholeNumber, readQuery, text, wholeNumber } from "./query";
import { page } from "./rows";

/** A `decisions` row as the API returns it (0/1 columns as booleans). */
export interface DecisionView {
	id: number;
	received_at: number;
	command: string;
	operator_account: string;
	name: string;
	allowed: boolean;
	error_code: number;
	rule: string | null;
	policy_version: string | null;
	dry_run: boolean;
	source?: string;
}

/** GET /api/decisions/refusals's query parameters (default: the last 24 hours). */
export const refusalsQuery = {
	since: optionalWholeNumber(0, Number.MAX_SAFE_INTEGER),
	until: optionalWholeNumber(0, Number.MAX_SAFE_INTEGER),
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
};

/**
 * SQL of one page of the decision log, with the filters asked for. Parameters: ?1 after, ?2 before, ?3
 * since, ?4 until, ?5 operator, ?6 rule, ?7 allowed (0/1), ?8 the row limit (one more than the page).
 */
export function decisionsPageSql(
	order: "asc" | "desc",
	filters: { since?: boolean; until?: boolean; operator?: boolean; rule?: boolean; allowed?: boolean },
): string {
	const conditions = order === "asc" ? ["id > ?1"] : ["id < ?2"];
	if (filters.since) conditions.push("received_at >= ?3");
	if (filters.until) conditions.push("received_at < ?4");
	if (filters.operator) conditions.push("operator_account = ?5");
	if (filters.rule) conditions.push("rule = ?6");
	if (filters.allowed) conditions.push("allowed = ?7");
	return `SELECT * FROM decisions WHERE ${conditions.join(" AND ")} ORDER BY id ${order} LIMIT ?8`;
}

/**
 * `{"decisions": […], "next": <id or null>}`: decisions with id > after, oldest first (or, with
 * `order=desc`, id < before, newest first), optionally only those received in [`since`, `until`) (ms), by one
 * `operator`, decided by one `rule`, or only refusals/allowances (`allowed`).
 */
export async function listDecisions(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, decisionsQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, before, order, limit, since, until, operator, rule, allowed } = query.value;
	const sql = decisionsPageSql(order, {
		since: since !== undefined,
		until: until !== undefined,
		operator: operator !== undefined,
		rule: rule !== undefined,
		allowed: allowed !== undefined,
	});
	let rows: (Omit<DecisionView, "allowed" | "dry_run"> & { allowed: number; dry_run: number })[];
	try {
		({ results: rows } = await env.DB.prepare(sql)
			.bind(
				after,
				before,
				since ?? null,
				until ?? null,
				operator ?? null,
				rule ?? null,
				allowed === undefined ? null : Number(allowed),
				limit + 1,
			)
			.all());
	} catch (error) {
		return missingTable(error);
	}
	const { items, next } = page(rows, limit);
	const decisions = items.map((row) => ({ ...row, allowed: row.allowed === 1, dry_run: row.dry_run === 1 }));
	return jsonResponse({ decisions, next }, 200, { "cache-control": "no-store" });
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
	let rows: { rule: string | null; count: number }[];
	try {
		({ results: rows } = await env.DB.prepare(
			`SELECT rule, COUNT(*) AS count FROM decisions
			 WHERE received_at >= ? AND received_at < ? AND allowed = 0
			 GROUP BY rule ORDER BY count DESC, rule LIMIT 100`,
		)
			.bind(since, until)
			.all());
	} catch (error) {
		return missingTable(error);
	}
	const total = rows.reduce((sum, row) => sum + row.count, 0);
	return jsonResponse({ since, until, total, rules: rows }, 200, { "cache-control": "no-store" });
}
