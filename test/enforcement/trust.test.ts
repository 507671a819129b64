// Enforcement acts only on what Tencent confirms: a callback body is a claim (Tencent's Sign does not cover
// it), so before any modify or destroy the Worker reads the target from Tencent and judges the name Tencent
// reports; unsigned callbacks only record; the hourly caps hold what a mistake could do; each creation and
// deletion is stored once, whatever the delivery.
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { UNSIGNED_REASON } from "../../src/enforcement/actions";
import { apiGet, apiPost, community } from "../api/admin";
import { sendCallback, sendSignedCallback, unique } from "../support/tencent";
import { tencentCalls, tencentCallsNaming, tencentHasGroup, tencentHasTopics } from "../support/tencent-rest";
import { actionsOf, created, enforcementDrained, settledActions, usePolicy } from "./support";

const DESTROY = "million_group_open_http_svc/destroy_topic";
const GET = "million_group_open_http_svc/get_topic";

const renamed = (groupId: string, topicId: string, name: string) => ({
	CallbackCommand: "Group.CallbackAfterTopicInfoChanged",
	GroupId: groupId,
	TopicId: topicId,
	Type: "Community",
	Operator_Account: "leckie",
	Name: name,
});

describe("forged after-events", () => {
	it("destroy nothing when Tencent lists the topic under an innocent name", async () => {
		await usePolicy({ creates: "destroy" });
		const { groupId, topic } = community();
		const topicId = topic("garden");
		await tencentHasTopics(groupId, [{ topicId, name: "Garden club" }]);
		await sendSignedCallback("Group.CallbackAfterCreateTopic", created(groupId, topicId, "casino"));
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ action: "destroy", status: "skipped", confirmed_name: "Garden club" });
		expect(row?.reason).toContain('Tencent reports the name "Garden club"');
		expect((await tencentCallsNaming(topicId)).map((call) => call.command)).toEqual([GET]);
	});

	it("rename nothing when Tencent lists the topic under an innocent name", async () => {
		await usePolicy({ renames: "revert" });
		const { groupId, topic } = community();
		const topicId = topic("chess");
		await tencentHasTopics(groupId, [{ topicId, name: "Chess corner" }]);
		await sendSignedCallback("Group.CallbackAfterTopicInfoChanged", renamed(groupId, topicId, "casino"));
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ action: "revert", status: "skipped", confirmed_name: "Chess corner" });
		expect((await tencentCallsNaming(topicId)).map((call) => call.command)).toEqual([GET]);
	});

	it("skip a topic Tencent does not list, as gone", async () => {
		await usePolicy({ renames: "destroy" });
		const { groupId, topic } = community();
		await tencentHasTopics(groupId, [{ topicId: topic("other"), name: "casino" }]);
		await sendSignedCallback(
			"Group.CallbackAfterTopicInfoChanged",
			renamed(groupId, topic("ghost"), "casino"),
		);
		const [row] = await settledActions({ topic: topic("ghost") });
		expect(row).toMatchObject({ status: "skipped", reason: "Tencent does not list the topic: it is gone" });
		expect((await tencentCalls(groupId)).map((call) => call.command)).toEqual([GET]);
	});

	it("never act when the callback was not signed: the ledger says what would be done", async () => {
		await usePolicy({ renames: "destroy" });
		const { groupId, topic } = community();
		const topicId = topic("unsigned");
		await tencentHasTopics(groupId, [{ topicId, name: "casino" }]);
		// The test Worker accepts unsigned callbacks (ALLOW_UNSIGNED_CALLBACKS), as `npm start` does.
		await sendCallback("Group.CallbackAfterTopicInfoChanged", renamed(groupId, topicId, "casino"));
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ action: "destroy", status: "skipped", reason: UNSIGNED_REASON });
		// Not even get_topic for a rename whose topic it would have to look up.
		await sendCallback("Group.CallbackAfterTopicInfoChanged", {
			CallbackCommand: "Group.CallbackAfterTopicInfoChanged",
			GroupId: groupId,
			Type: "Community",
			Operator_Account: "leckie",
			Name: "casino",
		});
		await enforcementDrained();
		expect(await tencentCallsNaming(topicId)).toEqual([]);
		expect(await tencentCallsNaming(groupId)).toEqual([]);
		const hold = await apiGet<{ unsigned: boolean }>("/api/enforcement/hold");
		expect(hold.json.unsigned).toBe(true);
	});
});

