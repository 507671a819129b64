// Renames and unchecked creations, end to end: callbacks as Tencent sends them, the real local queue and its
// consumer (this Worker), the ledger read through GET /api/enforcement, and the REST calls the recording
// stand-in for Tencent received.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { community } from "../api/admin";
import { sendSignedCallback } from "../support/tencent";
import { tencentCalls, tencentCallsNaming, tencentHasGroup, tencentHasTopics } from "../support/tencent-rest";
import { actionsOf, created, enforcementDrained, settledActions, usePolicy } from "./support";

const MODIFY = "million_group_open_http_svc/modify_topic";
const DESTROY = "million_group_open_http_svc/destroy_topic";
const GET = "million_group_open_http_svc/get_topic";

function createTopic(groupId: string, topicId: string, name: string, operator = "leckie") {
	return sendSignedCallback("Group.CallbackAfterCreateTopic", created(groupId, topicId, name, operator));
}

/** Tencent's rename sample: only GroupId, no TopicId; `extra` adds or overrides fields. */
function renameTopic(
	groupId: string,
	name: string,
	extra: Record<string, unknown> = {},
	delivery: { requestTime?: number } = {},
) {
	return sendSignedCallback(
		"Group.CallbackAfterTopicInfoChanged",
		{
			CallbackCommand: "Group.CallbackAfterTopicInfoChanged",
			GroupId: groupId,
			Type: "Community",
			Operator_Account: "leckie",
			Name: name,
			Introduction: "TestIntroduction",
			...extra,
		},
		delivery,
	);
}

