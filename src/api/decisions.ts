// GET /api/decisions: the policy's decision log (table `decisions`), paged like the change feed.
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

/** The decision log's query parameters. */
export const decisionsQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	limit: wholeNumber(1, MAX_FEED_LIMIT, 100),
	since: optionalWholeNumber(0, Number.MAX_SAFE_INTEGER),
	operator: text(),
	allowed: flag,
};

/**
 * `{"decisions": […], "next": <id or null>}`: decisions with id > after, oldest first, optionally only
 * those received at or after `since` (ms), by one `operator`, or only refusals/allowances (`allowed`).
 */
export async function listDecisions(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, decisionsQuery);
	if (!query.ok) return query.response;
	const { after, limit, since, operator, allowed } = query.value;
	const conditions = ["id > ?1"];
	if (since !== undefined) conditions.push("received_at >= ?2");
	if (operator !== undefined) conditions.push("operator_account = ?3");
	if (allowed !== undefined) conditions.push("allowed = ?4");
	const sql = `SELECT * FROM decisions WHERE ${conditions.join(" AND ")} ORDER BY id LIMIT ?5`;
	let rows: (Omit<DecisionView, "allowed" | "dry_run"> & { allowed: number; dry_run: number })[];
	try {
		({ results: rows } = await env.DB.prepare(sql)
			.bind(after, since ?? null, operator ?? null, allowed === undefined ? null : Number(allowed), limit + 1)
			.all());
	} catch (error) {
		// The table comes with the policy engine's migration; say so rather than answer a bare 500.
		if (!/no such table/i.test(errorMessage(error))) throw error;
		log("error", "api.decisions_missing", { error: errorMessage(error) });
		return jsonResponse({ error: "the decisions table does not exist: apply the D1 migrations" }, 503);
	}
	const { items, next } = page(rows, limit);
	const decisions = items.map((row) => ({ ...row, allowed: row.allowed === 1, dry_run: row.dry_run === 1 }));
	return jsonResponse({ decisions, next }, 200, { "cache-control": "no-store" });
}
