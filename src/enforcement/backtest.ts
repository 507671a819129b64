// Backtest: which live topics (or communities) would a policy refuse by name or by text (introduction,
// notification, face URL, with a `texts` section), and (with "apply") the sweep that enforces it through the
// same ledger and queue as after-events.

import { liveNameCommands } from "../commands";
import {
	type CompiledPolicy,
	evaluateName,
	evaluateText,
	type JudgedField,
	TENCENT_FIELD,
	TEXT_KEYS,
	type Verdict,
} from "../policy";
import { recordAction } from "../store/enforcement-actions";
import { fieldHistory } from "../store/events";
import type { LiveGroup } from "../store/groups";
import type { LiveTopic } from "../store/topics";
import { planAction } from "./plan";
import type { ActionCounts } from "./preview";
import type { EnforcementMessage } from "./recheck";

/** A live topic or community the policy refuses, and why: its name, or one of its texts. */
export interface BacktestHit {
	/** A topic, or (topicId null) the community itself. */
	target: "topic" | "group";
	topicId: string | null;
	groupId: string;
	/** Which field is refused; `name` holds its value. */
	field: JudgedField;
	name: string;
	rule: string | null;
	errorCode: number;
}

/**
 * The verdict on one field of a live topic or community (its name rules for the name, the `texts` section
 * for a text); null for a community's name when the policy has no `groupCreation` rules.
 */
function judgeField(
	policy: CompiledPolicy,
	target: BacktestHit["target"],
	field: JudgedField,
	value: string,
): Verdict | null {
	if (field !== "name") return evaluateText(policy, target, field, value);
	const rules = target === "topic" ? policy.topic : policy.group;
	return rules === null ? null : evaluateName(rules, value);
}

/**
 * The live topics among `rows` whose current name or texts the policy refuses (name and text rules only:
 * who created a topic does not make its current name acceptable or not), one hit per refused field. Pure.
 */
export function refusedTopics(policy: CompiledPolicy, rows: readonly LiveTopic[]): BacktestHit[] {
	return refusedRows(
		policy,
		"topic",
		rows.map((row) => ({ ...row, topicId: row.topic_id })),
	);
}

/** The live communities among `rows` whose current name or texts the policy refuses, as {@link refusedTopics}. */
export function refusedGroups(policy: CompiledPolicy, rows: readonly LiveGroup[]): BacktestHit[] {
	return refusedRows(
		policy,
		"group",
		rows.map((row) => ({ ...row, topicId: null })),
	);
}

function refusedRows(
	policy: CompiledPolicy,
	target: BacktestHit["target"],
	rows: readonly (Omit<LiveTopic, "topic_id"> & { topicId: string | null })[],
): BacktestHit[] {
	const hits: BacktestHit[] = [];
	for (const row of rows) {
		if (row.deleted_at !== null || row.group_id === null) continue;
		const fields: [JudgedField, string | null | undefined][] = [["name", row.name]];
		if (policy.texts !== null) for (const key of TEXT_KEYS) fields.push([key, row[key]]);
		for (const [field, value] of fields) {
			// A text nobody set is not judged; a name is, as before.
			if (value === null || value === undefined || (field !== "name" && value === "")) continue;
			const verdict = judgeField(policy, target, field, value);
			if (verdict !== null && !verdict.allowed)
				hits.push({
					target,
					topicId: row.topicId,
					groupId: row.group_id,
					field,
					name: value,
					rule: verdict.rule,
					errorCode: verdict.errorCode,
				});
		}
	}
	return hits;
}

/**
 * What an apply of `hits` would record, by action: the live policy's `enforcement.renames` for each name (a
 * backtest judges current names, as renames are judged), `enforcement.texts` for each text. Pure.
 */
export function countActions(policy: CompiledPolicy, hits: readonly BacktestHit[]): ActionCounts {
	const counts: ActionCounts = { revert: 0, rename: 0, destroy: 0, log: 0, clear: 0 };
	for (const hit of hits)
		counts[hit.field === "name" ? policy.enforcement.renames : policy.enforcement.texts]++;
	return counts;
}

/** Which live target a hit is about: its topic ID, or `group:<GroupId>` for a community. */
const targetOf = (hit: BacktestHit): string => hit.topicId ?? `group:${hit.groupId}`;

/** What a preview shows of a hit, hashed into its token: a topic name's stays [topic, name] as before. */
export function previewedHit(hit: BacktestHit): string[] {
	return hit.field === "name" ? [targetOf(hit), hit.name] : [targetOf(hit), hit.name, hit.field];
}

/** What "apply" did: rows recorded in the ledger, and how many of them were queued to be carried out. */
export interface ApplyResult {
	recorded: number;
	queued: number;
}

/**
 * Records the enforcement of each hit in the ledger (`enforcement.renames` of the live policy for a name:
 * revert, destroy or log; `enforcement.texts` for a text: revert, clear or log) and queues the pending ones, which the consumer confirms with Tencent and carries out
 * within the caps. All of `hits` are topics of the app `sdkAppId`. Idempotent per app, topic and name: a second apply of the same page records and queues
 * nothing new. `requestedBy` is the admin caller, kept on every row.
 */
export async function applyBacktest(
	env: Env,
	policy: CompiledPolicy,
	policyVersion: string,
	requestedBy: string,
	hits: readonly BacktestHit[],
	sdkAppId: string,
	canAct: boolean,
): Promise<ApplyResult> {
	const messages: { body: EnforcementMessage; contentType: "json" }[] = [];
	let recorded = 0;
	for (const hit of hits) {
		const refusal = judgeField(policy, hit.target, hit.field, hit.name);
		if (refusal === null) continue;
		const live = {
			target: hit.target,
			event: "rename",
			field: hit.field,
			name: hit.name,
			operatorAccount: null,
		} as const;
		const action = hit.field === "name" ? policy.enforcement.renames : policy.enforcement.texts;
		const history =
			action === "revert"
				? await fieldHistory(
						env.DB,
						sdkAppId,
						hit.groupId,
						hit.topicId,
						liveNameCommands(hit.target),
						TENCENT_FIELD[hit.field],
					)
				: [];
		const plan = planAction(policy, live, refusal, history, canAct);
		const { row, inserted } = await recordAction(env.DB, {
			key:
				hit.field === "name"
					? `backtest:${sdkAppId}:${targetOf(hit)}\n${hit.name}`
					: `backtest:${sdkAppId}:${targetOf(hit)}\n${hit.field}\n${hit.name}`,
			previousKey: null,
			sdkAppId,
			target: hit.target,
			groupId: hit.groupId,
			topicId: hit.topicId,
			trigger: "backtest",
			operatorAccount: null,
			field: hit.field,
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
