// Backtest: which live topics would a policy refuse by name, and (with "apply") the sweep that enforces it
// through the same ledger and queue as after-events.
import { type CompiledPolicy, evaluateName } from "../policy";
import { nameHistory, recordAction } from "./ledger";
import { planAction } from "./plan";
import type { EnforcementMessage } from "./recheck";

/** A `topics` row as the backtest reads it. */
export interface LiveTopic {
	topic_id: string;
	group_id: string | null;
	name: string | null;
	deleted_at: number | null;
}

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

/** What "apply" did: rows recorded in the ledger, and how many of them were queued to be carried out. */
export interface ApplyResult {
	recorded: number;
	queued: number;
}

/**
 * Records the enforcement of each hit in the ledger (`enforcement.renames` of the tested policy: revert,
 * destroy or log) and queues the pending ones. Idempotent per topic and name: a second apply of the same
 * page records and queues nothing new.
 */
export async function applyBacktest(
	env: Env,
	policy: CompiledPolicy,
	policyVersion: string,
	hits: readonly BacktestHit[],
	sdkAppIdOf: (topicId: string) => string,
	canAct: (sdkAppId: string) => boolean,
): Promise<ApplyResult> {
	const messages: { body: EnforcementMessage; contentType: "json" }[] = [];
	let recorded = 0;
	for (const hit of hits) {
		const refusal = evaluateName(policy.topic, hit.name);
		const live = { target: "topic", event: "rename", name: hit.name, operatorAccount: null } as const;
		const history =
			policy.enforcement.renames === "revert" ? await nameHistory(env.DB, hit.groupId, hit.topicId) : [];
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
