import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { samples, sendCallback } from "../support/tencent";
import { apiGet, community } from "./admin";

interface FeedEvent {
	id: number;
	command: string;
	group_id: string | null;
	topic_id: string | null;
	payload: unknown;
}
interface Feed {
	events: FeedEvent[];
	next: number | null;
}

const feed = (query: string) => apiGet<Feed>(`/api/events?${query}`);

async function newestId(): Promise<number> {
	return (await env.DB.prepare("SELECT coalesce(max(id), 0) AS id FROM events").first<number>("id")) ?? 0;
}

async function groupEventIds(groupId: string): Promise<number[]> {
	const { results } = await env.DB.prepare("SELECT id FROM events WHERE group_id = ? ORDER BY id")
		.bind(groupId)
		.all<{ id: number }>();
	return results.map((row) => row.id);
}

/** Direct rows, to fill the feed cheaply (the callbacks' path is covered elsewhere). */
async function insertRows(groupId: string, count: number): Promise<void> {
	const insert = env.DB.prepare(
		`INSERT INTO events (event_key, delivery_id, command, sdk_app_id, group_id, topic_id, received_at, payload)
		 VALUES (?, 'test', 'Group.CallbackAfterGroupInfoChanged', '1400000000', ?, NULL, ?, ?)`,
	);
	await env.DB.batch(
		Array.from({ length: count }, (_, i) =>
			insert.bind(`${groupId}:${i}`, groupId, Date.now(), JSON.stringify({ GroupId: groupId, n: i })),
		),
	);
}

describe("GET /api/events", () => {
	it("pages in id order with a cursor that ends in null, payloads as objects", async () => {
		const start = await newestId();
		const { groupId, topic } = community();
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic("feed"), groupId));
		await sendCallback(
			"Group.CallbackAfterTopicDestroyed",
			samples.afterTopicDestroyed([topic("feed"), topic("other")], groupId),
		);
		const first = await feed(`after=${start}&limit=2`);
		expect(first.status).toBe(200);
		expect(first.json.events.map((event) => [event.command, event.topic_id])).toEqual([
			["Group.CallbackAfterCreateTopic", topic("feed")],
			["Group.CallbackAfterTopicDestroyed", topic("feed")],
		]);
		expect(first.json.events[0]?.payload).toMatchObject({ GroupId: groupId, TopicId: topic("feed") });
		expect(first.json.next).toBe(first.json.events[1]?.id);

		const second = await feed(`after=${first.json.next}&limit=2`);
		expect(second.json.events.map((event) => event.topic_id)).toEqual([topic("other")]);
		expect(second.json.next).toBeNull();
		const caughtUp = await feed(`after=${second.json.events[0]?.id}`);
		expect(caughtUp.json).toEqual({ events: [], next: null });
	});

	it("gives 100 events by default and at most 1000", async () => {
		const start = await newestId();
		const { groupId } = community();
		await insertRows(groupId, 1005);
		const byDefault = await feed(`after=${start}`);
		expect(byDefault.json.events).toHaveLength(100);
		expect(byDefault.json.next).toBe(byDefault.json.events[99]?.id);
		const most = await feed(`after=${start}&limit=1000`);
		expect(most.json.events).toHaveLength(1000);
		expect(most.json.events.every((event) => event.group_id === groupId)).toBe(true);
		const rest = await feed(`after=${most.json.next}&limit=1000`);
		expect(rest.json.events.filter((event) => event.group_id === groupId)).toHaveLength(5);
	});

	it.each([
		["limit=0", "limit"],
		["limit=1001", "limit"],
		["limit=ten", "limit"],
		["limit=1.5", "limit"],
		["after=-1", "after"],
		["after=", "after"],
		["after=1&after=2", "after"],
		["since=5", "since"],
	])("answers 400 naming the parameter for ?%s", async (query, parameter) => {
		const res = await feed(query);
		expect(res.status).toBe(400);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(res.json).toEqual({
			error: { code: "bad_request", field: parameter, message: expect.stringContaining(parameter) },
		});
	});

	it("visits every event exactly once while new events arrive", async () => {
		const start = await newestId();
		const { groupId, topic } = community();
		const writes = Promise.all(
			Array.from({ length: 30 }, (_, i) =>
				sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic(`t${i}`), groupId)),
			),
		);
		// A follower pages with a small limit while the writes land, then until it has caught up.
		const seen: number[] = [];
		let cursor = start;
		let writesDone = false;
		void writes.then(() => {
			writesDone = true;
		});
		for (;;) {
			const wasDone = writesDone;
			const page = await feed(`after=${cursor}&limit=3`);
			expect(page.status).toBe(200);
			for (const event of page.json.events) if (event.group_id === groupId) seen.push(event.id);
			cursor = page.json.events.at(-1)?.id ?? cursor;
			if (page.json.next === null && wasDone) break;
		}
		expect((await writes).every((res) => res.status === 200)).toBe(true);
		expect(new Set(seen).size).toBe(seen.length);
		expect(seen).toEqual([...seen].sort((a, b) => a - b));
		const stored = await groupEventIds(groupId);
		expect(stored).toHaveLength(30);
		expect(seen).toEqual(stored);
	});
});
