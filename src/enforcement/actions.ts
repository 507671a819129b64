// The enforcement queue's consumer: judges each queued live name or text with the live policy, records it in
// the ledger, and carries the action out through Tencent's REST API. Before any modify or destroy it asks
// Tencent for the target's current state and acts only when the name Tencent reports is still refused
// (a callback body is a claim: Tencent's Sign does not cover it), within the hourly caps. Retries (with
// backoff) only what may succeed later: network errors, timeouts, 5xx and Tencent's transient codes. A D1
// failure retries the whole message; nothing is called before the ledger has the row.
import * as v from "valibot";
import { liveNameCommands } from "../commands";
import { configProblem, readConfig, tencentIdentifier, tencentSecretKey } from "../config";
import { errorMessage, log } from "../log";
import { type CompiledPolicy, type JudgedField, policyLoaders, TENCENT_FIELD, type TextKey } from "../policy";
import { ok, type Result } from "../result";
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
import { topicOwner } from "../store/topics";
import {
	destroyOutcome,
	destroyTopics,
	getGroupInfo,
	getTopics,
	modifyGroupName,
	modifyGroupText,
	modifyTopicName,
	modifyTopicText,
	type ProfileText,
	type TencentClient,
	type TencentFailure,
	type TencentResult,
	type TopicSummary,
	tencentIsolate,
} from "../tencent/rest";
import { type LiveName, planAction, type ReportedTarget, refusalOf, unconfirmedReason } from "./plan";
import { type EnforcementMessage, nameEventOf } from "./recheck";

/** Attempts of one action before it is recorded as failed (the queue's max_retries allows one more delivery). */
export const MAX_ATTEMPTS = 8;
/** First retry delay of an enforcement action in seconds; it doubles per attempt up to the cap. */
export const ENFORCEMENT_RETRY_BASE_SECONDS = 5;
/** Longest wait between two attempts of one enforcement action, in seconds. */
export const ENFORCEMENT_RETRY_CAP_SECONDS = 600;
/** Least time between two REST calls of this consumer: 100 calls/s, half of Tencent's 200/s limit. */
export const MIN_CALL_SPACING_MS = 10;

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

/** Calls Tencent at most once per MIN_CALL_SPACING_MS per isolate (the client's isolate state). */
async function paced<T>(client: TencentClient, call: () => Promise<T>): Promise<T> {
	const pacing = client.isolate;
	const wait = pacing.lastCallAt + MIN_CALL_SPACING_MS - Date.now();
	if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	pacing.lastCallAt = Date.now();
	return call();
}

/** Seconds before the `attempts`-th retry: 5, 10, 20 … 600. */
export function enforcementRetryDelay(attempts: number): number {
	return backoffSeconds(attempts, ENFORCEMENT_RETRY_BASE_SECONDS, ENFORCEMENT_RETRY_CAP_SECONDS);
}

/**
 * The REST client for an SdkAppid (its key and admin identifier: `TENCENT_SECRET_KEY_<SdkAppid>` and
 * `TENCENT_ADMIN_IDENTIFIER_<SdkAppid>`, else the shared ones), or null when no key is configured for it, or when a TENCENT_* var is
 * invalid (no call goes to a host or with a timeout nobody meant; the problem is logged by the config).
 */