describe("renames to a name the policy refuses", () => {
	it("reverts to the last allowed name with one modify_topic call carrying a verified UserSig", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		const topicId = topic("weekly");
		await tencentHasTopics(groupId, [{ topicId, name: "C4sino night" }]);
		expect((await createTopic(groupId, topicId, "Weekly chat")).status).toBe(200);
		expect((await renameTopic(groupId, "Book club", { TopicId: topicId })).status).toBe(200);
		const answer = await renameTopic(groupId, "C4sino night", { TopicId: topicId });
		expect(answer).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });

		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({
			target: "topic",
			group_id: groupId,
			topic_id: topicId,
			trigger: "Group.CallbackAfterTopicInfoChanged",
			operator_account: "leckie",
			rule: 'names.banned[0] "casino"',
			old_name: "C4sino night",
			new_name: "Book club",
			action: "revert",
			status: "done",
			attempts: 1,
			error_code: null,
		});
		const calls = await tencentCalls(groupId);
		// First Tencent's word on the topic's name, then the one change.
		expect(calls.map((call) => [call.command, call.body])).toEqual([
			[GET, { GroupId: groupId, From_Account: "administrator", TopicIdList: [topicId] }],
			[MODIFY, { GroupId: groupId, TopicId: topicId, TopicName: "Book club" }],
		]);
		expect(calls.map((call) => call.userSigProblem)).toEqual([null, null]);
		expect(row?.confirmed_name).toBe("C4sino night");
		expect(row?.requested_by).toBe("callback");
		// The allowed renames before it recorded nothing.
		expect(await actionsOf({ topic: topicId })).toHaveLength(1);
	});

	it("resolves a rename without TopicId through get_topic, and tracks it in topics", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await createTopic(groupId, topicId, "Weekly chat");
		await tencentHasTopics(groupId, [
			{ topicId, name: "Casino night" },
			{ topicId: topic("t2"), name: "Other" },
		]);
		expect((await renameTopic(groupId, "Casino night")).status).toBe(200);
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ status: "done", old_name: "Casino night", new_name: "Weekly chat" });
		const calls = await tencentCalls(groupId);
		expect(calls.map((call) => call.command)).toEqual([GET, GET, MODIFY]);
		expect(calls[2]?.body).toEqual({ GroupId: groupId, TopicId: topicId, TopicName: "Weekly chat" });
		const stored = await env.DB.prepare("SELECT name FROM topics WHERE topic_id = ?").bind(topicId).first();
		expect(stored).toEqual({ name: "Casino night" });
	});

	it("takes the topic from a GroupId in topic form without asking Tencent", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await createTopic(groupId, topicId, "Weekly chat");
		await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
		await renameTopic(topicId, "casino");
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ status: "done", group_id: groupId, new_name: "Weekly chat" });
		// Only the confirmation reads Tencent: the topic was not looked up by name.
		expect((await tencentCalls(groupId)).map((call) => call.command)).toEqual([GET, MODIFY]);
		const stored = await env.DB.prepare("SELECT name FROM topics WHERE topic_id = ?").bind(topicId).first();
		expect(stored).toEqual({ name: "casino" });
	});

	it("records a rename it cannot resolve, and never guesses", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [
			{ topicId: topic("t1"), name: "Casino" },
			{ topicId: topic("t2"), name: "Casino" },
		]);
		await renameTopic(groupId, "Casino");
		const [row] = await settledActions({ group: groupId });
		expect(row).toMatchObject({ status: "skipped", topic_id: null, action: "revert" });
		expect(row?.reason).toContain("get_topic lists 2 topics");
		expect((await tencentCalls(groupId)).map((call) => call.command)).toEqual([GET]);
	});

	it("resolves a text change without TopicId by the text Tencent reports, and clears it there", async () => {
		await usePolicy({ texts: "clear" }, { texts: {} });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		const notification = "Chips at the c4s1no tonight";
		await tencentHasTopics(groupId, [
			{ topicId, name: "Card games", notification },
			{ topicId: topic("t2"), name: "Other", notification: "See you Sunday" },
		]);
		// Tencent's sample: no TopicId; the name and the other texts allowed.
		await renameTopic(groupId, "Card games", { Notification: notification });
		await enforcementDrained();
		const rows = await settledActions({ topic: topicId });
		expect(rows.map((row) => [row.field, row.action, row.status, row.new_name])).toEqual([
			["notification", "clear", "done", ""],
		]);
		const modifies = (await tencentCalls(groupId)).filter((call) => call.command === MODIFY);
		expect(modifies.map((call) => call.body)).toEqual([
			{ GroupId: groupId, TopicId: topicId, Notification: "" },
		]);
	});

	it("records a text change it cannot tie to one topic, and calls nothing but get_topic", async () => {
		await usePolicy({ texts: "clear" }, { texts: {} });
		const { groupId, topic } = community();
		const notification = "Chips at the c4s1no tonight";
		await tencentHasTopics(groupId, [
			{ topicId: topic("t1"), name: "Card games", notification },
			{ topicId: topic("t2"), name: "Other", notification },
		]);
		await renameTopic(groupId, "Card games", { Notification: notification });
		await enforcementDrained();
		const rows = (await settledActions({ group: groupId })).filter((row) => row.field === "notification");
		expect(rows).toEqual([expect.objectContaining({ status: "skipped", topic_id: null, action: "clear" })]);
		expect(rows[0]?.reason).toContain("get_topic lists 2 topics whose notification is");
		expect((await tencentCalls(groupId)).every((call) => call.command === GET)).toBe(true);
	});

	it("uses fallbackName when no earlier name is allowed", async () => {
		await usePolicy({ renames: "revert", fallbackName: "Tidy topic" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await tencentHasTopics(groupId, [{ topicId, name: "Casino two" }]);
		await createTopic(groupId, topicId, "Casino one", "trusted");
		await renameTopic(groupId, "Casino two", { TopicId: topicId });
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ status: "done", new_name: "Tidy topic" });
	});

	it("destroys the topic when renames is destroy", async () => {
		await usePolicy({ renames: "destroy" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await tencentHasTopics(groupId, [
			{ topicId, name: "casino", introduction: "Cards", notification: "Fridays", customString: '{"tier":2}' },
		]);
		await renameTopic(groupId, "casino", { TopicId: topicId });
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ action: "destroy", status: "done", new_name: null });
		const calls = await tencentCalls(groupId);
		expect(calls.map((call) => [call.command, call.body])).toEqual([
			[GET, { GroupId: groupId, From_Account: "administrator", TopicIdList: [topicId] }],
			[DESTROY, { GroupId: groupId, TopicIdList: [topicId] }],
		]);
		// What the destroy removed, from Tencent's answer, so a moderator can recreate the topic.
		expect(row?.last_state).toEqual({
			name: "casino",
			introduction: "Cards",
			notification: "Fridays",
			faceUrl: "",
			owner: null,
			customData: '{"tier":2}',
		});
	});

	it("acts once when Tencent delivers the same after-event twice", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
		await createTopic(groupId, topicId, "Weekly chat");
		// A redelivery is the same request: the same URL (RequestTime and Sign) and body.
		const requestTime = Math.floor(Date.now() / 1000);
		await renameTopic(groupId, "casino", { TopicId: topicId }, { requestTime });
		await renameTopic(groupId, "casino", { TopicId: topicId }, { requestTime });
		await settledActions({ topic: topicId });
		await enforcementDrained();
		expect(await actionsOf({ topic: topicId })).toHaveLength(1);
		expect((await tencentCalls(groupId)).filter((call) => call.command === MODIFY)).toHaveLength(1);
	});

	it("stores but never acts on the admin identifier's own change (the loop guard)", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		// Tencent does list the refused name: only the guard stands between this change and a revert.
		await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
		expect(
			(await renameTopic(groupId, "casino", { TopicId: topicId, Operator_Account: "administrator" })).status,
		).toBe(200);
		await enforcementDrained();
		expect(await actionsOf({ topic: topicId })).toEqual([]);
		expect(await tencentCallsNaming(topicId)).toEqual([]);
		expect(await tencentCalls(groupId)).toEqual([]);
		const stored = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE topic_id = ?")
			.bind(topicId)
			.first();
		expect(stored).toEqual({ n: 1 });
	});

	it("leaves operators in bypass alone", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
		await renameTopic(groupId, "casino", { TopicId: topicId, Operator_Account: "trusted" });
		await enforcementDrained();
		expect(await actionsOf({ topic: topicId })).toEqual([]);
		expect(await tencentCallsNaming(topicId)).toEqual([]);
	});

	it("in dry-run records what it would do and calls nothing", async () => {
		await usePolicy({ renames: "revert" }, { mode: "dry-run" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
		await renameTopic(groupId, "casino", { TopicId: topicId });
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ status: "skipped", action: "revert", reason: "dry-run: would revert" });
		await enforcementDrained();
		expect(await tencentCallsNaming(topicId)).toEqual([]);
	});

	it("only logs for a policy without an enforcement section", async () => {
		await usePolicy(undefined);
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
		await renameTopic(groupId, "casino", { TopicId: topicId });
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ status: "skipped", action: "log", reason: 'enforcement.renames is "log"' });
		await enforcementDrained();
		expect(await tencentCallsNaming(topicId)).toEqual([]);
	});
});

