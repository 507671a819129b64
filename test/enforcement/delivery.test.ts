// The enforcement queue's consumer called directly with a batch (as the runtime calls it): retries with
// backoff for what may succeed later, a record without retry for what will not, and nothing called before the
// ledger holds the row.
import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { enforcementRetryDelay, MAX_ATTEMPTS } from "../../src/enforcement/actions";
import type { EnforcementMessage } from "../../src/enforcement/recheck";
import worker from "../../src/index";
import { community, healthDetails } from "../api/admin";
import { unique } from "../support/tencent";
import { scriptTencent, tencentCalls, tencentHasTopics } from "../support/tencent-rest";
import { d1Down } from "../sync/faults";
import { actionsOf, usePolicy } from "./support";

const MODIFY = "million_group_open_http_svc/modify_topic";
const DESTROY = "million_group_open_http_svc/destroy_topic";

/** The destroy_topic calls the stand-in received for a community (each follows its get_topic). */
const destroyCalls = async (groupId: string) =>
	(await tencentCalls(groupId)).filter((call) => call.command === DESTROY);

/** A rename of `topicId` to "casino" by leckie, as recheck queues it. */
function renameMessage(groupId: string, topicId: string | null): EnforcementMessage {
	return {
		kind: "event",
		command: "Group.CallbackAfterTopicInfoChanged",
		sdkAppId: "1400000000",
		target: "topic",
		event: "rename",
		groupId,
		topicId,
		name: "casino",
		operatorAccount: "leckie",
		key: `test-${unique()}`,
		previousKey: null,
		at: Date.now(),
		authenticated: true,
	};
}

/** Runs the Worker's queue handler on one message, delivered for the `attempts`-th time. */
async function consume(body: unknown, overrides: Partial<Env> = {}, attempts = 1) {
	const batch = createMessageBatch<unknown>("tencent-chat-enforcement", [
		{ id: `m-${unique()}`, timestamp: new Date(), attempts, body },
	]);
	const ctx = createExecutionContext();
	await worker.queue(batch, { ...env, ...overrides }, ctx);
	return getQueueResult(batch, ctx);
}

async function setUp() {
	await usePolicy({ renames: "destroy" });
	const { groupId, topic } = community();
	const topicId = topic("t1");
	await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
	return { groupId, topicId, message: renameMessage(groupId, topicId) };
}

