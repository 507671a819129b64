// The enforcement ledger (D1 table `enforcement_actions`): every refused live name or text and what was done
// about it. A row's `action_key` makes recording idempotent: a redelivered after-event finds its row, and a
// row that is `done`, `failed`, `skipped` or `discarded` is never carried out again. A row past the hourly
// cap waits as `held` until a moderator resumes or discards it.

/** Which field of a profile a row is about (the policy's JudgedField; the store sits below the policy). */
export type ActionField = "name" | "introduction" | "notification" | "face_url";

/** What the ledger records and the consumer carries out. */
export interface Plan {
	action: "log" | "revert" | "rename" | "destroy" | "clear";
	/** The name (or text) revert/rename/clear sets; null for log and destroy. */
	newName: string | null;
	/** `pending` is carried out; `skipped` is only recorded, with the reason. */
	status: "pending" | "skipped";
	reason: string | null;
	rule: string | null;
}

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
	/** Which field was judged: name, introduction, notification or face_url (old_name/new_name hold its values). */
	field: ActionField;
	old_name: string;
	new_name: string | null;
	action: Plan["action"];
	status: ActionStatus;
	reason: string | null;
	attempts: number;
	error_code: number | null;
	error_info: string | null;
	policy_version: string | null;
	claimed_until: number | null;
	created_at: number;
	updated_at: number;
	/** "callback", the console session's name, or "api token". */
	requested_by: string | null;
	/** The name Tencent reported just before the action was taken or skipped. */
	confirmed_name: string | null;
	/** JSON of the state a destroy removed (name, introduction, notification, faceUrl, owner, customData). */
	last_state: string | null;
	/** When the REST call was made (ms): counts toward the hourly cap. */
	acted_at: number | null;
	/** 1 once a moderator resumed the row: the cap no longer holds it. */
	cap_exempt: number;
}

/** Every status a ledger row can have. */
export const ACTION_STATUSES = ["pending", "held", "done", "failed", "skipped", "discarded"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

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
	/** Which field was refused; absent: the name. */
	field?: ActionField;
	oldName: string;
	policyVersion: string | null;
	/** Who asked: "callback" for an after-event, else the admin caller's name. */
	requestedBy: string;
	plan: Plan;
	at: number;
}

const INSERT = `
INSERT INTO enforcement_actions (action_key, sdk_app_id, target, group_id, topic_id, trigger, operator_account,
	rule, old_name, new_name, action, status, reason, policy_version, created_at, updated_at, requested_by, field)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?17, ?18
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
				action.requestedBy,
				action.field ?? "name",
			),
		db.prepare("SELECT * FROM enforcement_actions WHERE action_key = ?1").bind(action.key),
	]);
	return { row: found?.results[0] ?? null, inserted: (insert?.meta.changes ?? 0) > 0 };
}

/** How long a consumer may hold a row while it calls Tencent; a crashed holder's claim lapses after it. */
export const CLAIM_MS = 60_000;
/** The window of the caps: actions taken in the last hour count. */
export const CAP_WINDOW_MS = 3_600_000;

/** The hourly caps of one SdkAppid: destroys, and renames and reverts together. */
export interface Caps {
	maxDestroysPerHour: number;
	maxRenamesPerHour: number;
}

// The row may act when it is a moderator's resumed action or its kind (destroy, or rename and revert) has
// taken fewer actions in the last hour, for its SdkAppid, than the cap. The count and the claim are one
// statement, so two consumers cannot both take the last slot.
const CLAIM = `
UPDATE enforcement_actions SET attempts = attempts + 1, claimed_until = ?2, updated_at = ?3, acted_at = ?3
WHERE id = ?1 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?3)
	AND (cap_exempt = 1 OR (
		SELECT count(*) FROM enforcement_actions AS other
		WHERE other.sdk_app_id = enforcement_actions.sdk_app_id AND other.acted_at > ?3 - ${CAP_WINDOW_MS}
			AND (other.action = 'destroy') = (enforcement_actions.action = 'destroy')
	) < CASE WHEN enforcement_actions.action = 'destroy' THEN ?4 ELSE ?5 END)
