// The workerd side of the recording stand-in for Tencent's REST API (test/support/fake-tencent.mjs, reached
// through the outbound fetch handler): set up a community's topics, script failures, read what was called.
import { env } from "cloudflare:test";

/** A request the stand-in received. */
export interface RecordedCall {
	at: number;
	command: string;
	query: Record<string, string>;
	body: Record<string, unknown>;
	/** Null when the UserSig matched what Tencent's tls-sig-api-v2 issues for the same time. */
	userSigProblem: string | null;
	answered: string;
}

/** One scripted answer of the stand-in. */
export type ScriptedAnswer =
	| { status: number }
	| { errorCode: number; errorInfo?: string }
	| { body: Record<string, unknown> }
	| { raw: string }
	| { hang: true };

/** A topic as a test sets it up on Tencent's side. */
export interface FakeTopic {
	topicId: string;
	name: string;
	introduction?: string;
	notification?: string;
	faceUrl?: string;
	customString?: string;
}

async function control<T>(path: string, body: Record<string, unknown>): Promise<T> {
	const response = await fetch(`${env.TENCENT_API_BASE}/__control/${path}`, {
		method: "POST",
		body: JSON.stringify(body),
	});
	if (!response.ok) throw new Error(`fake Tencent control ${path}: HTTP ${response.status}`);
	return response.json<T>();
}

/** Tells the stand-in which topics a community has on Tencent's side. */
export function tencentHasTopics(groupId: string, topics: FakeTopic[]): Promise<unknown> {
	return control("topics", { groupId, topics });
}

/** Tells the stand-in a group's profile on Tencent's side (what get_group_info reports). */
export function tencentHasGroup(
	groupId: string,
	group: { Name: string; Owner_Account?: string; Introduction?: string },
): Promise<unknown> {
	return control("group", { groupId, group });
}

/** The names Tencent's side holds now for a community's topics, and its group profile. */
export function tencentState(
	groupId: string,
): Promise<{ topics: Record<string, string>; group: Record<string, unknown> | null }> {
	return control("state", { groupId });
}

/** The next answers the stand-in gives to `command` for this community (then it answers normally). */
export function scriptTencent(groupId: string, command: string, answers: ScriptedAnswer[]): Promise<unknown> {
	return control("script", { groupId, command, answers });
}

/** Every REST call the stand-in received for this community, oldest first. */
export function tencentCalls(groupId: string): Promise<RecordedCall[]> {
	return control("calls", { groupId });
}

/** Every REST call the stand-in received whose body names `text` anywhere, whatever its GroupId. */
export function tencentCallsNaming(text: string): Promise<RecordedCall[]> {
	return control("calls-naming", { text });
}

/** The oracle's opinion of a UserSig (Tencent's own package, in Node): null when it is right. */
export async function userSigProblem(
	userSig: string,
	sdkAppId: string,
	identifier: string,
): Promise<string | null> {
	const { problem } = await control<{ problem: string | null }>("verify-usersig", {
		userSig,
		sdkAppId,
		identifier,
	});
	return problem;
}
