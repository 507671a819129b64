import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { samples, sendCallback, unique } from "../support/tencent";

function community() {
	const groupId = `@TGS#_@TGS#${unique()}`;
	return { groupId, topic: (name: string) => `${groupId}@TOPIC#_${name}` };
}

async function count(sql: string, value: string): Promise<number> {
	return (await env.DB.prepare(sql).bind(value).first<number>("n")) ?? 0;
}

describe("concurrent deliveries", () => {
	it("stores exactly one row per event and topic when many redeliveries arrive at once", async () => {
		const { groupId, topic } = community();
		const create = samples.afterCreateTopic(topic("same"), groupId);
		const destroy = samples.afterTopicDestroyed([topic("x"), topic("y"), topic("z")], groupId);
		const answers = await Promise.all([
			...Array.from({ length: 20 }, () => sendCallback("Group.CallbackAfterCreateTopic", create)),
			...Array.from({ length: 20 }, () => sendCallback("Group.CallbackAfterTopicDestroyed", destroy)),
		]);
		expect(answers.every((answer) => answer.status === 200)).toBe(true);
		const { results } = await env.DB.prepare(
			"SELECT command, topic_id FROM events WHERE group_id = ? ORDER BY topic_id",
		)
			.bind(groupId)
			.all<{ command: string; topic_id: string }>();
		expect(results.map((row) => row.topic_id)).toEqual([topic("same"), topic("x"), topic("y"), topic("z")]);
		expect(await count("SELECT count(*) AS n FROM topics WHERE group_id = ?", groupId)).toBe(4);
	});

	it("gives 40 topics for 40 concurrent creates of distinct topics", async () => {
		const { groupId, topic } = community();
		const answers = await Promise.all(
			Array.from({ length: 40 }, (_, i) =>
				sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic(`t${i}`), groupId)),
			),
		);
		expect(answers.every((answer) => answer.status === 200)).toBe(true);
		expect(
			await count("SELECT count(*) AS n FROM topics WHERE group_id = ? AND deleted_at IS NULL", groupId),
		).toBe(40);
		expect(await count("SELECT count(*) AS n FROM events WHERE group_id = ?", groupId)).toBe(40);
	});

	it("ends deleted when a topic's create and its destroy race, in either order", async () => {
		const { groupId, topic } = community();
		const topicId = topic("race");
		await Promise.all([
			sendCallback("Group.CallbackAfterTopicDestroyed", samples.afterTopicDestroyed([topicId], groupId)),
			sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topicId, groupId)),
		]);
		const row = await env.DB.prepare("SELECT name, deleted_at FROM topics WHERE topic_id = ?")
			.bind(topicId)
			.first<{ name: string | null; deleted_at: number | null }>();
		expect(row).toEqual({ name: "MyFirstTopic", deleted_at: expect.any(Number) });
	});
});
