// The `decisions` table: one row per creation decision, written after the answer (never on its path) and
// grouped (group-commit.ts), and its reads: a page of the log and the refusals per rule.
import { errorMessage, log } from "../log";
import { groupCommit } from "./group-commit";

/** The request and verdict of a decision, as the policy gives them. */
export interface DecisionRow {
	receivedAt: number;
	/** The callback URL's SdkAppid. */
	sdkAppId: string;
	/** The before-callback's CallbackCommand. */
	command: string;
	request: { operatorAccount: string; name: string };
	/** What enforce mode answers: in dry-run, the refusal that was not sent. */
	verdict: { allowed: boolean; errorCode: number; rule: string | null; dryRun: boolean };
	policyVersion: string | null;
	source: string;
}

/** How long the first decision of a group waits for others to share its D1 write. */
export const DECISION_BATCH_DELAY_MS = 100;
/** Most rows one write carries (each at most ~1 KiB of name; far inside D1's 2 MB per value). */
export const MAX_DECISIONS_PER_WRITE = 200;

const INSERT_DECISIONS = `
INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, rule,
	policy_version, dry_run, source, sdk_app_id)
SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), json_extract(r.value, '$[2]'),
	json_extract(r.value, '$[3]'), json_extract(r.value, '$[4]'), json_extract(r.value, '$[5]'),
	json_extract(r.value, '$[6]'), json_extract(r.value, '$[7]'), json_extract(r.value, '$[8]'),
	json_extract(r.value, '$[9]'), json_extract(r.value, '$[10]')
FROM json_each(?) AS r ORDER BY r.key`;

/** Inserts rows into `decisions` with one statement. Never throws: a failed write is logged and forgotten. */
async function writeDecisions(db: D1Database, rows: DecisionRow[]): Promise<undefined[]> {
	try {
		const values = rows.map((row) => [
			row.receivedAt,
			row.command,
			row.request.operatorAccount,
			row.request.name,
			row.verdict.allowed ? 1 : 0,
			row.verdict.errorCode,
			row.verdict.rule,
			row.policyVersion,
			row.verdict.dryRun ? 1 : 0,
			row.source,
			row.sdkAppId,
		]);
		await db.prepare(INSERT_DECISIONS).bind(JSON.stringify(values)).run();
	} catch (error) {
		log("error", "policy.decision_log_failed", { error: errorMessage(error), rows: rows.length });
	}
	return rows.map(() => undefined);
}

const writeGrouped = groupCommit<D1Database, DecisionRow, undefined>(
	{ items: MAX_DECISIONS_PER_WRITE, bytes: Number.POSITIVE_INFINITY, gatherMs: DECISION_BATCH_DELAY_MS },
	writeDecisions,
);

/**
 * Logs a decision in `decisions`, off the answer path. Under load one D1 write carries the decisions of
 * up to 100 ms (and at most 200 rows) instead of one write per callback: each write competes with the
 * answers for the isolate's CPU. The write is attached to the request that started the group via `defer`
 * (`ctx.waitUntil`), so it outlives every answer it carries. Never throws: a failed write is logged.
 */
export function logDecision(db: D1Database, row: DecisionRow, defer: (work: Promise<unknown>) => void): void {
	void writeGrouped(db, row, 1, defer);
}

/** A `decisions` row as the API returns it (0/1 columns as booleans). */
export interface DecisionView {
	id: number;
	/** The app; '' for a row from before migration 0010 not yet assigned. */
	sdk_app_id: string;
	received_at: number;
	command: string;
	operator_account: string;
	name: string;
	allowed: boolean;
	error_code: number;
	rule: string | null;
	policy_version: string | null;
	dry_run: boolean;
	/** The field judged: `name` (creations judge names only). */
	field: string;
	source?: string;
}

/**
 * SQL of one page of the decision log, with the filters asked for. Parameters: ?1 after, ?2 before, ?3
 * since, ?4 until, ?5 operator, ?6 rule, ?7 allowed (0/1), ?8 the row limit (one more than the page), ?9
 * the app.
 */
export function decisionsPageSql(
	order: "asc" | "desc",
	filters: {
		since?: boolean;
		until?: boolean;
		operator?: boolean;
		rule?: boolean;
		allowed?: boolean;
		app?: boolean;
	},
): string {
	const conditions = order === "asc" ? ["id > ?1"] : ["id < ?2"];
	if (filters.app) conditions.unshift("sdk_app_id = ?9");
	if (filters.since) conditions.push("received_at >= ?3");
	if (filters.until) conditions.push("received_at < ?4");
	if (filters.operator) conditions.push("operator_account = ?5");
	if (filters.rule) conditions.push("rule = ?6");
	if (filters.allowed) conditions.push("allowed = ?7");
	return `SELECT * FROM decisions WHERE ${conditions.join(" AND ")} ORDER BY id ${order} LIMIT ?8`;
}

/** The filters of a page of the decision log; undefined ones do not filter. */
export interface DecisionFilters {
	after: number;
	before: number;
	order: "asc" | "desc";
	since?: number | undefined;
	until?: number | undefined;
	operator?: string | undefined;
	rule?: string | undefined;
	allowed?: boolean | undefined;
	app?: string | undefined;
}

/** Up to `limit` decisions matching `filters` (see {@link decisionsPageSql}), 0/1 columns as booleans. */
export async function decisionsPage(
	db: D1Database,
	filters: DecisionFilters,
	limit: number,
): Promise<DecisionView[]> {
	const { after, before, order, since, until, operator, rule, allowed, app } = filters;
	const sql = decisionsPageSql(order, {
		since: since !== undefined,
		until: until !== undefined,
		operator: operator !== undefined,
		rule: rule !== undefined,
		allowed: allowed !== undefined,
		app: app !== undefined,
	});
	const { results } = await db
		.prepare(sql)
		.bind(
			after,
			before,
			since ?? null,
			until ?? null,
			operator ?? null,
			rule ?? null,
			allowed === undefined ? null : Number(allowed),
			limit,
			...(app === undefined ? [] : [app]),
		)
		.all<Omit<DecisionView, "allowed" | "dry_run"> & { allowed: number; dry_run: number }>();
	return results.map((row) => ({ ...row, allowed: row.allowed === 1, dry_run: row.dry_run === 1 }));
}

/**
 * Refusals per deciding rule received in [since, until) (of one app, or of all), most frequent first, at
 * most 100 rules.
 */
export async function refusalsByRule(
	db: D1Database,
	since: number,
	until: number,
	sdkAppId?: string,
): Promise<{ rule: string | null; count: number }[]> {
	const { results } = await db
		.prepare(
			`SELECT rule, COUNT(*) AS count FROM decisions
			 WHERE received_at >= ?1 AND received_at < ?2 AND allowed = 0 AND (?3 IS NULL OR sdk_app_id = ?3)
			 GROUP BY rule ORDER BY count DESC, rule LIMIT 100`,
		)
		.bind(since, until, sdkAppId ?? null)
		.all<{ rule: string | null; count: number }>();
	return results;
}
