import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tencentSign } from "../../src/auth/callback-auth";
import { DEDUPE_WINDOW_MS } from "../../src/store/event-key";
import { samples, sendCallback, unique } from "../support/tencent";

interface TopicRow {
	topic_id: string;
	group_id: string;
	name: string | null;
	introduction: string | null;
	owner_account: string | null;
	created_by: string | null;
	created_at: number | null;
	updated_at: number | null;
	deleted_at: number | null;
}

const topicRow = (topicId: string) =>
	env.DB.prepare("SELECT * FROM topics WHERE topic_id = ?").bind(topicId).first<TopicRow>();

const eventRows = (column: "topic_id" | "group_id", value: string) =>
	env.DB.prepare(`SELECT * FROM events WHERE ${column} = ? ORDER BY id`)
		.bind(value)
		.all<Record<string, unknown>>()
		.then((result) => result.results);

/** IDs shaped like Tencent's: the community's group ID, then @TOPIC#_ and a name. */
function ids() {
	const groupId = `@TGS#_@TGS#${unique()}`;
	return { groupId, topic: (name: string) => `${groupId}@TOPIC#_${name}` };
}

describe("after-events in D1", () => {
	it("stores every after-command's seed sample and answers OK", async () => {
		const { groupId, topic } = ids();
		const eventTime = Date.now() - 5_000;
		const cases: [string, unknown][] = [
			["Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic("a"), groupId)],
			["Group.CallbackAfterTopicInfoChanged", samples.afterTopicInfoChanged(groupId)],
			["Group.CallbackAfterTopicDestroyed", samples.afterTopicDestroyed([topic("a"), topic("b")], groupId)],
			["Group.CallbackAfterCreateGroup", samples.afterCreateGroup(groupId)],
			["Group.CallbackAfterGroupInfoChanged", samples.afterGroupInfoChanged(groupId)],
			// The docs' EventTime (December 2022) is far outside the window around the receive time: a recent one.
			[
				"Group.CallbackAfterGroupDestroyed",
				{ ...samples.afterGroupDestroyed(groupId), EventTime: `${eventTime}` },
			],
		];
		for (const [command, body] of cases) {
			const res = await sendCallback(command, body);
			expect(res, command).toEqual({
				status: 200,
				json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" },
			});
		}
		const rows = await eventRows("group_id", groupId);
		expect(rows.map((row) => [row.command, row.topic_id])).toEqual([
			["Group.CallbackAfterCreateTopic", topic("a")],
			["Group.CallbackAfterTopicInfoChanged", null],
			["Group.CallbackAfterTopicDestroyed", topic("a")],
			["Group.CallbackAfterTopicDestroyed", topic("b")],
			["Group.CallbackAfterCreateGroup", null],
			["Group.CallbackAfterGroupInfoChanged", null],
			["Group.CallbackAfterGroupDestroyed", null],
		]);
		const first = rows[0] as Record<string, unknown>;
		expect(first).toMatchObject({
			sdk_app_id: "1400000000",
			operator_account: "group_root",
			event_time: null,
		});
		expect(typeof first.received_at).toBe("number");
		expect(JSON.parse(first.payload as string)).toMatchObject({ TopicId: topic("a"), Name: "MyFirstTopic" });
		expect(rows.at(-1)).toMatchObject({ event_time: eventTime });
		// The docs' own EventTime is years before the receive time: stored, but not trusted for ordering.
		expect(rows.at(-2)).toMatchObject({ command: "Group.CallbackAfterGroupInfoChanged", event_time: null });
	});

	it("keeps the topic's state through create, rename and delete", async () => {
		const { groupId, topic } = ids();
		const topicId = topic("life");
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topicId, groupId));
		expect(await topicRow(topicId)).toMatchObject({
			group_id: groupId,
			name: "MyFirstTopic",
			owner_account: "leckie",
			created_by: "group_root",
			deleted_at: null,
		});

		await sendCallback(
			"Group.CallbackAfterTopicInfoChanged",
			samples.afterTopicInfoChanged(groupId, { TopicId: topicId, Name: "Renamed", Notification: undefined }),
		);
		const renamed = await topicRow(topicId);
		expect(renamed).toMatchObject({ name: "Renamed", introduction: "TestIntroduction", deleted_at: null });
		expect(renamed?.updated_at).toEqual(expect.any(Number));

		await sendCallback("Group.CallbackAfterTopicDestroyed", samples.afterTopicDestroyed([topicId], groupId));
		expect((await topicRow(topicId))?.deleted_at).toEqual(expect.any(Number));
		expect((await eventRows("topic_id", topicId)).map((row) => row.command)).toEqual([
			"Group.CallbackAfterCreateTopic",
			"Group.CallbackAfterTopicInfoChanged",
			"Group.CallbackAfterTopicDestroyed",
		]);
	});

	it("marks every topic of a disbanded community deleted", async () => {
		const { groupId, topic } = ids();
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic("one"), groupId));
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic("two"), groupId));
		const { MemberList: _none, ...community } = {
			...samples.afterGroupDestroyed(groupId),
			Type: "Community",
			EventTime: `${Date.now() - 1_000}`,
		};
		const res = await sendCallback("Group.CallbackAfterGroupDestroyed", community);
		expect(res.status).toBe(200);
		expect((await topicRow(topic("one")))?.deleted_at).toBe(Number(community.EventTime));
		expect((await topicRow(topic("two")))?.deleted_at).toBe(Number(community.EventTime));
	});

	it("records the deletion of a topic never seen", async () => {
		const { groupId, topic } = ids();
		await sendCallback(
			"Group.CallbackAfterTopicDestroyed",
			samples.afterTopicDestroyed([topic("ghost")], groupId),
		);
		expect(await topicRow(topic("ghost"))).toMatchObject({
			group_id: groupId,
			name: null,
			deleted_at: expect.any(Number),
		});
	});

	it("ends in the right state when a rename arrives before its create", async () => {
		const { groupId, topic } = ids();
		const topicId = topic("late");
		await sendCallback(
			"Group.CallbackAfterTopicInfoChanged",
			samples.afterTopicInfoChanged(groupId, { TopicId: topicId, Name: "Second name" }),
		);
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topicId, groupId));
		expect(await topicRow(topicId)).toMatchObject({
			name: "Second name",
			created_by: "group_root",
			created_at: expect.any(Number),
		});
	});

	it("adds no row and changes nothing when Tencent redelivers an event", async () => {
		const { groupId, topic } = ids();
		const topicId = topic("dup");
		const create = samples.afterCreateTopic(topicId, groupId);
		const rename = samples.afterTopicInfoChanged(groupId, { TopicId: topicId, Name: "New" });
		await sendCallback("Group.CallbackAfterCreateTopic", create);
		await sendCallback("Group.CallbackAfterTopicInfoChanged", rename);
		// Redeliveries, some concurrent: none may add a row or undo the rename.
		const again = await Promise.all([
			sendCallback("Group.CallbackAfterCreateTopic", create),
			sendCallback("Group.CallbackAfterCreateTopic", create),
			sendCallback("Group.CallbackAfterTopicInfoChanged", rename),
		]);
		expect(again.map((res) => res.status)).toEqual([200, 200, 200]);
		expect(await eventRows("topic_id", topicId)).toHaveLength(2);
		expect((await topicRow(topicId))?.name).toBe("New");
	});

	it("stores A → B → A renames without EventTime inside the dedupe window; a redelivered URL stays one row", async () => {
		const { groupId, topic } = ids();
		const topicId = topic("aba");
		const token = "token-for-delivery-keys";
		const signed = async (requestTime: number) => ({
			extra: { RequestTime: String(requestTime), Sign: await tencentSign(token, String(requestTime)) },
			env: { CALLBACK_TOKEN: token },
		});
		const rename = (name: string) => samples.afterTopicInfoChanged(groupId, { TopicId: topicId, Name: name });
		const start = Math.floor(Date.now() / 1000) - 30;
		// Three deliveries, each its own RequestTime, all well inside one 10-minute window.
		expect((start + 3) * 1000 - start * 1000).toBeLessThan(DEDUPE_WINDOW_MS);
		const deliveries = [
			{ name: "A", at: await signed(start) },
			{ name: "B", at: await signed(start + 1) },
			{ name: "A", at: await signed(start + 2) },
		];
		for (const { name, at } of deliveries) {
			const res = await sendCallback("Group.CallbackAfterTopicInfoChanged", rename(name), at);
			expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		}
		const names = (await eventRows("topic_id", topicId)).map((row) => JSON.parse(row.payload as string).Name);
		expect(names).toEqual(["A", "B", "A"]);
		expect((await topicRow(topicId))?.name).toBe("A");

		// The same URL and body again (a redelivery of the last delivery): no row, no change.
		const last = deliveries[2] as (typeof deliveries)[number];
		const again = await sendCallback("Group.CallbackAfterTopicInfoChanged", rename("A"), last.at);
		expect(again.status).toBe(200);
		expect(await eventRows("topic_id", topicId)).toHaveLength(3);
		expect((await topicRow(topicId))?.name).toBe("A");
	});

	it("stores one row per topic of a TopicIdList, once", async () => {
		const { groupId, topic } = ids();
		const list = [topic("x"), topic("y"), topic("z")];
		await sendCallback("Group.CallbackAfterTopicDestroyed", samples.afterTopicDestroyed(list, groupId));
		await sendCallback("Group.CallbackAfterTopicDestroyed", samples.afterTopicDestroyed(list, groupId));
		const rows = await eventRows("group_id", groupId);
		expect(rows.map((row) => row.topic_id)).toEqual(list);
	});
});
