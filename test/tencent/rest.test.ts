// The REST client against the recording stand-in for Tencent: request shape, and every class of failure.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
	classifyErrorCode,
	destroyOutcome,
	destroyTopics,
	getGroupInfo,
	getTopics,
	modifyGroupName,
	modifyTopicName,
	type TencentClient,
	tencentIsolate,
} from "../../src/tencent/rest";
import { community } from "../api/admin";
import { envWith } from "../support/isolate-env";
import { scriptTencent, tencentCalls, tencentHasGroup, tencentHasTopics } from "../support/tencent-rest";

const client = (overrides: Partial<TencentClient> = {}): TencentClient => ({
	apiBase: env.TENCENT_API_BASE,
	sdkAppId: "1400000000",
	identifier: env.TENCENT_ADMIN_IDENTIFIER,
	secretKey: env.TENCENT_SECRET_KEY ?? "",
	timeoutMs: 5_000,
	isolate: tencentIsolate(envWith()),
	...overrides,
});

describe("Tencent REST client", () => {
	it("sends modify_topic with the query Tencent requires and a UserSig the oracle accepts", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "Casino" }]);
		expect(await modifyTopicName(client(), groupId, topic("a"), "Weekly chat")).toMatchObject({ ok: true });
		const [call] = await tencentCalls(groupId);
		expect(call?.command).toBe("million_group_open_http_svc/modify_topic");
		expect(call?.body).toEqual({ GroupId: groupId, TopicId: topic("a"), TopicName: "Weekly chat" });
		expect(Object.keys(call?.query ?? {}).sort()).toEqual([
			"contenttype",
			"identifier",
			"random",
			"sdkappid",
			"usersig",
		]);
		expect(call?.query).toMatchObject({
			sdkappid: "1400000000",
			identifier: "administrator",
			contenttype: "json",
		});
		const random = Number(call?.query.random);
		expect(Number.isInteger(random) && random >= 0 && random <= 4294967295).toBe(true);
		expect(call?.userSigProblem).toBeNull();
	});

	it("sends destroy_topic, get_topic and modify_group_base_info in Tencent's shapes", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [
			{ topicId: topic("a"), name: "A" },
			{ topicId: topic("b"), name: "B" },
		]);
		const profile = { introduction: "", notification: "", faceUrl: "", customData: "" };
		expect(await getTopics(client(), groupId)).toEqual({
			ok: true,
			value: [
				{ topicId: topic("a"), name: "A", ...profile },
				{ topicId: topic("b"), name: "B", ...profile },
			],
		});
		expect((await destroyTopics(client(), groupId, [topic("a")])).ok).toBe(true);
		expect((await modifyGroupName(client(), groupId, "Book club")).ok).toBe(true);
		const calls = await tencentCalls(groupId);
		expect(calls.map((c) => [c.command, c.body])).toEqual([
			["million_group_open_http_svc/get_topic", { GroupId: groupId, From_Account: "administrator" }],
			["million_group_open_http_svc/destroy_topic", { GroupId: groupId, TopicIdList: [topic("a")] }],
			["group_open_http_svc/modify_group_base_info", { GroupId: groupId, Name: "Book club" }],
		]);
	});

	it("sorts failures: 5xx, timeouts and 10002 are transient; gone, permission and signature are not", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "x" }]);
		const command = "million_group_open_http_svc/modify_topic";
		await scriptTencent(groupId, command, [
			{ status: 500 },
			{ status: 429 },
			{ hang: true },
			{ errorCode: 10002 },
			{ errorCode: 10010 },
			{ errorCode: 10007 },
			{ errorCode: 70009 },
			{ errorCode: 10004 },
			{ status: 404 },
		]);
		const kinds: unknown[] = [];
		for (let i = 0; i < 9; i++) {
			const result = await modifyTopicName(client({ timeoutMs: 300 }), groupId, topic("a"), "y");
			kinds.push(result.ok ? "ok" : [result.problem.kind, result.problem.errorCode]);
		}
		expect(kinds).toEqual([
			["transient", null],
			["transient", null],
			["transient", null],
			["transient", 10002],
			["gone", 10010],
			["permission", 10007],
			["usersig", 70009],
			["rejected", 10004],
			["rejected", null],
		]);
	});

	it("replaces an expired UserSig (70001) and calls once more", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "x" }]);
		await scriptTencent(groupId, "million_group_open_http_svc/modify_topic", [{ errorCode: 70001 }]);
		expect((await modifyTopicName(client(), groupId, topic("a"), "y")).ok).toBe(true);
		const calls = await tencentCalls(groupId);
		expect(calls.map((c) => c.answered)).toEqual(["ErrorCode 70001", "HTTP 200"]);
		// The stand-in refuses the expired ticket from then on: only a fresh one gets the 200.
		expect(calls[1]?.query.usersig).not.toBe(calls[0]?.query.usersig);
		expect(calls[1]?.userSigProblem).toBeNull();
	});

	it("is refused by Tencent (the oracle) when signed with the wrong key", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "x" }]);
		const result = await modifyTopicName(client({ secretKey: "wrong" }), groupId, topic("a"), "y");
		expect(result).toMatchObject({ ok: false, problem: { kind: "usersig", errorCode: 70009 } });
	});

	it("reads each topic's own ErrorCode in get_topic, and TopicIdList narrows the answer", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [
			{
				topicId: topic("a"),
				name: "A",
				notification: "Be kind",
				customString: "c1",
				faceUrl: "https://x/a.png",
			},
		]);
		// The top-level code says OK; topic b's own entry says it is deleted, so it is left out.
		expect(await getTopics(client(), groupId, [topic("a"), topic("b")])).toEqual({
			ok: true,
			value: [
				{
					topicId: topic("a"),
					name: "A",
					introduction: "",
					notification: "Be kind",
					faceUrl: "https://x/a.png",
					customData: "c1",
				},
			],
		});
		const [call] = await tencentCalls(groupId);
		expect(call?.body).toEqual({
			GroupId: groupId,
			From_Account: "administrator",
			TopicIdList: [topic("a"), topic("b")],
		});
		// A top-level code that is not 0 does not hide an entry that is fine ("meaningless", per Tencent).
		await scriptTencent(groupId, "million_group_open_http_svc/get_topic", [
			{
				body: {
					ActionStatus: "OK",
					ErrorCode: 0,
					ErrorInfo: "",
					TopicAndSelfInfo: [
						{ ErrorCode: 0, TopicInfo: { TopicId: topic("a"), TopicName: "A" } },
						{
							ErrorCode: 10010,
							ErrorInfo: "no such topic",
							TopicInfo: { TopicId: topic("c"), TopicName: "C" },
						},
					],
				},
			},
		]);
		const listed = await getTopics(client(), groupId, [topic("a"), topic("c")]);
		expect(listed.ok && listed.value.map((t) => t.topicId)).toEqual([topic("a")]);
		// Nor does a top-level failure hide the entries that are fine.
		await scriptTencent(groupId, "million_group_open_http_svc/get_topic", [
			{
				body: {
					ActionStatus: "FAIL",
					ErrorCode: 10004,
					ErrorInfo: "meaningless here",
					TopicAndSelfInfo: [{ ErrorCode: 0, TopicInfo: { TopicId: topic("a"), TopicName: "A" } }],
				},
			},
		]);
		const despite = await getTopics(client(), groupId, [topic("a")]);
		expect(despite.ok && despite.value.map((t) => t.name)).toEqual(["A"]);
	});

	it("reads get_group_info's per-group entry: the name and the owner, or null for a group Tencent does not have", async () => {
		const { groupId } = community();
		await tencentHasGroup(groupId, { Name: "Book club", Owner_Account: "leckie" });
		expect(await getGroupInfo(client(), groupId)).toMatchObject({
			ok: true,
			value: { groupId, name: "Book club", ownerAccount: "leckie" },
		});
		const other = community().groupId;
		expect(await getGroupInfo(client(), other)).toEqual({ ok: true, value: null });
		const calls = await tencentCalls(groupId);
		expect(calls.map((c) => [c.command, c.body])).toEqual([
			["group_open_http_svc/get_group_info", { GroupIdList: [groupId] }],
		]);
	});

	it("reads destroy_topic per topic: 110003 (already deleted) is done, another code is that topic's failure", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "A" }]);
		expect(destroyOutcome(await destroyTopics(client(), groupId, [topic("a")]), topic("a")).ok).toBe(true);
		// Again, after it is gone: Tencent answers 110003 for the topic, which counts as done.
		const again = await destroyTopics(client(), groupId, [topic("a")]);
		expect(again.ok && again.value.DestroyResultItem).toEqual([
			{ TopicId: topic("a"), ErrorCode: 110003, ErrorInfo: "topic has been deleted" },
		]);
		expect(destroyOutcome(again, topic("a")).ok).toBe(true);
		await scriptTencent(groupId, "million_group_open_http_svc/destroy_topic", [
			{
				body: {
					ActionStatus: "OK",
					ErrorCode: 0,
					ErrorInfo: "",
					DestroyResultItem: [{ TopicId: topic("a"), ErrorCode: 110002, ErrorInfo: "failed to delete" }],
				},
			},
		]);
		expect(destroyOutcome(await destroyTopics(client(), groupId, [topic("a")]), topic("a"))).toEqual({
			ok: false,
			problem: { kind: "rejected", errorCode: 110002, errorInfo: "failed to delete" },
		});
	});

	it("treats a 200 that is not JSON, or has no ErrorCode, as transient", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "x" }]);
		await scriptTencent(groupId, "million_group_open_http_svc/modify_topic", [
			{ raw: "<html>gateway</html>" },
			{ body: { ActionStatus: "OK" } },
		]);
		const first = await modifyTopicName(client(), groupId, topic("a"), "y");
		const second = await modifyTopicName(client(), groupId, topic("a"), "y");
		expect(first).toEqual({
			ok: false,
			problem: { kind: "transient", errorCode: null, errorInfo: "the answer is not JSON" },
		});
		expect(second).toEqual({
			ok: false,
			problem: { kind: "transient", errorCode: null, errorInfo: "the answer has no ErrorCode" },
		});
	});

	it.each([10006, 60007, 60008, 60011, 60018, 60019, 70169, 70202, 70500])(
		"reads ErrorCode %i (a frequency limit or 'try again later') as transient",
		async (errorCode) => {
			const { groupId, topic } = community();
			await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "x" }]);
			await scriptTencent(groupId, "million_group_open_http_svc/modify_topic", [{ errorCode }]);
			const result = await modifyTopicName(client(), groupId, topic("a"), "y");
			expect(result).toMatchObject({ ok: false, problem: { kind: "transient", errorCode } });
		},
	);

	it("reads 10003 (invalid command word) as rejected, not as a permission error", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "x" }]);
		await scriptTencent(groupId, "million_group_open_http_svc/modify_topic", [{ errorCode: 10003 }]);
		const result = await modifyTopicName(client(), groupId, topic("a"), "y");
		expect(result).toMatchObject({ ok: false, problem: { kind: "rejected", errorCode: 10003 } });
	});

	it("classifies codes without a call", () => {
		expect([10002, 10010, 10015, 10007, 70001, 70003, 12345].map(classifyErrorCode)).toEqual([
			"transient",
			"gone",
			"gone",
			"permission",
			"usersig",
			"usersig",
			"rejected",
		]);
		expect([10003, 10004, 110003, 70403, 60010, 70107].map(classifyErrorCode)).toEqual([
			"rejected",
			"rejected",
			"gone",
			"permission",
			"permission",
			"rejected",
		]);
	});
});
