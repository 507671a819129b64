import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { samples, sendCallback } from "../support/tencent";
import { apiGet, community } from "./admin";

interface TopicAnswer {
	topic: Record<string, unknown> | null;
	events: { id: number; command: string; topic_id: string; payload: unknown }[];
}

describe("GET /api/topics/{topicId}", () => {
	it("answers the current state and every event oldest first, for a percent-encoded ID", async () => {
		const { groupId, topic } = community();
		const topicId = topic("history");
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topicId, groupId));
		await sendCallback(
			"Group.CallbackAfterTopicInfoChanged",
			samples.afterTopicInfoChanged(groupId, { TopicId: topicId, Name: "Renamed" }),
		);
		await sendCallback("Group.CallbackAfterTopicDestroyed", samples.afterTopicDestroyed([topicId], groupId));

		const encoded = encodeURIComponent(topicId);
		expect(encoded).toContain("%40");
		expect(encoded).toContain("%23");
		const res = await apiGet<TopicAnswer>(`/api/topics/${encoded}`);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(res.json.topic).toMatchObject({
			topic_id: topicId,
			group_id: groupId,
			name: "Renamed",
			owner_account: "leckie",
			deleted_at: expect.any(Number),
		});
		expect(res.json.events.map((event) => event.command)).toEqual([
			"Group.CallbackAfterCreateTopic",
			"Group.CallbackAfterTopicInfoChanged",
			"Group.CallbackAfterTopicDestroyed",
		]);
		const ids = res.json.events.map((event) => event.id);
		expect(ids).toEqual([...ids].sort((a, b) => a - b));
		// The payload is the stored body as a JSON object, not a string.
		expect(res.json.events[0]?.payload).toMatchObject({ TopicId: topicId, Name: "MyFirstTopic" });
		expect(res.json.events[0]).not.toHaveProperty("event_key");
	});

	it("accepts `@` unencoded, as browsers and curl send it", async () => {
		const { groupId, topic } = community();
		const topicId = topic("at");
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topicId, groupId));
		const res = await apiGet<TopicAnswer>(`/api/topics/${topicId.replaceAll("#", "%23")}`);
		expect(res.status).toBe(200);
		expect(res.json.topic?.topic_id).toBe(topicId);
	});

	it("answers 404 JSON for a topic never seen", async () => {
		const topicId = community().topic("never");
		const res = await apiGet(`/api/topics/${encodeURIComponent(topicId)}`);
		expect(res.status).toBe(404);
		expect(res.json).toEqual({
			error: { code: "not_found", message: "topic not found", field: "topicId", detail: { topicId } },
		});
	});

	it("answers 400 naming the parameter for broken percent-encoding or an unknown query parameter", async () => {
		const broken = await apiGet("/api/topics/%E0%A4%A");
		expect(broken.status).toBe(400);
		expect(broken.json).toMatchObject({ error: { code: "bad_request", field: "topicId" } });
		const unknown = await apiGet(`/api/topics/${encodeURIComponent(community().topic("q"))}?verbose=1`);
		expect(unknown.status).toBe(400);
		expect(unknown.json).toMatchObject({
			error: { code: "bad_request", field: "verbose", message: expect.stringContaining("unknown") },
		});
	});
});

describe("GET /api/groups/{groupId}/topics", () => {
	it("lists the community's topics, alive and deleted", async () => {
		const { groupId, topic } = community();
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic("b-alive"), groupId));
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic("a-gone"), groupId));
		await sendCallback(
			"Group.CallbackAfterTopicDestroyed",
			samples.afterTopicDestroyed([topic("a-gone")], groupId),
		);
		const other = community();
		await sendCallback(
			"Group.CallbackAfterCreateTopic",
			samples.afterCreateTopic(other.topic("elsewhere"), other.groupId),
		);

		const res = await apiGet<{ groupId: string; topics: Record<string, unknown>[] }>(
			`/api/groups/${encodeURIComponent(groupId)}/topics`,
		);
		expect(res.status).toBe(200);
		expect(res.json.groupId).toBe(groupId);
		expect(res.json.topics.map((row) => [row.topic_id, row.deleted_at === null])).toEqual([
			[topic("a-gone"), false],
			[topic("b-alive"), true],
		]);
	});

	it("answers an empty list for a community without topics", async () => {
		const res = await apiGet(`/api/groups/${encodeURIComponent(community().groupId)}/topics`);
		expect(res).toMatchObject({ status: 200, json: { topics: [] } });
	});
});