describe("enforcement queue consumer", () => {
	it("retries with backoff on HTTP 500, then succeeds once, on the same ledger row", async () => {
		const { groupId, topicId, message } = await setUp();
		await scriptTencent(groupId, "million_group_open_http_svc/destroy_topic", [{ status: 500 }]);
		const first = await consume(message);
		expect(first.retryMessages).toEqual([{ msgId: expect.any(String) }]);
		expect(await actionsOf({ topic: topicId })).toMatchObject([
			{ status: "pending", attempts: 1, error_code: null, error_info: "HTTP 500" },
		]);
		const second = await consume(message, {}, 2);
		expect(second.retryMessages).toEqual([]);
		expect(second.explicitAcks).toHaveLength(1);
		expect(await actionsOf({ topic: topicId })).toMatchObject([{ status: "done", attempts: 2 }]);
		expect((await destroyCalls(groupId)).map((call) => call.answered)).toEqual(["HTTP 500", "HTTP 200"]);
	});

	it("retries a call Tencent does not answer in time, and a transient ErrorCode", async () => {
		const { groupId, topicId, message } = await setUp();
		await scriptTencent(groupId, "million_group_open_http_svc/destroy_topic", [
			{ hang: true },
			{ errorCode: 10002 },
		]);
		const first = await consume(message, { TENCENT_TIMEOUT_MS: "300" });
		expect(first.retryMessages).toHaveLength(1);
		expect(await actionsOf({ topic: topicId })).toMatchObject([
			{ status: "pending", error_info: "no answer within 300 ms" },
		]);
		const second = await consume(message, {}, 2);
		expect(second.retryMessages).toHaveLength(1);
		expect(await actionsOf({ topic: topicId })).toMatchObject([{ status: "pending", error_code: 10002 }]);
	});

	it("records a destroy retried after a timeout as done when Tencent answers 110003 for the topic", async () => {
		const { groupId, topicId, message } = await setUp();
		await scriptTencent(groupId, DESTROY, [
			{ hang: true },
			{
				body: {
					ActionStatus: "OK",
					ErrorCode: 0,
					ErrorInfo: "",
					DestroyResultItem: [{ TopicId: topicId, ErrorCode: 110003, ErrorInfo: "topic has been deleted" }],
				},
			},
		]);
		expect((await consume(message, { TENCENT_TIMEOUT_MS: "300" })).retryMessages).toHaveLength(1);
		await consume(message, {}, 2);
		expect(await actionsOf({ topic: topicId })).toMatchObject([{ status: "done", attempts: 2 }]);
	});

	it.each([10006, 60008, 70500])(
		"retries a destroy answered with ErrorCode %i, with backoff",
		async (errorCode) => {
			const { groupId, topicId, message } = await setUp();
			await scriptTencent(groupId, DESTROY, [{ errorCode }]);
			const first = await consume(message);
			expect(first.retryMessages).toHaveLength(1);
			expect(await actionsOf({ topic: topicId })).toMatchObject([
				{ status: "pending", error_code: errorCode },
			]);
			await consume(message, {}, 2);
			expect(await actionsOf({ topic: topicId })).toMatchObject([{ status: "done" }]);
		},
	);

	it("skips the topic when get_topic's own entry for it carries a code, whatever the top-level code", async () => {
		const { groupId, topicId, message } = await setUp();
		await scriptTencent(groupId, "million_group_open_http_svc/get_topic", [
			{
				body: {
					ActionStatus: "OK",
					ErrorCode: 0,
					ErrorInfo: "",
					TopicAndSelfInfo: [
						{ ErrorCode: 110003, ErrorInfo: "deleted", TopicInfo: { TopicId: topicId, TopicName: "casino" } },
					],
				},
			},
		]);
		await consume(message);
		expect(await actionsOf({ topic: topicId })).toMatchObject([
			{ status: "skipped", reason: "Tencent does not list the topic: it is gone" },
		]);
		expect(await destroyCalls(groupId)).toEqual([]);
	});

	it("records a transient failure as failed after the last attempt", async () => {
		const { groupId, topicId, message } = await setUp();
		await scriptTencent(
			groupId,
			"million_group_open_http_svc/destroy_topic",
			Array(MAX_ATTEMPTS).fill({ status: 503 }),
		);
		for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) await consume(message, {}, attempt);
		const [row] = await actionsOf({ topic: topicId });
		expect(row).toMatchObject({
			status: "failed",
			attempts: MAX_ATTEMPTS,
			reason: `gave up after ${MAX_ATTEMPTS} attempts`,
		});
	});

	it.each([
		[10010, "the topic or group no longer exists"],
		[10007, "the admin identifier may not do this"],
		[70003, "Tencent refused the UserSig"],
		[10004, "Tencent refused the call"],
	])("records ErrorCode %i as failed without retrying", async (errorCode, reason) => {
		const { groupId, topicId, message } = await setUp();
		await scriptTencent(groupId, "million_group_open_http_svc/destroy_topic", [
			{ errorCode, errorInfo: `code ${errorCode}` },
		]);
		const result = await consume(message);
		expect(result.retryMessages).toEqual([]);
		const [row] = await actionsOf({ topic: topicId });
		expect(row).toMatchObject({
			status: "failed",
			attempts: 1,
			error_code: errorCode,
			error_info: `code ${errorCode}`,
		});
		expect(row?.reason).toContain(reason);
		// A later delivery of the same message calls nothing.
		const before = (await tencentCalls(groupId)).length;
		await consume(message, {}, 2);
		expect(await destroyCalls(groupId)).toHaveLength(1);
		expect(await tencentCalls(groupId)).toHaveLength(before);
	});

	it("calls nothing and retries the message when D1 fails while recording", async () => {
		const { groupId, topicId, message } = await setUp();
		const result = await consume(message, { DB: d1Down() });
		expect(result.retryMessages).toHaveLength(1);
		expect(await tencentCalls(groupId)).toEqual([]);
		expect(await actionsOf({ topic: topicId })).toEqual([]);
		// Once D1 is back, the redelivery acts.
		await consume(message, {}, 2);
		expect(await actionsOf({ topic: topicId })).toMatchObject([{ status: "done" }]);
	});

	it("without a key records the refusal as skipped and calls nothing", async () => {
		const { groupId, topicId, message } = await setUp();
		await consume(message, { TENCENT_SECRET_KEY: undefined });
		expect(await actionsOf({ topic: topicId })).toMatchObject([
			{ status: "skipped", action: "destroy", reason: expect.stringContaining("no TENCENT_SECRET_KEY") },
		]);
		expect(await tencentCalls(groupId)).toEqual([]);
	});

	it("uses the SdkAppid's own key when one is set", async () => {
		const { topicId, message } = await setUp();
		const keyed = {
			...env,
			TENCENT_SECRET_KEY: "wrong",
			TENCENT_SECRET_KEY_1400000000: env.TENCENT_SECRET_KEY,
		};
		await consume(message, keyed as Partial<Env>);
		expect(await actionsOf({ topic: topicId })).toMatchObject([{ status: "done" }]);
	});

	it("backs off 5 s doubling to 10 minutes", () => {
		expect([1, 2, 3, 4, 7, 8, 30].map(enforcementRetryDelay)).toEqual([5, 10, 20, 40, 320, 600, 600]);
	});

	it("acknowledges a message that is not one of its own, without acting", async () => {
		const result = await consume({ kind: "something else" });
		expect(result.explicitAcks).toHaveLength(1);
		expect(result.retryMessages).toEqual([]);
	});

	it("never calls modify_topic twice for one row, even when two deliveries race", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
		const message = renameMessage(groupId, topicId);
		await Promise.all([consume(message), consume(message)]);
		expect((await tencentCalls(groupId)).filter((call) => call.command === MODIFY)).toHaveLength(1);
		expect(await actionsOf({ topic: topicId })).toMatchObject([{ status: "done", attempts: 1 }]);
	});
});

describe("GET /healthz", () => {
	it("says whether enforcement can act, and warns when a SdkAppid has no key", async () => {
		const read = async (overrides: Partial<Env>) =>
			(await healthDetails<{ enforcement: Record<string, unknown> }>(overrides)).json;
		const signed = { CALLBACK_TOKEN: "a-callback-token" };
		expect((await read(signed)).enforcement).toEqual({
			apiBase: env.TENCENT_API_BASE,
			adminIdentifier: "administrator",
			restApi: "on",
		});
		expect((await read({ ...signed, TENCENT_SECRET_KEY: undefined })).enforcement).toMatchObject({
			restApi: "off",
			warning: expect.stringContaining('enforcement stays "log"'),
		});
		// The test Worker accepts unsigned callbacks: then enforcement only records, and /healthz says so.
		expect((await read({})).enforcement).toMatchObject({
			restApi: "on",
			warning: expect.stringContaining("calls nothing for them"),
		});
	});
});