RETURNING *`;

// Runs right after CLAIM in the same batch: a row still pending and unclaimed was refused by the cap alone.
const HOLD = `
UPDATE enforcement_actions SET status = 'held', updated_at = ?2,
	reason = 'held: the cap of ' || CASE WHEN action = 'destroy' THEN CAST(?3 AS INTEGER) || ' destroys' ELSE CAST(?4 AS INTEGER) || ' renames and reverts' END
		|| ' an hour for this SdkAppid was reached; a moderator resumes or discards it'
WHERE id = ?1 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ?2)
RETURNING *`;

/** What a claim got: the row to act on, the row now held by the cap, or nothing (not pending, or taken). */
export type Claim = { kind: "claimed"; row: ActionRow } | { kind: "held"; row: ActionRow } | null;

/**
 * Takes a pending row for one attempt (counting it and its slot under the hourly cap), holds it when the
 * cap is reached, or returns null when the row is not pending or another consumer holds it. Only the
 * holder calls Tencent, so two deliveries cannot both act.
 */
export async function claimAction(db: D1Database, id: number, caps: Caps, now: number): Promise<Claim> {
	const [claimed, held] = await db.batch<ActionRow>([
		db.prepare(CLAIM).bind(id, now + CLAIM_MS, now, caps.maxDestroysPerHour, caps.maxRenamesPerHour),
		db.prepare(HOLD).bind(id, now, caps.maxDestroysPerHour, caps.maxRenamesPerHour),
	]);
	const claimedRow = claimed?.results[0];
	if (claimedRow) return { kind: "claimed", row: claimedRow };
	const heldRow = held?.results[0];
	return heldRow ? { kind: "held", row: heldRow } : null;
}

/** The outcome of an attempt: final (`done`/`failed`/`skipped`), or `pending` again to be retried. */
export interface AttemptOutcome {
	status: "done" | "failed" | "pending" | "skipped";
	errorCode: number | null;
	errorInfo: string | null;
	reason: string | null;
	/** Whether the modify or destroy call was made: only then does the attempt keep its slot under the cap. */
	acted?: boolean;
	/** The name Tencent reported before acting, when it was asked. */
	confirmedName?: string | null;
	/** What a destroy removed, as JSON text. */
	lastState?: string | null;
}

/** Writes an attempt's outcome and releases the claim (and the cap's slot, when no call was made). */
export async function finishAttempt(
	db: D1Database,
	id: number,
	outcome: AttemptOutcome,
	now: number,
): Promise<void> {
	await db
		.prepare(
			`UPDATE enforcement_actions SET status = ?2, error_code = ?3, error_info = ?4,
			 reason = coalesce(?5, reason), claimed_until = NULL, updated_at = ?6,
			 acted_at = CASE WHEN ?7 THEN acted_at ELSE NULL END,
			 confirmed_name = coalesce(?8, confirmed_name), last_state = coalesce(?9, last_state)
			 WHERE id = ?1`,
		)
		.bind(
			id,
			outcome.status,
			outcome.errorCode,
			outcome.errorInfo,
			outcome.reason,
			now,
			outcome.acted === true ? 1 : 0,
			outcome.confirmedName ?? null,
			outcome.lastState ?? null,
		)
		.run();
}

/** A row by id, or null. */
export function actionById(db: D1Database, id: number): Promise<ActionRow | null> {
	return db.prepare("SELECT * FROM enforcement_actions WHERE id = ?1").bind(id).first<ActionRow>();
}

/** Which held rows a moderator's resume or discard is for: some ids, or every held row. */
export type HeldSelection = ({ ids: readonly number[] } | { all: true }) & { app?: string };

/**
 * The rows of a selection: `?3` is the JSON list of ids, or null for every held row; `?4` the app whose
 * rows they must be, or null for any app.
 */
const HELD_WHERE =
	"status = 'held' AND (?3 IS NULL OR id IN (SELECT value FROM json_each(?3))) AND (?4 IS NULL OR sdk_app_id = ?4)";
const heldIds = (selection: HeldSelection) => ("all" in selection ? null : JSON.stringify(selection.ids));

/**
 * Resumes held rows: pending again, exempt from the cap (a moderator decided), with who resumed them in
 * the reason. Returns the ids resumed, for the caller to queue.
 */
export async function resumeHeld(
	db: D1Database,
	selection: HeldSelection,
	by: string,
	now: number,
): Promise<number[]> {
	const { results } = await db
		.prepare(
			`UPDATE enforcement_actions SET status = 'pending', cap_exempt = 1, updated_at = ?1,
			 reason = 'resumed by ' || ?2 WHERE ${HELD_WHERE} RETURNING id`,
		)
		.bind(now, by, heldIds(selection), selection.app ?? null)
		.all<{ id: number }>();
	return results.map((row) => row.id);
}

/** Discards held rows (nothing is ever called for them), with who discarded them in the reason. */
export async function discardHeld(
	db: D1Database,
	selection: HeldSelection,
	by: string,
	now: number,
): Promise<number> {
	const result = await db
		.prepare(
			`UPDATE enforcement_actions SET status = 'discarded', updated_at = ?1,
			 reason = 'discarded by ' || ?2 WHERE ${HELD_WHERE}`,
		)
		.bind(now, by, heldIds(selection), selection.app ?? null)
		.run();
	return result.meta.changes ?? 0;
}

/** How many rows are held (of the app `sdkAppId`, or of every app), and since when (the oldest's `updated_at`). */
export async function heldSummary(
	db: D1Database,
	sdkAppId?: string,
): Promise<{ held: number; oldestAt: number | null }> {
	const row = await db
		.prepare(
			"SELECT count(*) AS held, min(updated_at) AS oldestAt FROM enforcement_actions WHERE status = 'held' AND (?1 IS NULL OR sdk_app_id = ?1)",
		)
		.bind(sdkAppId ?? null)
		.first<{ held: number; oldestAt: number | null }>();
	return { held: row?.held ?? 0, oldestAt: row?.oldestAt ?? null };
}

/** A ledger row as the API returns it: the consumer's claim and cap bookkeeping stay internal. */
export type ActionView = Omit<ActionRow, "claimed_until" | "cap_exempt" | "last_state"> & {
	/** The state a destroy removed, as an object; null otherwise. */
	last_state: Record<string, unknown> | null;
};

const ACTION_COLUMNS = `id, action_key, sdk_app_id, target, group_id, topic_id, trigger, operator_account, rule,
	field, old_name, new_name, action, status, reason, attempts, error_code, error_info, policy_version, created_at,
	updated_at, requested_by, confirmed_name, last_state, acted_at`;

/**
 * Up to `limit` rows with id > `after`, oldest first, optionally only one status, one topic, one group or
 * one app;
 * `last_state` parsed.
 */
export async function actionsAfter(
	db: D1Database,
	after: number,
	limit: number,
	filters: {
		status?: ActionStatus | undefined;
		topic?: string | undefined;
		group?: string | undefined;
		app?: string | undefined;
	},
): Promise<ActionView[]> {
	const { status, topic, group, app } = filters;
	const conditions = ["id > ?1"];
	if (app !== undefined) conditions.unshift("sdk_app_id = ?6");
	if (status !== undefined) conditions.push("status = ?2");
	if (topic !== undefined) conditions.push("topic_id = ?3");
	if (group !== undefined) conditions.push("group_id = ?4");
	const { results } = await db
		.prepare(
			`SELECT ${ACTION_COLUMNS} FROM enforcement_actions WHERE ${conditions.join(" AND ")} ORDER BY id LIMIT ?5`,
		)
		.bind(after, status ?? null, topic ?? null, group ?? null, limit, ...(app === undefined ? [] : [app]))
		.all<Omit<ActionView, "last_state"> & { last_state: string | null }>();
	return results.map((row) => ({
		...row,
		last_state: row.last_state === null ? null : (JSON.parse(row.last_state) as Record<string, unknown>),
	}));
}