describe("GET /api/topics?search=", () => {
	it("finds topics by exact topic ID, exact group ID, or part of the name (any case, wildcards literal)", async () => {
		const { groupId, topic } = community();
		const marker = `Zq${crypto.randomUUID().slice(0, 6)}`;
		await sendCallback("Group.CallbackAfterCreateTopic", {
			...samples.afterCreateTopic(topic("one"), groupId),
			Name: `Harbour ${marker} walks`,
		});
		await sendCallback("Group.CallbackAfterCreateTopic", {
			...samples.afterCreateTopic(topic("two"), groupId),
			Name: "100% other",
		});
		const byName = await apiGet<{ topics: { topic_id: string }[] }>(
			`/api/topics?search=${marker.toLowerCase()}`,
		);
		expect(byName.json.topics.map((t) => t.topic_id)).toEqual([topic("one")]);
		const byGroup = await apiGet<{ topics: unknown[] }>(`/api/topics?search=${encodeURIComponent(groupId)}`);
		expect(byGroup.json.topics).toHaveLength(2);
		const byId = await apiGet<{ topics: unknown[] }>(
			`/api/topics?search=${encodeURIComponent(topic("two"))}`,
		);
		expect(byId.json.topics).toHaveLength(1);
		const wildcard = await apiGet<{ topics: unknown[] }>(
			`/api/topics?search=${encodeURIComponent(`${marker}%`)}`,
		);
		expect(wildcard.json.topics).toEqual([]);
		expect((await apiGet("/api/topics")).status).toBe(400);
	});

	it("pages a topic's timeline with limit and after", async () => {
		const { groupId, topic } = community();
		const id = topic("paged");
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(id, groupId));
		for (const name of ["r1", "r2"])
			await sendCallback("Group.CallbackAfterTopicInfoChanged", {
				CallbackCommand: "Group.CallbackAfterTopicInfoChanged",
				GroupId: groupId,
				TopicId: id,
				Operator_Account: "leckie",
				Type: "Community",
				Name: name,
			});
		type Page = { events: { id: number; command: string }[]; next: number | null };
		const first = await apiGet<Page>(`/api/topics/${encodeURIComponent(id)}?limit=2`);
		expect(first.json.events.map((e) => e.command)).toEqual([
			"Group.CallbackAfterCreateTopic",
			"Group.CallbackAfterTopicInfoChanged",
		]);
		expect(first.json.next).toBe(first.json.events[1]?.id);
		const second = await apiGet<Page>(
			`/api/topics/${encodeURIComponent(id)}?limit=2&after=${first.json.next}`,
		);
		expect(second.json.events).toHaveLength(1);
		expect(second.json.next).toBeNull();
	});

	it("pages a topic's history by default: 100 events and a cursor, never the whole history", async () => {
		const { groupId, topic } = community();
		const id = topic("hot");
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(id, groupId));
		const insert = env.DB.prepare(
			`INSERT INTO events (event_key, delivery_id, command, sdk_app_id, group_id, topic_id, received_at, payload)
			 VALUES (?, 'test', 'Group.CallbackAfterTopicInfoChanged', '1400000000', ?, ?, ?, '{}')`,
		);
		await env.DB.batch(
			Array.from({ length: 1104 }, (_, i) => insert.bind(`${id}:hot:${i}`, groupId, id, Date.now())),
		);
		type Page = { topic: { topic_id: string } | null; events: { id: number }[]; next: number | null };
		const path = `/api/topics/${encodeURIComponent(id)}`;
		const first = await apiGet<Page>(path);
		expect(first.status).toBe(200);
		expect(first.json.topic?.topic_id).toBe(id);
		expect(first.json.events).toHaveLength(100);
		expect(first.json.next).toBe(first.json.events[99]?.id);
		const most = await apiGet<Page>(`${path}?limit=1000&after=${first.json.next}`);
		expect(most.json.events).toHaveLength(1000);
		const last = await apiGet<Page>(`${path}?limit=1000&after=${most.json.next}`);
		expect(last.json.events).toHaveLength(5);
		expect(last.json.next).toBeNull();
		const { results } = await env.DB.prepare("SELECT id FROM events WHERE topic_id = ? ORDER BY id")
			.bind(id)
			.all<{ id: number }>();
		expect([...first.json.events, ...most.json.events, ...last.json.events].map((e) => e.id)).toEqual(
			results.map((row) => row.id),
		);
		const tooMany = await apiGet(`${path}?limit=1001`);
		expect(tooMany.status).toBe(400);
		expect(tooMany.json).toMatchObject({ error: { field: "limit" } });
	});
});