describe("the name a revert writes", () => {
	it("is never one Tencent could not hold: a planted name over 30 bytes is passed over", async () => {
		await usePolicy({ renames: "revert", fallbackName: "Tidy topic" });
		const { groupId, topic } = community();
		const topicId = topic("planted");
		await tencentHasTopics(groupId, [{ topicId, name: "Casino" }]);
		const now = Math.floor(Date.now() / 1000);
		await sendSignedCallback("Group.CallbackAfterCreateTopic", created(groupId, topicId, "Weekly chat"), {
			requestTime: now - 3,
		});
		// Allowed, so nothing acts on it, but stored: a forged body with a captured URL could plant it.
		await sendSignedCallback(
			"Group.CallbackAfterTopicInfoChanged",
			renamed(groupId, topicId, "A very long allowed name over thirty bytes"),
			{ requestTime: now - 2 },
		);
		await sendSignedCallback("Group.CallbackAfterTopicInfoChanged", renamed(groupId, topicId, "Casino"), {
			requestTime: now - 1,
		});
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ action: "revert", status: "done", new_name: "Weekly chat" });
	});
});

describe("refusals that rest on the operator", () => {
	it("are recorded and never acted on for a topic: get_topic names no creator", async () => {
		await usePolicy({ creates: "destroy" }, { operators: { bypass: ["trusted"], deny: ["mallory"] } });
		const { groupId, topic } = community();
		const topicId = topic("mallory");
		await tencentHasTopics(groupId, [{ topicId, name: "Garden club" }]);
		await sendSignedCallback(
			"Group.CallbackAfterCreateTopic",
			created(groupId, topicId, "Garden club", "mallory"),
		);
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({ status: "skipped", rule: "operators.deny" });
		expect(row?.reason).toContain("Tencent does not confirm the operator");
		expect((await tencentCallsNaming(topicId)).map((call) => call.command)).toEqual([GET]);
	});

	it("are acted on for a group when get_group_info names the same owner", async () => {
		await usePolicy(
			{ creates: "rename", fallbackName: "Renamed group" },
			{ operators: { bypass: ["trusted"], deny: ["mallory"] }, groupCreation: {} },
		);
		const confirmed = `@TGS#2${unique()}`;
		const denied = `@TGS#2${unique()}`;
		await tencentHasGroup(confirmed, { Name: "Garden club", Owner_Account: "mallory" });
		await tencentHasGroup(denied, { Name: "Garden club", Owner_Account: "leckie" });
		for (const groupId of [confirmed, denied])
			await sendSignedCallback("Group.CallbackAfterCreateGroup", {
				CallbackCommand: "Group.CallbackAfterCreateGroup",
				GroupId: groupId,
				Operator_Account: "mallory",
				Owner_Account: "mallory",
				Type: "Public",
				Name: "Garden club",
			});
		const [acted] = await settledActions({ group: confirmed });
		expect(acted).toMatchObject({
			status: "done",
			new_name: "Renamed group",
			rule: "operators.deny",
		});
		const [skipped] = await settledActions({ group: denied });
		expect(skipped).toMatchObject({ status: "skipped" });
		expect((await tencentCalls(denied)).map((call) => call.command)).toEqual([
			"group_open_http_svc/get_group_info",
		]);
	});
});

