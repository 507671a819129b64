// The enforcement queue's consumer: judges each queued live name or text with the live policy, records it in
// the ledger, and carries the action out through Tencent's REST API. Before any modify or destroy it asks
// Tencent for the target's current state and acts only when the name Tencent reports is still refused
// (a callback body is a claim: Tencent's Sign does not cover it), within the hourly caps. Retries (with
// backoff) only what may succeed later: network errors, timeouts, 5xx and Tencent's transient codes. A D1
// failure retries the whole message; nothing is called before the ledger has the row.
import * as v from "valibot";
import { liveNameCommands } from "../commands";
import { errorMessage, log } from "../log";
import { type CompiledPolicy, policyLoaders, TENCENT_FIELD } from "../policy";
import {
	type ActionRow,
	type AttemptOutcome,
	actionById,
	claimAction,
	finishAttempt,
	recordAction,
} from "../store/enforcement-actions";
import { backoffSeconds } from "../store/event-queue";
import { fieldHistory } from "../store/events";
import { applyResolvedRename } from "../store/topic-rename";
import type { TencentClient, TencentResult } from "../tencent/rest";
import { type LiveName, planAction, refusalOf, unconfirmedReason } from "./plan";
import { type EnforcementMessage, nameEventOf } from "./recheck";
import { callFor, paced, reportOf, resolveTopic, tencentClient } from "./tencent-calls";

/** Attempts of one action before it is recorded as failed (the queue's max_retries allows one more delivery). */
export const MAX_ATTEMPTS = 8;
/** First retry delay of an enforcement action in seconds; it doubles per attempt up to the cap. */
export const ENFORCEMENT_RETRY_BASE_SECONDS = 5;
/** Longest wait between two attempts of one enforcement action, in seconds. */
export const ENFORCEMENT_RETRY_CAP_SECONDS = 600;

const nullableString = v.nullable(v.string());
const messageSchema = v.variant("kind", [
	v.object({
		kind: v.literal("event"),
		command: v.string(),
		sdkAppId: v.string(),
		target: v.picklist(["topic", "group"]),
		event: v.picklist(["rename", "create"]),
		field: v.optional(v.picklist(["name", "introduction", "notification", "face_url"]), "name"),
		groupId: v.string(),
		topicId: nullableString,
		name: v.string(),
		operatorAccount: nullableString,
		key: v.string(),
		previousKey: nullableString,
		at: v.number(),
		// Messages queued before this field existed are treated as unsigned: they record, never act.
		authenticated: v.optional(v.boolean(), false),
	}),
	v.object({ kind: v.literal("action"), actionId: v.number() }),
]) satisfies v.GenericSchema<unknown, EnforcementMessage>;

/** Seconds before the `attempts`-th retry: 5, 10, 20 … 600. */
export function enforcementRetryDelay(attempts: number): number {
	return backoffSeconds(attempts, ENFORCEMENT_RETRY_BASE_SECONDS, ENFORCEMENT_RETRY_CAP_SECONDS);
}

/** Whether a batch comes from the enforcement queue (`tencent-chat-enforcement`, or a per-environment copy). */
export function isEnforcementQueue(queue: string): boolean {
	return queue.startsWith("tencent-chat-enforcement");
}

/** What became of one message. */
type Handled = { retryInSeconds: number } | null;

/** The queue handler for the enforcement queue. */
export async function drainEnforcementQueue(
	batch: MessageBatch<unknown>,
	env: Env,
	ctx: ExecutionContext,
): Promise<void> {
	for (const message of batch.messages) {
		try {
			const parsed = v.safeParse(messageSchema, message.body);
			if (!parsed.success) {
				log("error", "enforcement.bad_message", { messageId: message.id, body: message.body });
				message.ack();
				continue;
			}
			const handled =
				parsed.output.kind === "event"
					? await handleEvent(env, ctx, parsed.output, message.attempts)
					: await handleAction(env, ctx, parsed.output.actionId, message.attempts);
			if (handled === null) message.ack();
			else message.retry({ delaySeconds: handled.retryInSeconds });
		} catch (error) {
			const delaySeconds = enforcementRetryDelay(message.attempts);
			log("error", "enforcement.message_failed", {
				messageId: message.id,
				attempts: message.attempts,
				retryInSeconds: delaySeconds,
				error: errorMessage(error),
			});
			message.retry({ delaySeconds });
		}
	}
}

