// The decision log: one D1 row per creation decision, written after the answer (never on its path).
import { errorMessage, log } from "../log";
import type { CreationRequest, Verdict } from "./engine/types";

/** One row of the `decisions` table. */
export interface DecisionRow {
	receivedAt: number;
	/** The before-callback's CallbackCommand. */
	command: string;
	request: CreationRequest;
	/** What enforce mode answers: in dry-run, the refusal that was not sent. */
	verdict: Verdict;
	policyVersion: string | null;
	source: string;
}

/** How long the first decision of a batch waits for others to share its D1 write. */
export const DECISION_BATCH_DELAY_MS = 100;
/** Most rows one write carries (each at most ~1 KiB of name; far inside D1's 2 MB per value). */
export const MAX_DECISIONS_PER_WRITE = 200;

// Rows of this isolate waiting for their write, per database (tests pass fault-injecting bindings).
const pending = new Map<D1Database, DecisionRow[]>();

const INSERT_DECISIONS = `
INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, rule,
	policy_version, dry_run, source)
SELECT json_extract(r.value, '$[0]'), json_extract(r.value, '$[1]'), json_extract(r.value, '$[2]'),
	json_extract(r.value, '$[3]'), json_extract(r.value, '$[4]'), json_extract(r.value, '$[5]'),
	json_extract(r.value, '$[6]'), json_extract(r.value, '$[7]'), json_extract(r.value, '$[8]'),
	json_extract(r.value, '$[9]')
FROM json_each(?) AS r ORDER BY r.key`;

/**
 * Logs a decision in `decisions`, off the answer path. Under load one D1 write carries the decisions of
 * up to 100 ms (and at most 200 rows) instead of one write per callback: each write competes with the
 * answers for the isolate's CPU. The write is attached to the request that started the batch via `defer`
 * (`ctx.waitUntil`), so it outlives every answer it carries. Never throws: a failed write is logged.
 */
export function logDecision(db: D1Database, row: DecisionRow, defer: (work: Promise<unknown>) => void): void {
	const rows = pending.get(db);
	if (rows) {
		rows.push(row);
		if (rows.length >= MAX_DECISIONS_PER_WRITE) {
			pending.delete(db);
			defer(writeDecisions(db, rows));
		}
		return;
	}
	const batch = [row];
	pending.set(db, batch);
	defer(
		new Promise((resolve) => setTimeout(resolve, DECISION_BATCH_DELAY_MS)).then(() => {
			if (pending.get(db) === batch) pending.delete(db);
			return writeDecisions(db, batch);
		}),
	);
}

/** Inserts rows into `decisions` with one statement. Never throws: a failed write is logged and forgotten. */
async function writeDecisions(db: D1Database, rows: DecisionRow[]): Promise<void> {
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
		]);
		await db.prepare(INSERT_DECISIONS).bind(JSON.stringify(values)).run();
	} catch (error) {
		log("error", "policy.decision_log_failed", { error: errorMessage(error), rows: rows.length });
	}
}