describe("the hourly caps", () => {
	it("hold destroys past the cap; resume acts on them, discard closes them, with who did it", async () => {
		await usePolicy({ creates: "destroy", maxDestroysPerHour: 2 });
		// An SdkAppid of its own: the cap counts per app, and other tests' destroys count for theirs.
		const sdkAppId = `14${Math.floor(Math.random() * 1e8)}`.padEnd(10, "0");
		const { groupId, topic } = community();
		const topics = ["a", "b", "c", "d"].map((name) => ({ topicId: topic(name), name: `Casino ${name}` }));
		await tencentHasTopics(groupId, topics);
		for (const { topicId, name } of topics)
			await sendSignedCallback("Group.CallbackAfterCreateTopic", created(groupId, topicId, name), {
				sdkAppId,
			});
		const rows = await Promise.all(topics.map(({ topicId }) => settledActions({ topic: topicId })));
		const statuses = rows.map(([row]) => row?.status).sort();
		expect(statuses).toEqual(["done", "done", "held", "held"]);
		expect((await tencentCalls(groupId)).filter((call) => call.command === DESTROY)).toHaveLength(2);
		const held = rows.flat().filter((row) => row.status === "held");
		expect(held[0]?.reason).toContain("the cap of 2 destroys an hour");

		const hold = await apiGet<{ held: number; caps: Record<string, number> }>("/api/enforcement/hold");
		expect(hold.json.held).toBeGreaterThanOrEqual(2);
		expect(hold.json.caps).toEqual({ destroysPerHour: 2, renamesPerHour: 200 });

		const [first, second] = held;
		const discarded = await apiPost<{ discarded: number }>("/api/enforcement/discard", { ids: [second?.id] });
		expect(discarded).toEqual({ status: 200, json: { discarded: 1 } });
		const resumed = await apiPost<{ resumed: number }>("/api/enforcement/resume", {
			ids: [first?.id, second?.id],
		});
		expect(resumed).toEqual({ status: 200, json: { resumed: 1 } });
		const [after] = await settledActions({ topic: first?.topic_id ?? "" });
		expect(after).toMatchObject({ status: "done", reason: "resumed by api token" });
		const [closed] = await actionsOf({ topic: second?.topic_id ?? "" });
		expect(closed).toMatchObject({ status: "discarded", reason: "discarded by api token" });
		await enforcementDrained();
		expect((await tencentCalls(groupId)).filter((call) => call.command === DESTROY)).toHaveLength(3);
		expect(await tencentCallsNaming(second?.topic_id ?? "")).toEqual([]);
	}, 30_000);

	it("answer 400 naming the field for a bad resume or discard body", async () => {
		for (const body of [{}, { ids: [] }, { ids: ["x"] }, { all: false }, { ids: [1], all: true }]) {
			const answer = await apiPost<{ error: { field?: string } }>("/api/enforcement/resume", body);
			expect(answer.status).toBe(400);
		}
	});

	it("pace REST calls at most one per 10 ms", async () => {
		await usePolicy({ renames: "revert", maxRenamesPerHour: 1000 });
		const { groupId, topic } = community();
		const topics = ["a", "b", "c", "d", "e", "f"].map((name) => ({
			topicId: topic(name),
			name: `Casino ${name}`,
		}));
		await tencentHasTopics(groupId, topics);
		for (const { topicId, name } of topics)
			await sendSignedCallback("Group.CallbackAfterTopicInfoChanged", renamed(groupId, topicId, name));
		await Promise.all(topics.map(({ topicId }) => settledActions({ topic: topicId })));
		const times = (await tencentCalls(groupId)).map((call) => call.at);
		expect(times).toHaveLength(12);
		const gaps = times
			.slice(1)
			.map((at, index) => at - (times[index] as number))
			.sort((a, b) => a - b);
		// Arrival times jitter by a millisecond or two; without pacing, a get_topic and its modify_topic
		// arrive 1–3 ms apart, so the median gap tells the two apart.
		expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThanOrEqual(9);
	});
});