export function tencentClient(env: Env, sdkAppId: string): TencentClient | null {
	const config = readConfig(env);
	const secretKey = tencentSecretKey(config, sdkAppId);
	if (secretKey === null || configProblem(config, "enforcement") !== null) return null;
	const { apiBase, timeoutMs } = config.tencent;
	const identifier = tencentIdentifier(config, sdkAppId);
	return { apiBase, identifier, timeoutMs, sdkAppId, secretKey, isolate: tencentIsolate(env) };
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
	const resolves =
		message.target === "topic" &&
		topicId === null &&
		message.authenticated &&
		(live.field === "name" || refusalOf(policy, live) !== null);
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
	const refusal = refusalOf(policy, live);
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

/** The field of get_topic's answer that holds each judged field. */
const SUMMARY_FIELD = {
	name: "name",
	introduction: "introduction",
	notification: "notification",
	face_url: "faceUrl",
} as const satisfies Record<JudgedField, keyof TopicSummary>;

/**
 * Which topic of a community now carries `value` in `field` (its name, or one of its texts), asking
 * Tencent: exactly one topic must, else none is chosen; never a guess.
 */
async function resolveTopic(
	client: TencentClient | null,
	groupId: string,
	field: JudgedField,
	value: string,
): Promise<{ topicId: string | null; why: string } | { retry: true }> {
	if (client === null) return { topicId: null, why: "no TopicId in the event, and no key to ask Tencent" };
	const answer = await paced(client, () => getTopics(client, groupId));
	if (!answer.ok) {
		if (answer.problem.kind === "transient") return { retry: true };
		const { errorCode, errorInfo } = answer.problem;
		return { topicId: null, why: `get_topic failed: ${errorCode ?? ""} ${errorInfo}`.trim() };
	}
	const matches = answer.value.filter((topic) => topic[SUMMARY_FIELD[field]] === value);
	if (matches.length === 1 && matches[0]) return { topicId: matches[0].topicId, why: "" };
	const what = field === "name" ? "named" : `whose ${field} is`;
	return { topicId: null, why: `get_topic lists ${matches.length} topics ${what} ${JSON.stringify(value)}` };
}

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

/** What Tencent reports of a row's target, with what a destroy would remove; null when Tencent has no such target. */
interface Report {
	target: ReportedTarget;
	/** The topic's state as a destroy keeps it in the ledger. */
	lastState: Record<string, string | null> | null;
}

/** Asks Tencent for the row's target as it is now: `get_topic` for a topic, `get_group_info` for a group. */
async function reportOf(
	env: Env,
	client: TencentClient,
	row: ActionRow,
): Promise<Result<Report | null, TencentFailure>> {
	if (row.target === "group") {
		const answer = await paced(client, () => getGroupInfo(client, row.group_id));
		if (!answer.ok) return answer;
		const group = answer.value;
		return ok(
			group === null
				? null
				: {
						target: { name: group.name, ownerAccount: group.ownerAccount, texts: textsOf(group) },
						lastState: null,
					},
		);
	}
	const topicId = row.topic_id ?? "";
	const answer = await paced(client, () => getTopics(client, row.group_id, [topicId]));
	if (!answer.ok) return answer;
	const topic = answer.value.find((entry) => entry.topicId === topicId);
	if (topic === undefined) return ok(null);
	const lastState =
		row.action === "destroy"
			? {
					name: topic.name,
					introduction: topic.introduction,
					notification: topic.notification,
					faceUrl: topic.faceUrl,
					owner: await topicOwner(env.DB, row.sdk_app_id, topicId),
					customData: topic.customData,
				}
			: null;
	return ok({ target: { name: topic.name, ownerAccount: null, texts: textsOf(topic) }, lastState });
}

/** The texts of a topic or group as Tencent reports them, by judged field. */
function textsOf(profile: { introduction: string; notification: string; faceUrl: string }) {
	return {
		introduction: profile.introduction,
		notification: profile.notification,
		face_url: profile.faceUrl,
	};
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

/** The REST call that carries out a row's action. */
async function callFor(client: TencentClient, row: ActionRow): Promise<TencentResult> {
	const topicId = row.topic_id ?? "";
	if (row.field !== "name") {
		const field = TENCENT_FIELD[row.field as TextKey] as ProfileText;
		return row.target === "group"
			? modifyGroupText(client, row.group_id, field, row.new_name ?? "")
			: modifyTopicText(client, row.group_id, topicId, field, row.new_name ?? "");
	}
	if (row.target === "group") return modifyGroupName(client, row.group_id, row.new_name ?? "");
	if (row.action === "destroy")
		return destroyOutcome(await destroyTopics(client, row.group_id, [topicId]), topicId);
	return modifyTopicName(client, row.group_id, topicId, row.new_name ?? "");
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
