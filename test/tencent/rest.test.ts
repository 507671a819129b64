// The REST client against the recording stand-in for Tencent: request shape, and every class of failure.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
	classifyErrorCode,
	destroyTopics,
	getTopics,
	modifyGroupName,
	modifyTopicName,
	type TencentClient,
} from "../../src/tencent/rest";
import { community } from "../api/admin";
import { scriptTencent, tencentCalls, tencentHasTopics } from "../support/tencent-rest";

const client = (overrides: Partial<TencentClient> = {}): TencentClient => ({
	apiBase: env.TENCENT_API_BASE,
	sdkAppId: "1400000000",
	identifier: env.TENCENT_ADMIN_IDENTIFIER,
	secretKey: env.TENCENT_SECRET_KEY ?? "",
	timeoutMs: 5_000,
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
		expect(await getTopics(client(), groupId)).toEqual({
			ok: true,
			value: [
				{ topicId: topic("a"), name: "A" },
				{ topicId: topic("b"), name: "B" },
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
		expect((await tencentCalls(groupId)).map((c) => c.answered)).toEqual(["ErrorCode 70001", "HTTP 200"]);
	});

	it("is refused by Tencent (the oracle) when signed with the wrong key", async () => {
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("a"), name: "x" }]);
		const result = await modifyTopicName(client({ secretKey: "wrong" }), groupId, topic("a"), "y");
		expect(result).toMatchObject({ ok: false, problem: { kind: "usersig", errorCode: 70009 } });
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
	});
});
