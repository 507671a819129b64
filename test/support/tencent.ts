// Builds requests the way Tencent Chat sends them: the query string and the sample bodies of Tencent's callback pages.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/index";
import type { EventRecord } from "../../src/store/record-event";
import { expectAsDocumented } from "./documented";
import { envWith } from "./isolate-env";

export const SDK_APP_ID = "1400000000";

/** The callback URL for `command`, with extra or overriding query parameters. */
export function callbackUrl(command: string, extra: Record<string, string> = {}): string {
	const params = new URLSearchParams({
		SdkAppid: SDK_APP_ID,
		CallbackCommand: command,
		contenttype: "json",
		ClientIP: "127.0.0.1",
		OptPlatform: "RESTAPI",
		...extra,
	});
	return `https://webhooks.example.com/?${params}`;
}

/** A POST of `body` (an object is sent as JSON, a string as it is) to the callback URL. */
export function callbackRequest(command: string, body: unknown, extra: Record<string, string> = {}): Request {
	return new Request(callbackUrl(command, extra), {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: typeof body === "string" ? body : JSON.stringify(body),
	});
}

/**
 * Calls the Worker with `env` changed by `overrides` (vars or secrets), against the same local KV and D1, on
 * the env object kept for those overrides (test/support/isolate-env.ts: warm state across calls). A
 * 200 /api answer must match its route's documented schema (test/support/documented.ts).
 */
export async function fetchWith(request: Request, overrides: Partial<Env> = {}): Promise<Response> {
	const ctx = createExecutionContext();
	const response = await worker.fetch(
		request as Request<unknown, IncomingRequestCfProperties>,
		envWith(overrides),
		ctx,
	);
	await waitOnExecutionContext(ctx);
	await expectAsDocumented(request, response);
	return response;
}

/** Sends a callback and returns the status and parsed JSON body. */
export async function sendCallback(
	command: string,
	body: unknown,
	options: { extra?: Record<string, string>; env?: Partial<Env> } = {},
): Promise<{ status: number; json: { ActionStatus: string; ErrorCode: number; ErrorInfo: string } }> {
	const response = await fetchWith(callbackRequest(command, body, options.extra), options.env);
	return { status: response.status, json: await response.json() };
}

/** The callback token of {@link sendSignedCallback}: callbacks signed as a deployed Worker requires. */
export const TEST_CALLBACK_TOKEN = "callback-token-of-the-signed-tests";

/** Tencent's Sign, computed here with Web Crypto (not the Worker's own helper): hex SHA-256 of token + time. */
async function signOf(token: string, requestTime: string): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token + requestTime));
	return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Sends a callback signed with {@link TEST_CALLBACK_TOKEN} (`RequestTime` now, or as given), to a Worker
 * that requires it: what enforcement needs before it calls Tencent (an unsigned callback only records).
 */
export async function sendSignedCallback(
	command: string,
	body: unknown,
	options: { requestTime?: number; sdkAppId?: string; env?: Partial<Env> } = {},
): ReturnType<typeof sendCallback> {
	const requestTime = String(options.requestTime ?? Math.floor(Date.now() / 1000));
	const app: Record<string, string> = options.sdkAppId === undefined ? {} : { SdkAppid: options.sdkAppId };
	return sendCallback(command, body, {
		extra: { RequestTime: requestTime, Sign: await signOf(TEST_CALLBACK_TOKEN, requestTime), ...app },
		env: {
			CALLBACK_TOKEN: TEST_CALLBACK_TOKEN,
			...(options.sdkAppId === undefined ? {} : { SDKAPPID: `${SDK_APP_ID},${options.sdkAppId}` }),
			...options.env,
		},
	});
}

/** A unique suffix, so tests sharing a database never collide. */
export function unique(): string {
	return crypto.randomUUID().slice(0, 8);
}

