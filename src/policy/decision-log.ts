// The decision log: one D1 row per creation decision, written after the answer (never on its path).
import { errorMessage, log } from "../log";
import type { CreationKind, CreationRequest, Verdict } from "./evaluate";

/** The CallbackCommand of each kind of creation. */
export const CREATION_COMMANDS: Record<CreationKind, string> = {
	topic: "Group.CallbackBeforeCreateTopic",
	group: "Group.CallbackBeforeCreateGroup",
};

/** One row of the `decisions` table. */
export interface DecisionRow {
	receivedAt: number;
	kind: CreationKind;
	request: CreationRequest;
	/** What enforce mode answers: in dry-run, the refusal that was not sent. */
	verdict: Verdict;
	policyVersion: string | null;
	source: string;
}

/** Inserts a decision into `decisions`. Never throws: a failed write is logged and forgotten. */
export async function logDecision(db: D1Database, row: DecisionRow): Promise<void> {
	try {
		await db
			.prepare(
				`INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, rule,
				 policy_version, dry_run, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			)
			.bind(
				row.receivedAt,
				CREATION_COMMANDS[row.kind],
				row.request.operatorAccount,
				row.request.name,
				row.verdict.allowed ? 1 : 0,
				row.verdict.errorCode,
				row.verdict.rule,
				row.policyVersion,
				row.verdict.dryRun ? 1 : 0,
				row.source,
			)
			.run();
	} catch (error) {
		log("error", "policy.decision_log_failed", { error: errorMessage(error) });
	}
}