async function handleEvent(
	env: Env,
	ctx: ExecutionContext,
	message: Extract<EnforcementMessage, { kind: "event" }>,
	deliveries: number,
): Promise<Handled> {
	const state = await policyLoaders(env).current(env, (work) => ctx.waitUntil(work), message.sdkAppId);
	if (state.policy === null) {
		log("warn", "enforcement.no_policy", { command: message.command, groupId: message.groupId });
		return null;
	}
	const policy = state.policy.compiled;
	const live: LiveName = {
		target: message.target,
		event: message.event,
		field: message.field ?? "name",
		name: message.name,
		operatorAccount: message.operatorAccount,
	};
	const client = tencentClient(env, message.sdkAppId);
	let topicId = message.topicId;
	let unresolved: string | null = null;
	// An unsigned callback never makes the Worker call Tencent, not even to find its topic (its row is
	// skipped as unsigned below).
	// A rename is resolved even when allowed (its topic's row moves to the new name); a text only when refused.
	// The verdict depends on the value alone, not on which topic holds it: judged once, before the look-up.
	const refusal = refusalOf(policy, live);
	const resolves =
		message.target === "topic" &&
		topicId === null &&
		message.authenticated &&
		(live.field === "name" || refusal !== null);
	if (resolves) {
		const found = await resolveTopic(client, message.groupId, live.field, message.name);
		if ("retry" in found)
			return deliveries >= MAX_ATTEMPTS ? null : { retryInSeconds: enforcementRetryDelay(deliveries) };
		if (found.topicId !== null) {
			topicId = found.topicId;
			if (live.field === "name")
				await applyResolvedRename(
					env.DB,
					message.sdkAppId,
					message.groupId,
					topicId,
					message.name,
					message.at,
				);
		} else unresolved = found.why;
	}
	if (refusal === null) return null;
	const history =
		topicId === null && message.target === "topic"
			? []
			: await fieldHistory(
					env.DB,
					message.sdkAppId,
					message.groupId,
					topicId,
					liveNameCommands(message.target),
					TENCENT_FIELD[live.field],
				);
	let plan = planAction(policy, live, refusal, history, client !== null);
	if (!message.authenticated && plan.status === "pending")
		plan = { ...plan, status: "skipped", reason: UNSIGNED_REASON };
	if (unresolved !== null && plan.status === "pending")
		plan = { ...plan, status: "skipped", reason: `the topic could not be resolved: ${unresolved}` };
	const { row } = await recordAction(env.DB, {
		key: message.key,
		previousKey: message.previousKey,
		sdkAppId: message.sdkAppId,
		target: message.target,
		groupId: message.groupId,
		topicId,
		trigger: message.command,
		operatorAccount: message.operatorAccount,
		field: live.field,
		oldName: message.name,
		policyVersion: state.policy.label,
		requestedBy: "callback",
		plan,
		at: Date.now(),
	});
	log("info", "enforcement.recorded", {
		key: message.key,
		action: plan.action,
		field: live.field,
		status: row?.status,
		rule: plan.rule,
	});
	if (row === null || row.status !== "pending") return null;
	return carryOut(env, row, client, policy, deliveries);
}

/** A recorded action queued by itself: a backtest's apply, or a held action a moderator resumed. */
async function handleAction(
	env: Env,
	ctx: ExecutionContext,
	actionId: number,
	deliveries: number,
): Promise<Handled> {
	const row = await actionById(env.DB, actionId);
	if (row === null || row.status !== "pending") return null;
	const state = await policyLoaders(env).current(env, (work) => ctx.waitUntil(work), row.sdk_app_id);
	if (state.policy === null) {
		// Without a policy nothing can be confirmed: try again later, as for any transient failure.
		log("warn", "enforcement.no_policy", { id: row.id });
		return deliveries >= MAX_ATTEMPTS ? null : { retryInSeconds: enforcementRetryDelay(deliveries) };
	}
	return carryOut(env, row, tencentClient(env, row.sdk_app_id), state.policy.compiled, deliveries);
}

