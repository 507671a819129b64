// The enforcement ledger (D1 table `enforcement_actions`): every refused live name and what was done about
// it. A row's `action_key` makes recording idempotent: a redelivered after-event finds its row, and a row
// that is `done`, `failed` or `skipped` is never carried out again.
import type { Plan } from "./plan";

/** A ledger row as stored. */
export interface ActionRow {
	id: number;
	action_key: string;
	sdk_app_id: string;
	target: "topic" | "group";
	group_id: string;
	topic_id: string | null;
	trigger: string;
	operator_account: string | null;
	rule: string | null;
	old_name: string;
	new_name: string | null;
	action: Plan["action"];
	status: "pending" | "done" | "failed" | "skipped";
	reason: string | null;
	attempts: number;
	error_code: number | null;
	error_info: string | null;
	policy_version: string | null;
	claimed_until: number | null;
	created_at: number;
	updated_at: number;
}

/** What is known of a refused name when it is recorded. */
export interface NewAction {
	key: string;
	/** A second key that also counts as "already recorded" (the previous dedupe window of an event). */
	previousKey: string | null;
	sdkAppId: string;
	target: "topic" | "group";
	groupId: string;
	topicId: string | null;
	trigger: string;
	operatorAccount: string | null;
	oldName: string;
	policyVersion: string | null;
	plan: Plan;
	at: number;
}

const INSERT = `
INSERT INTO enforcement_actions (action_key, sdk_app_id, target, group_id, topic_id, trigger, operator_account,
	rule, old_name, new_name, action, status, reason, policy_version, created_at, updated_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15
WHERE ?16 IS NULL OR NOT EXISTS (SELECT 1 FROM enforcement_actions WHERE action_key = ?16)
ON CONFLICT (action_key) DO NOTHING`;

/**
 * Records a refused name, once: returns the row now under its key (the one just added, or the one an
 * earlier delivery added; null when the previous key holds it) and whether this call added it.
 */
export async function recordAction(
	db: D1Database,
	action: NewAction,
): Promise<{ row: ActionRow | null; inserted: boolean }> {
	const { plan } = action;
	const [insert, found] = await db.batch<ActionRow>([
		db
			.prepare(INSERT)
			.bind(
				action.key,
				action.sdkAppId,
				action.target,
				action.groupId,
				action.topicId,
				action.trigger,
				action.operatorAccount,
				plan.rule,
				action.oldName,
				plan.newName,
				plan.action,
				plan.status,
				plan.reason,
				action.policyVersion,
				action.at,
				action.previousKey,
			),
		db.prepare("SELECT * FROM enforcement_actions WHERE action_key = ?1").bind(action.key),
	]);
	return { row: found?.results[0] ?? null, inserted: (insert?.meta.changes ?? 0) > 0 };
}

/** How long a consumer may hold a row while it calls Tencent; a crashed holder's claim lapses after it. */
export const CLAIM_MS = 60_000;

/**
 * Takes a pending row for one attempt (counting it), or null when the row is not pending or another
 * consumer holds it. Only the holder calls Tencent, so two deliveries cannot both act.
 */
export async function claimAction(db: D1Database, id: number, now: number): Promise<ActionRow | null> {
	return db
		.prepare(
			`UPDATE enforcement_actions SET attempts = attempts + 1, claimed_until = ?2, updated_at = ?3
			 WHERE id = ?1 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?3) RETURNING *`,
		)
		.bind(id, now + CLAIM_MS, now)
		.first<ActionRow>();
}

/** The outcome of an attempt: final (`done`/`failed`), or `pending` again to be retried. */
export interface AttemptOutcome {
	status: "done" | "failed" | "pending";
	errorCode: number | null;
	errorInfo: string | null;
	reason: string | null;
}

/** Writes an attempt's outcome and releases the claim. */
export async function finishAttempt(
	db: D1Database,
	id: number,
	outcome: AttemptOutcome,
	now: number,
): Promise<void> {
	await db
		.prepare(
			`UPDATE enforcement_actions SET status = ?2, error_code = ?3, error_info = ?4,
			 reason = coalesce(?5, reason), claimed_until = NULL, updated_at = ?6 WHERE id = ?1`,
		)
		.bind(id, outcome.status, outcome.errorCode, outcome.errorInfo, outcome.reason, now)
		.run();
}

/** A row by id, or null. */
export function actionById(db: D1Database, id: number): Promise<ActionRow | null> {
	return db.prepare("SELECT * FROM enforcement_actions WHERE id = ?1").bind(id).first<ActionRow>();
}

/** Earlier names of a topic (or of a group, for `topicId` null) in the event history, newest first. */
export async function nameHistory(
	db: D1Database,
	groupId: string,
	topicId: string | null,
): Promise<string[]> {
	const statement =
		topicId === null
			? db
					.prepare(
						`SELECT json_extract(payload, '$.Name') AS name FROM events
						 WHERE group_id = ?1 AND topic_id IS NULL
						 AND command IN ('Group.CallbackAfterCreateGroup', 'Group.CallbackAfterGroupInfoChanged')
						 AND json_extract(payload, '$.Name') IS NOT NULL ORDER BY id DESC LIMIT 100`,
					)
					.bind(groupId)
			: db
					.prepare(
						`SELECT json_extract(payload, '$.Name') AS name FROM events
						 WHERE topic_id = ?1
						 AND command IN ('Group.CallbackAfterCreateTopic', 'Group.CallbackAfterTopicInfoChanged')
						 AND json_extract(payload, '$.Name') IS NOT NULL ORDER BY id DESC LIMIT 100`,
					)
					.bind(topicId);
	const { results } = await statement.all<{ name: unknown }>();
	return results.map((row) => row.name).filter((name): name is string => typeof name === "string");
}
