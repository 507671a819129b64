// Tencent Chat's server REST API, the calls the Worker makes as the app admin: modify_topic, destroy_topic,
// get_topic and modify_group_base_info. Knows nothing of the policy or of storage: it sends one request and
// says what came back, sorted into what is worth retrying and what is not.

import { isolateSlot, isolateState } from "../isolate";
import { ok, type Result, refused } from "../result";
import { cachedUserSig, emptyUserSigCache, forgetUserSig, type UserSigCache } from "./usersig";

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
	/** The isolate's REST state ({@link tencentIsolate}). */
	isolate: TencentIsolate;
}

/** An isolate's REST state: its cached UserSig, and when its last paced call left (ms; enforcement paces). */
export interface TencentIsolate {
	userSig: UserSigCache;
	lastCallAt: number;
}

const tencentSlot = isolateSlot(
	"tencent-rest",
	(): TencentIsolate => ({ userSig: emptyUserSigCache(), lastCallAt: 0 }),
);

/** This isolate's REST state. */
export function tencentIsolate(env: Env): TencentIsolate {
	return isolateState(env, tencentSlot);
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

/**
 * Tencent codes that mean "try again later": internal errors, timeouts, and the frequency limits (10006,
 * 60007, 60011, 60018, 60019), which a retry with backoff outlasts. Classified before the 70000 range,
 * which also holds timeouts (70169, 70202, 70500).
 */
const TRANSIENT_CODES = new Set([
	10002, 10006, 20004, 20005, 60007, 60008, 60011, 60018, 60019, 70169, 70202, 70500, 90994, 91000,
]);
/** The group (or the topic's community) does not exist, was disbanded, or its ID is not valid. */
const GONE_CODES = new Set([10010, 10015]);
/** The operator (here: the admin identifier) has no permission for the operation, or is not the app admin. */
const PERMISSION_CODES = new Set([10007, 60010, 70403]);
/** Signature, identifier or app mismatch: the key, the admin identifier or the SDKAppID is wrong. */
const USERSIG_CODES = new Set([
	60004, 60005, 60006, 70001, 70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020, 70052,
]);
/** UserSig expired: the one signature error a fresh signature cures. */
export const USERSIG_EXPIRED = 70001;
/** destroy_topic's and get_topic's per-topic code: the topic has been deleted. */
export const TOPIC_DELETED = 110003;

/**
 * Sorts a non-zero Tencent `ErrorCode` into a {@link FailureKind}, as Tencent's error code table documents
 * it. 10003 ("invalid command word") and unknown codes are `rejected`: a retry would get the same. Pure.
 */
export function classifyErrorCode(code: number): FailureKind {
	if (TRANSIENT_CODES.has(code)) return "transient";
	if (GONE_CODES.has(code) || code === TOPIC_DELETED) return "gone";
	if (PERMISSION_CODES.has(code)) return "permission";
	if (USERSIG_CODES.has(code)) return "usersig";
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

async function callOnce(
	client: TencentClient,
	command: string,
	body: unknown,
	listKey: string | undefined,
): Promise<{ result: TencentResult; userSig: string }> {
	const userSig = await cachedUserSig(
		client.isolate.userSig,
		Number(client.sdkAppId),
		client.identifier,
		client.secretKey,
		Math.floor(Date.now() / 1000),
	);
	return { result: await sendOnce(client, command, body, userSig, listKey), userSig };
}

async function sendOnce(
	client: TencentClient,
	command: string,
	body: unknown,
	userSig: string,
	listKey: string | undefined,
): Promise<TencentResult> {
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
	// A list answer's own entries carry the codes that count; Tencent calls the top-level one meaningless.
	if (listKey !== undefined && Array.isArray(json[listKey])) return ok(json);
	if (!Number.isFinite(errorCode))
		return refused({ kind: "transient", errorCode: null, errorInfo: "the answer has no ErrorCode" });
	return refused({ kind: classifyErrorCode(errorCode), errorCode, errorInfo });
}

/**
 * Calls `command` (e.g. `million_group_open_http_svc/modify_topic`) with `body`. An expired UserSig is
 * replaced and the call made once more; nothing else is retried here (the caller's queue does that). For a
 * list answer (`listKey`, e.g. `TopicAndSelfInfo`), the list's own entries decide: it is returned whatever
 * the top-level `ErrorCode` says.
 */
export async function callTencent(
	client: TencentClient,
	command: string,
	body: unknown,
	listKey?: string,
): Promise<TencentResult> {
	const first = await callOnce(client, command, body, listKey);
	if (first.result.ok || first.result.problem.errorCode !== USERSIG_EXPIRED) return first.result;
	forgetUserSig(client.isolate.userSig, first.userSig);
	return (await callOnce(client, command, body, listKey)).result;
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

/** Sets one text of a topic's profile (`modify_topic` with `Introduction`, `Notification` or `FaceUrl`). */
export function modifyTopicText(
	client: TencentClient,
	groupId: string,
	topicId: string,
	field: ProfileText,
	value: string,
): Promise<TencentResult> {
	return callTencent(client, "million_group_open_http_svc/modify_topic", {
		GroupId: groupId,
		TopicId: topicId,
		[field]: value,
	});
}

/** A text of a topic's or group's profile that `modify_topic` and `modify_group_base_info` set. */
export type ProfileText = "Introduction" | "Notification" | "FaceUrl";

/** Deletes topics of a community (`destroy_topic`). */
export function destroyTopics(
	client: TencentClient,
	groupId: string,
	topicIds: string[],
): Promise<TencentResult> {
	return callTencent(
		client,
		"million_group_open_http_svc/destroy_topic",
		{ GroupId: groupId, TopicIdList: topicIds },
		"DestroyResultItem",
	);
}

/** Renames a group (`modify_group_base_info` with `Name`). */
export function modifyGroupName(
	client: TencentClient,
	groupId: string,
	name: string,
): Promise<TencentResult> {
	return callTencent(client, "group_open_http_svc/modify_group_base_info", { GroupId: groupId, Name: name });
}

/** Sets one text of a group's profile (`modify_group_base_info` with `Introduction`, `Notification` or `FaceUrl`). */
export function modifyGroupText(
	client: TencentClient,
	groupId: string,
	field: ProfileText,
	value: string,
): Promise<TencentResult> {
	return callTencent(client, "group_open_http_svc/modify_group_base_info", {
		GroupId: groupId,
		[field]: value,
	});
}

/** A topic as `get_topic` reports it (`TopicAndSelfInfo[].TopicInfo`). */
export interface TopicSummary {
	topicId: string;
	name: string;
	introduction: string;
	notification: string;
	faceUrl: string;
	/** `CustomString`, the topic's custom data. */
	customData: string;
}

/** A group as `get_group_info` reports it (`GroupInfo[]`). */
export interface GroupSummary {
	groupId: string;
	name: string;
	ownerAccount: string | null;
	introduction: string;
	notification: string;
	faceUrl: string;
}

const textOf = (value: unknown): string => (typeof value === "string" ? value : "");
const objectOf = (value: unknown): Record<string, unknown> | null =>
	typeof value === "object" && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: null;
/** An entry's own `ErrorCode`: Tencent's list answers carry one per entry, and only that one counts. */
const entryCode = (entry: Record<string, unknown>): number =>
	entry.ErrorCode === undefined ? 0 : Number(entry.ErrorCode);

/**
 * The topics in a `get_topic` answer (`TopicAndSelfInfo[].TopicInfo`). Each entry's own `ErrorCode` is
 * what counts (Tencent calls the top-level one meaningless): an entry with a non-zero code, or without an
 * ID, is left out. Pure.
 */
export function topicsOfAnswer(body: Record<string, unknown>): TopicSummary[] {
	const list = Array.isArray(body.TopicAndSelfInfo) ? body.TopicAndSelfInfo : [];
	const topics: TopicSummary[] = [];
	for (const item of list) {
		const entry = objectOf(item);
		const info = objectOf(entry?.TopicInfo);
		if (entry === null || info === null || entryCode(entry) !== 0 || typeof info.TopicId !== "string")
			continue;
		topics.push({
			topicId: info.TopicId,
			name: textOf(info.TopicName),
			introduction: textOf(info.Introduction),
			notification: textOf(info.Notification),
			faceUrl: textOf(info.FaceUrl),
			customData: textOf(info.CustomString),
		});
	}
	return topics;
}

/**
 * Lists the topics of a community (`get_topic`, as the admin account): all of them, or those of
 * `topicIds`. A topic Tencent no longer has is simply absent from the list.
 */
export async function getTopics(
	client: TencentClient,
	groupId: string,
	topicIds?: readonly string[],
): Promise<Result<TopicSummary[], TencentFailure>> {
	const result = await callTencent(
		client,
		"million_group_open_http_svc/get_topic",
		{
			GroupId: groupId,
			From_Account: client.identifier,
			...(topicIds === undefined ? {} : { TopicIdList: topicIds }),
		},
		"TopicAndSelfInfo",
	);
	if (result.ok) return ok(topicsOfAnswer(result.value));
	// The whole community is gone: so is every topic in it.
	return result.problem.kind === "gone" ? ok([]) : result;
}

/** The group in a `get_group_info` answer, or null when its entry is missing or carries a non-zero code. Pure. */
export function groupOfAnswer(body: Record<string, unknown>, groupId: string): GroupSummary | null {
	const list = Array.isArray(body.GroupInfo) ? body.GroupInfo : [];
	for (const item of list) {
		const entry = objectOf(item);
		if (entry === null || entry.GroupId !== groupId || entryCode(entry) !== 0) continue;
		return {
			groupId,
			name: textOf(entry.Name),
			ownerAccount: typeof entry.Owner_Account === "string" ? entry.Owner_Account : null,
			introduction: textOf(entry.Introduction),
			notification: textOf(entry.Notification),
			faceUrl: textOf(entry.FaceUrl),
		};
	}
	return null;
}

/** A group's current profile (`get_group_info`, as the admin account), or null when Tencent has no such group. */
export async function getGroupInfo(
	client: TencentClient,
	groupId: string,
): Promise<Result<GroupSummary | null, TencentFailure>> {
	const result = await callTencent(
		client,
		"group_open_http_svc/get_group_info",
		{ GroupIdList: [groupId] },
		"GroupInfo",
	);
	if (result.ok) return ok(groupOfAnswer(result.value, groupId));
	return result.problem.kind === "gone" ? ok(null) : result;
}

/**
 * The outcome of destroying one topic, from `destroy_topic`'s per-topic `DestroyResultItem`: the envelope's
 * OK says only that the request was read. 110003 (already deleted) counts as done, which is what a
 * destroy retried after a timeout meets. Pure.
 */
export function destroyOutcome(result: TencentResult, topicId: string): TencentResult {
	if (!result.ok) return result;
	const items = Array.isArray(result.value.DestroyResultItem) ? result.value.DestroyResultItem : [];
	const item = items.map(objectOf).find((entry) => entry?.TopicId === topicId);
	if (item === undefined || item === null)
		return refused({
			kind: "transient",
			errorCode: null,
			errorInfo: "destroy_topic did not report the topic",
		});
	const code = entryCode(item);
	if (code === 0 || code === TOPIC_DELETED) return result;
	return refused({ kind: classifyErrorCode(code), errorCode: code, errorInfo: textOf(item.ErrorInfo) });
}