/** Why an action of an unsigned callback is only recorded. */
export const UNSIGNED_REASON =
	"the callback was not signed (ALLOW_UNSIGNED_CALLBACKS): enforcement records what it would do and calls nothing";

/**
 * Carries out a pending row, once: claims it under the hourly cap (a row past the cap is held and nothing
 * is called), asks Tencent for the target's current state, and acts only when the live policy still refuses
 * the name Tencent reports. Records the outcome, with the confirmed name and, for a destroy, what it removed.
 */
async function carryOut(
	env: Env,
	pending: ActionRow,
	client: TencentClient | null,
	policy: CompiledPolicy,
	deliveries: number,
): Promise<Handled> {
	const now = Date.now();
	if (client === null) {
		await finishAttempt(
			env.DB,
			pending.id,
			{
				status: "failed",
				errorCode: null,
				errorInfo: null,
				reason: "no TENCENT_SECRET_KEY for this SdkAppid",
			},
			now,
		);
		return null;
	}
	const claim = await claimAction(env.DB, pending.id, policy.enforcement, now);
	if (claim === null) return null;
	if (claim.kind === "held") {
		log("error", "enforcement.cap_reached", {
			id: claim.row.id,
			sdkAppId: claim.row.sdk_app_id,
			action: claim.row.action,
			groupId: claim.row.group_id,
			topicId: claim.row.topic_id,
			reason: claim.row.reason,
		});
		return null;
	}
	const row = claim.row;
	const outcome = await confirmAndAct(env, client, policy, row);
	await finishAttempt(env.DB, row.id, outcome, Date.now());
	log(outcome.status === "failed" ? "error" : "info", "enforcement.attempt", {
		id: row.id,
		action: row.action,
		groupId: row.group_id,
		topicId: row.topic_id,
		status: outcome.status,
		attempts: row.attempts,
		confirmedName: outcome.confirmedName ?? null,
		errorCode: outcome.errorCode,
		errorInfo: outcome.errorInfo,
	});
	return outcome.status === "pending"
		? { retryInSeconds: enforcementRetryDelay(Math.max(row.attempts, deliveries)) }
		: null;
}

/** One attempt of a claimed row: confirm with Tencent, then act or skip. */
async function confirmAndAct(
	env: Env,
	client: TencentClient,
	policy: CompiledPolicy,
	row: ActionRow,
): Promise<AttemptOutcome> {
	const report = await reportOf(env, client, row);
	if (!report.ok) return outcomeOf({ ok: false, problem: report.problem }, row.attempts);
	const reported = report.value;
	const skip = unconfirmedReason(
		policy,
		{
			target: row.target,
			event: nameEventOf(row.trigger),
			rule: row.rule,
			operatorAccount: row.operator_account,
			field: row.field,
		},
		reported?.target ?? null,
	);
	const confirmedName =
		reported === null ? null : row.field === "name" ? reported.target.name : reported.target.texts[row.field];
	if (skip !== null)
		return { status: "skipped", errorCode: null, errorInfo: null, reason: skip, confirmedName };
	const result = await paced(client, () => callFor(client, row));
	const lastState = reported?.lastState ? JSON.stringify(reported.lastState) : null;
	return { ...outcomeOf(result, row.attempts), acted: true, confirmedName, lastState };
}

/** A call's result as a ledger outcome: done, failed for good, or pending again (transient, attempts left). */
export function outcomeOf(result: TencentResult, attempts: number): AttemptOutcome {
	if (result.ok) return { status: "done", errorCode: null, errorInfo: null, reason: null };
	const { kind, errorCode, errorInfo } = result.problem;
	if (kind === "transient") {
		if (attempts < MAX_ATTEMPTS) return { status: "pending", errorCode, errorInfo, reason: null };
		return { status: "failed", errorCode, errorInfo, reason: `gave up after ${attempts} attempts` };
	}
	const reasons: Record<typeof kind, string> = {
		gone: "the topic or group no longer exists",
		permission: "the admin identifier may not do this",
		usersig: "Tencent refused the UserSig: check TENCENT_SECRET_KEY, TENCENT_ADMIN_IDENTIFIER and SDKAPPID",
		rejected: "Tencent refused the call",
	};
	return { status: "failed", errorCode, errorInfo, reason: reasons[kind] };
}
