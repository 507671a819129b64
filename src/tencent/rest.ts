// Tencent Chat's server REST API, the calls the Worker makes as the app admin: modify_topic, destroy_topic,
// get_topic and modify_group_base_info. Knows nothing of the policy or of storage: it sends one request and
// says what came back, sorted into what is worth retrying and what is not.
import { ok, type Result, refused } from "../result";
import { cachedUserSig, forgetUserSig } from "./usersig";

/** Where and as whom to call. */
export interface TencentClient {
	/** e.g. https://console.tim.qq.com, or a regional host (https://adminapisgp.im.qcloud.com …). */
	apiBase: string;
	sdkAppId: string;
	/** The app admin account the calls are made as. */
	identifier: string;
	secretKey: string;
	/** How long one call may take before it counts as a network failure. */
	timeoutMs: number;
}

/**
 * Why a call did not succeed:
 * - `transient`: network error, timeout, HTTP 5xx/429, or a Tencent code that means "try again";
 * - `gone`: the group or topic does not exist (any more);
 * - `permission`: the admin account may not do this;
 * - `usersig`: Tencent refused the signature (wrong key, identifier or SDKAppID);
 * - `rejected`: any other refusal (bad parameter, unknown code): retrying would get the same answer.
 */
export type FailureKind = "transient" | "gone" | "permission" | "usersig" | "rejected";

/** Why a call failed: the kind (what to do about it) and Tencent's code and text, when it answered. */
export interface TencentFailure {
	kind: FailureKind;
	errorCode: number | null;
	errorInfo: string;
}

/** What one call gave: Tencent's answer body, or why it failed. */
export type TencentResult = Result<Record<string, unknown>, TencentFailure>;

/** Tencent codes that mean "internal error, try again later". */
const TRANSIENT_CODES = new Set([10002, 20004, 20005, 90994, 91000]);
/** The group (or the topic's community) does not exist, was disbanded, or its ID is not valid. */
const GONE_CODES = new Set([10010, 10015]);
/** The operator (here: the admin identifier) has no permission for the operation. */
const PERMISSION_CODES = new Set([10003, 10007]);
/** UserSig expired: the one signature error a fresh signature cures. */
export const USERSIG_EXPIRED = 70001;

/** Sorts a non-zero Tencent `ErrorCode` into a {@link FailureKind}. Pure. */
export function classifyErrorCode(code: number): FailureKind {
	if (TRANSIENT_CODES.has(code)) return "transient";
	if (GONE_CODES.has(code)) return "gone";
	if (PERMISSION_CODES.has(code)) return "permission";
	if (code >= 70000 && code < 71000) return "usersig";
	return "rejected";
}

/** The request URL of `command`, with the query parameters every REST call carries. */
export function restUrl(client: TencentClient, command: string, userSig: string, random: number): string {
	const query = new URLSearchParams({
		sdkappid: client.sdkAppId,
		identifier: client.identifier,
		usersig: userSig,
		random: String(random),
		contenttype: "json",
	});
	return `${client.apiBase.replace(/\/+$/, "")}/v4/${command}?${query}`;
}

function randomUint32(): number {
	return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
}