describe("each creation and deletion is stored once", () => {
	const count = async (command: string, topicId: string) =>
		(
			await env.DB.prepare("SELECT count(*) AS n FROM events WHERE command = ?1 AND topic_id = ?2")
				.bind(command, topicId)
				.first<{ n: number }>()
		)?.n;

	it("whatever RequestTime and Sign a redelivery carries; profile changes keep A → B → A", async () => {
		const { groupId, topic } = community();
		const topicId = topic("once");
		const now = Math.floor(Date.now() / 1000);
		const create = created(groupId, topicId, "Weekly chat");
		await sendSignedCallback("Group.CallbackAfterCreateTopic", create, { requestTime: now });
		await sendSignedCallback("Group.CallbackAfterCreateTopic", create, { requestTime: now - 7 });
		expect(await count("Group.CallbackAfterCreateTopic", topicId)).toBe(1);
		for (const [index, name] of ["A", "B", "A"].entries())
			await sendSignedCallback("Group.CallbackAfterTopicInfoChanged", renamed(groupId, topicId, name), {
				requestTime: now - index - 1,
			});
		expect(await count("Group.CallbackAfterTopicInfoChanged", topicId)).toBe(3);
		const destroyed = {
			CallbackCommand: "Group.CallbackAfterTopicDestroyed",
			GroupId: groupId,
			Type: "Community",
			TopicIdList: [topicId],
		};
		await sendSignedCallback("Group.CallbackAfterTopicDestroyed", destroyed, { requestTime: now });
		await sendSignedCallback("Group.CallbackAfterTopicDestroyed", destroyed, { requestTime: now - 3 });
		expect(await count("Group.CallbackAfterTopicDestroyed", topicId)).toBe(1);
	});

	it("per GroupId for a group's creation and disband", async () => {
		const groupId = `@TGS#2${unique()}`;
		const now = Math.floor(Date.now() / 1000);
		const body = (command: string) => ({
			CallbackCommand: command,
			GroupId: groupId,
			Operator_Account: "leckie",
			Owner_Account: "leckie",
			Type: "Public",
			Name: "Book club",
		});
		for (const command of ["Group.CallbackAfterCreateGroup", "Group.CallbackAfterGroupDestroyed"]) {
			await sendSignedCallback(command, body(command), { requestTime: now });
			await sendSignedCallback(
				command,
				{ ...body(command), EventTime: Date.now() },
				{ requestTime: now - 5 },
			);
			const stored = await env.DB.prepare(
				"SELECT count(*) AS n FROM events WHERE command = ?1 AND group_id = ?2",
			)
				.bind(command, groupId)
				.first<{ n: number }>();
			expect(stored?.n).toBe(1);
		}
	});
});

describe("a topic ID used again after its deletion", () => {
	it("is a new creation once the redelivery window has passed", async () => {
		const { groupId, topic } = community();
		const topicId = topic("again");
		const createdCount = async () =>
			(
				await env.DB.prepare("SELECT count(*) AS n FROM events WHERE command = ?1 AND topic_id = ?2")
					.bind("Group.CallbackAfterCreateTopic", topicId)
					.first<{ n: number }>()
			)?.n;
		await sendSignedCallback("Group.CallbackAfterCreateTopic", created(groupId, topicId, "First"));
		vi.useFakeTimers({ toFake: ["Date"] });
		try {
			// Within the next 10-minute window: still the same creation, redelivered.
			vi.setSystemTime(Date.now() + 9 * 60 * 1000);
			await sendSignedCallback("Group.CallbackAfterCreateTopic", created(groupId, topicId, "First"));
			expect(await createdCount()).toBe(1);
			// Two windows later: the ID was deleted and created again.
			vi.setSystemTime(Date.now() + 21 * 60 * 1000);
			await sendSignedCallback("Group.CallbackAfterCreateTopic", created(groupId, topicId, "Second"));
			expect(await createdCount()).toBe(2);
		} finally {
			vi.useRealTimers();
		}
	});
});

describe("fallbackName", () => {
	it("is refused over Tencent's 30 bytes, by the same validation the KV loader uses", async () => {
		const answer = await apiPost<{ valid: boolean; problem?: { rule: string; message: string } }>(
			"/api/policy/validate",
			{
				policy: JSON.stringify({
					names: { banned: ["casino"] },
					enforcement: { fallbackName: "整理された話題の名前です" },
				}),
			},
		);
		expect(JSON.stringify(answer.json)).toContain("enforcement.fallbackName");
		expect(JSON.stringify(answer.json)).toContain("30 bytes");
		const fits = await apiPost("/api/policy/validate", {
			policy: JSON.stringify({
				names: { banned: ["casino"] },
				enforcement: { fallbackName: "整理された話題" },
			}),
		});
		expect(JSON.stringify(fits.json)).not.toContain("30 bytes");
	});
});