describe("creations that went live although the policy refuses them", () => {
	it("renames them to fallbackName", async () => {
		await usePolicy({ creates: "rename", fallbackName: "Renamed topic" });
		const { groupId, topic } = community();
		const topicId = topic("t1");
		await tencentHasTopics(groupId, [{ topicId, name: "Casino" }]);
		await createTopic(groupId, topicId, "Casino");
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({
			trigger: "Group.CallbackAfterCreateTopic",
			action: "rename",
			status: "done",
		});
		expect((await tencentCalls(groupId)).map((call) => call.body)).toEqual([
			{ GroupId: groupId, From_Account: "administrator", TopicIdList: [topicId] },
			{ GroupId: groupId, TopicId: topicId, TopicName: "Renamed topic" },
		]);
	});

	it("destroys them, and leaves allowed creations alone", async () => {
		await usePolicy({ creates: "destroy" });
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [
			{ topicId: topic("bad"), name: "Casino" },
			{ topicId: topic("good"), name: "Weekly chat" },
		]);
		await createTopic(groupId, topic("good"), "Weekly chat");
		await createTopic(groupId, topic("bad"), "Casino");
		await settledActions({ topic: topic("bad") });
		await enforcementDrained();
		expect(await actionsOf({ topic: topic("good") })).toEqual([]);
		expect((await tencentCalls(groupId)).map((call) => [call.command, call.body])).toEqual([
			[GET, { GroupId: groupId, From_Account: "administrator", TopicIdList: [topic("bad")] }],
			[DESTROY, { GroupId: groupId, TopicIdList: [topic("bad")] }],
		]);
	});
});

describe("group names (groupCreation rules)", () => {
	it("reverts a group renamed to a refused name through modify_group_base_info", async () => {
		await usePolicy({ renames: "revert" }, { groupCreation: {} });
		const groupId = `@TGS#2${crypto.randomUUID().slice(0, 8)}`;
		await tencentHasGroup(groupId, { Name: "Casino club", Owner_Account: "leckie" });
		await sendSignedCallback("Group.CallbackAfterCreateGroup", {
			CallbackCommand: "Group.CallbackAfterCreateGroup",
			GroupId: groupId,
			Operator_Account: "leckie",
			Owner_Account: "leckie",
			Type: "Public",
			Name: "Book club",
			EventTime: Date.now(),
		});
		await sendSignedCallback("Group.CallbackAfterGroupInfoChanged", {
			CallbackCommand: "Group.CallbackAfterGroupInfoChanged",
			GroupId: groupId,
			Type: "Public",
			Operator_Account: "leckie",
			Name: "Casino club",
			EventTime: Date.now() + 1,
		});
		const [row] = await settledActions({ group: groupId });
		expect(row).toMatchObject({
			target: "group",
			status: "done",
			old_name: "Casino club",
			new_name: "Book club",
		});
		expect((await tencentCalls(groupId)).map((call) => [call.command, call.body])).toEqual([
			["group_open_http_svc/get_group_info", { GroupIdList: [groupId] }],
			["group_open_http_svc/modify_group_base_info", { GroupId: groupId, Name: "Book club" }],
		]);
	});
});
