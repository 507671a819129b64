// The enforcement consumer's calls to Tencent's REST API: the client of an app, the pacing between calls, and
// the questions and actions the consumer puts to Tencent (which topic holds a value, what a target is now,
// the call that carries out a ledger row).
import { configProblem, readConfig, tencentIdentifier, tencentSecretKey } from "../config";
import { type JudgedField, TENCENT_FIELD, type TextKey } from "../policy";
import { ok, type Result } from "../result";
import type { ActionRow } from "../store/enforcement-actions";
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
import type { ReportedTarget } from "./plan";

/** Least time between two REST calls of this consumer: 100 calls/s, half of Tencent's 200/s limit. */
export const MIN_CALL_SPACING_MS = 10;

/** Calls Tencent at most once per MIN_CALL_SPACING_MS per isolate (the client's isolate state). */
export async function paced<T>(client: TencentClient, call: () => Promise<T>): Promise<T> {
	const pacing = client.isolate;
	const wait = pacing.lastCallAt + MIN_CALL_SPACING_MS - Date.now();
	if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
	pacing.lastCallAt = Date.now();
	return call();
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
export async function resolveTopic(
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

/** What Tencent reports of a row's target, with what a destroy would remove; null when Tencent has no such target. */
export interface Report {
	target: ReportedTarget;
	/** The topic's state as a destroy keeps it in the ledger. */
	lastState: Record<string, string | null> | null;
}

/** Asks Tencent for the row's target as it is now: `get_topic` for a topic, `get_group_info` for a group. */
export async function reportOf(
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

/** The REST call that carries out a row's action. */
export async function callFor(client: TencentClient, row: ActionRow): Promise<TencentResult> {
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