/** The five product pages' sample bodies (comments removed), and the sibling group callbacks'. */
export const samples = {
	beforeCreateTopic: () => ({
		CallbackCommand: "Group.CallbackBeforeCreateTopic",
		Operator_Account: "leckie",
		Type: "Community",
		Name: "MyFirstTopic",
	}),
	afterCreateTopic: (
		topicId = "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_@TOPIC#cRTE3HIM62C5",
		groupId = "@TGS#2J4SZEAEL",
	) => ({
		CallbackCommand: "Group.CallbackAfterCreateTopic",
		GroupId: groupId,
		TopicId: topicId,
		Operator_Account: "group_root",
		Owner_Account: "leckie",
		Type: "Community",
		Name: "MyFirstTopic",
		UserDefinedDataList: [
			{ Key: "UserDefined1", Value: "hello" },
			{ Key: "UserDefined2", Value: "world" },
		],
	}),
	afterTopicDestroyed: (
		topicIds = ["@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic_1"],
		groupId = "@TGS#_@TGS#cQVLVHIM62CJ",
	) => ({
		CallbackCommand: "Group.CallbackAfterTopicDestroyed",
		GroupId: groupId,
		Type: "Community",
		TopicIdList: topicIds,
	}),
	afterTopicInfoChanged: (groupId = "@TGS#2J4SZEAEL", extra: Record<string, unknown> = {}) => ({
		CallbackCommand: "Group.CallbackAfterTopicInfoChanged",
		GroupId: groupId,
		Type: "Community",
		Operator_Account: "leckie",
		Name: "TestTopic",
		Introduction: "TestIntroduction",
		Notification: "NewNotification",
		FaceUrl: "http://this.is.face.url",
		...extra,
	}),
	afterGroupDestroyed: (groupId = "@TGS#2J4SZEAEL") => ({
		CallbackCommand: "Group.CallbackAfterGroupDestroyed",
		GroupId: groupId,
		Type: "Public",
		Owner_Account: "leckie",
		Name: "MyFirstGroup",
		MemberList: [{ Member_Account: "leckie" }, { Member_Account: "peter" }, { Member_Account: "bob" }],
		EventTime: "1670574414123",
	}),
	beforeCreateGroup: () => ({
		CallbackCommand: "Group.CallbackBeforeCreateGroup",
		Operator_Account: "leckie",
		Owner_Account: "leckie",
		Type: "Public",
		Name: "MyFirstGroup",
		CreateGroupNum: 1,
		MemberList: [{ Member_Account: "bob" }],
		EventTime: 1670574414123,
	}),
	afterCreateGroup: (groupId = "@TGS#2J4SZEAEL") => ({
		CallbackCommand: "Group.CallbackAfterCreateGroup",
		GroupId: groupId,
		Operator_Account: "leckie",
		Owner_Account: "leckie",
		Type: "Public",
		Name: "MyFirstGroup",
		MemberList: [{ Member_Account: "leckie" }, { Member_Account: "bob" }],
		EventTime: 1670574414123,
	}),
	afterGroupInfoChanged: (groupId = "@TGS#2J4SZEAEL") => ({
		CallbackCommand: "Group.CallbackAfterGroupInfoChanged",
		GroupId: groupId,
		Type: "Public",
		Operator_Account: "leckie",
		Notification: "new notice",
		EventTime: "1670574414123",
	}),
};

/** The EventRecord the callback path builds for an AfterCreateTopic sample. */
export function createTopicRecord(groupId: string, topicId: string): EventRecord {
	const body = samples.afterCreateTopic(topicId, groupId);
	return {
		command: body.CallbackCommand,
		sdkAppId: "1400000000",
		deliveryKey: null,
		facts: {
			groupId,
			topicIds: [topicId],
			operatorAccount: body.Operator_Account,
			eventTime: null,
			topicChange: {
				kind: "create",
				topicId,
				groupId,
				name: body.Name,
				ownerAccount: body.Owner_Account,
				createdBy: body.Operator_Account,
			},
		},
		payload: JSON.stringify(body),
		receivedAt: Date.now(),
	};
}