async function callOnce(client: TencentClient, command: string, body: unknown): Promise<TencentResult> {
	const userSig = await cachedUserSig(
		Number(client.sdkAppId),
		client.identifier,
		client.secretKey,
		Math.floor(Date.now() / 1000),
	);
	let response: Response;
	try {
		response = await fetch(restUrl(client, command, userSig, randomUint32()), {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(client.timeoutMs),
		});
	} catch (error) {
		const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
		const errorInfo = timedOut
			? `no answer within ${client.timeoutMs} ms`
			: `network error: ${error instanceof Error ? error.message : String(error)}`;
		return refused({ kind: "transient", errorCode: null, errorInfo });
	}
	const text = await response.text().catch(() => "");
	if (response.status >= 500 || response.status === 429)
		return refused({ kind: "transient", errorCode: null, errorInfo: `HTTP ${response.status}` });
	if (response.status !== 200)
		return refused({ kind: "rejected", errorCode: null, errorInfo: `HTTP ${response.status}` });
	let json: Record<string, unknown>;
	try {
		const parsed: unknown = JSON.parse(text);
		if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
			throw new Error("not an object");
		json = parsed as Record<string, unknown>;
	} catch {
		// A 200 that is not Tencent's JSON comes from something between us and Tencent: worth another try.
		return refused({ kind: "transient", errorCode: null, errorInfo: "the answer is not JSON" });
	}
	const errorCode =
		typeof json.ErrorCode === "number" ? json.ErrorCode : Number(json.ErrorCode ?? Number.NaN);
	const errorInfo = typeof json.ErrorInfo === "string" ? json.ErrorInfo : "";
	if (json.ActionStatus === "OK" && errorCode === 0) return ok(json);
	if (!Number.isFinite(errorCode))
		return refused({ kind: "transient", errorCode: null, errorInfo: "the answer has no ErrorCode" });
	return refused({ kind: classifyErrorCode(errorCode), errorCode, errorInfo });
}

/**
 * Calls `command` (e.g. `million_group_open_http_svc/modify_topic`) with `body`. An expired UserSig is
 * replaced and the call made once more; nothing else is retried here (the caller's queue does that).
 */
export async function callTencent(
	client: TencentClient,
	command: string,
	body: unknown,
): Promise<TencentResult> {
	const first = await callOnce(client, command, body);
	if (first.ok || first.problem.errorCode !== USERSIG_EXPIRED) return first;
	forgetUserSig();
	return callOnce(client, command, body);
}

/** Renames a topic (`modify_topic` with `TopicName`). */
export function modifyTopicName(
	client: TencentClient,
	groupId: string,
	topicId: string,
	name: string,
): Promise<TencentResult> {
	return callTencent(client, "million_group_open_http_svc/modify_topic", {
		GroupId: groupId,
		TopicId: topicId,
		TopicName: name,
	});
}

/** Deletes topics of a community (`destroy_topic`). */
export function destroyTopics(
	client: TencentClient,
	groupId: string,
	topicIds: string[],
): Promise<TencentResult> {
	return callTencent(client, "million_group_open_http_svc/destroy_topic", {
		GroupId: groupId,
		TopicIdList: topicIds,
	});
}

/** Renames a group (`modify_group_base_info` with `Name`). */
export function modifyGroupName(
	client: TencentClient,
	groupId: string,
	name: string,
): Promise<TencentResult> {
	return callTencent(client, "group_open_http_svc/modify_group_base_info", { GroupId: groupId, Name: name });
}

/** A topic as `get_topic` lists it. */
export interface TopicSummary {
	topicId: string;
	name: string;
}

/** The topics in a `get_topic` answer (`TopicAndSelfInfo[].TopicInfo`); entries without an ID are left out. */
export function topicsOfAnswer(body: Record<string, unknown>): TopicSummary[] {
	const list = Array.isArray(body.TopicAndSelfInfo) ? body.TopicAndSelfInfo : [];
	const topics: TopicSummary[] = [];
	for (const entry of list) {
		const info =
			typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>).TopicInfo : null;
		if (typeof info !== "object" || info === null) continue;
		const { TopicId, TopicName } = info as Record<string, unknown>;
		if (typeof TopicId === "string")
			topics.push({ topicId: TopicId, name: typeof TopicName === "string" ? TopicName : "" });
	}
	return topics;
}

/** Lists the topics of a community (`get_topic`, as the admin account). */
export async function getTopics(
	client: TencentClient,
	groupId: string,
): Promise<Result<TopicSummary[], TencentFailure>> {
	const result = await callTencent(client, "million_group_open_http_svc/get_topic", {
		GroupId: groupId,
		From_Account: client.identifier,
	});
	return result.ok ? ok(topicsOfAnswer(result.value)) : result;
}
