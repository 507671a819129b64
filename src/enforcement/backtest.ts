// Backtest: which live topics would a policy refuse by name, and (with "apply") the sweep that enforces it
// through the same ledger and queue as after-events.

import { liveNameCommands } from "../commands";
import { type CompiledPolicy, evaluateName } from "../policy";
import { recordAction } from "../store/enforcement-actions";
import { nameHistory } from "../store/events";
import type { LiveTopic } from "../store/topics";
import { planAction } from "./plan";
import type { ActionCounts } from "./preview";
import type { EnforcementMessage } from "./recheck";

/** A live topic the policy refuses, and why. */
export interface BacktestHit {
	topicId: string;
	groupId: string;
	name: string;
	rule: string | null;
	errorCode: number;
}

/**
 * The live topics among `rows` whose current name the policy refuses (name rules only: who created a topic
 * does not make its current name acceptable or not). Pure.
 */
export function refusedTopics(policy: CompiledPolicy, rows: readonly LiveTopic[]): BacktestHit[] {
	const hits: BacktestHit[] = [];
	for (const row of rows) {
		if (row.deleted_at !== null || row.name === null || row.group_id === null) continue;
		const verdict = evaluateName(policy.topic, row.name);
		if (!verdict.allowed)
			hits.push({
				topicId: row.topic_id,
				groupId: row.group_id,
				name: row.name,
				rule: verdict.rule,
				errorCode: verdict.errorCode,
			});
	}
	return hits;
}

/**
 * What an apply of `hits` would record, by action: the live policy's `enforcement.renames` for each (a
 * backtest judges current names, as renames are judged). Pure.
 */
export function countActions(policy: CompiledPolicy, hits: readonly BacktestHit[]): ActionCounts {
	const counts: ActionCounts = { revert: 0, rename: 0, destroy: 0, log: 0 };
	counts[policy.enforcement.renames] += hits.length;
	return counts;
}

/** What "apply" did: rows recorded in the ledger, and how many of them were queued to be carried out. */
export interface ApplyResult {
	recorded: number;
	queued: number;
}

/**
 * Records the enforcement of each hit in the ledger (`enforcement.renames` of the live policy: revert,
 * destroy or log) and queues the pending ones, which the consumer confirms with Tencent and carries out
 * within the caps. Idempotent per topic and name: a second apply of the same page records and queues
 * nothing new. `requestedBy` is the admin caller, kept on every row.
 */
export async function applyBacktest(
	env: Env,
	policy: CompiledPolicy,
	policyVersion: string,
	requestedBy: string,
	hits: readonly BacktestHit[],
	sdkAppIdOf: (topicId: string) => string,
	canAct: (sdkAppId: string) => boolean,
): Promise<ApplyResult> {
	const messages: { body: EnforcementMessage; contentType: "json" }[] = [];
	let recorded = 0;
	for (const hit of hits) {
		const refusal = evaluateName(policy.topic, hit.name);
		const live = {
			target: "topic",
			event: "rename",
			field: "name",
			name: hit.name,
			operatorAccount: null,
		} as const;
		const history =
			policy.enforcement.renames === "revert"
				? await nameHistory(env.DB, hit.groupId, hit.topicId, liveNameCommands("topic"))
				: [];
		const sdkAppId = sdkAppIdOf(hit.topicId);
		const plan = planAction(policy, live, refusal, history, canAct(sdkAppId));
		const { row, inserted } = await recordAction(env.DB, {
			key: `backtest:${hit.topicId}\n${hit.name}`,
			previousKey: null,
			sdkAppId,
			target: "topic",
			groupId: hit.groupId,
			topicId: hit.topicId,
			trigger: "backtest",
			operatorAccount: null,
			oldName: hit.name,
			policyVersion,
			requestedBy,
			plan,
			at: Date.now(),
		});
		if (row === null || !inserted) continue;
		recorded++;
		if (row.status === "pending")
			messages.push({ body: { kind: "action", actionId: row.id }, contentType: "json" });
	}
	for (let i = 0; i < messages.length; i += 100)
		await env.ENFORCEMENT_QUEUE.sendBatch(messages.slice(i, i + 100));
	return { recorded, queued: messages.length };
}
