import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
	eventPage,
	GROUP_EVENTS_PAGE_SQL,
	MAX_PAGE_PAYLOAD_BYTES,
	type PagedEventRow,
} from "../../src/store/events";
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

/** Direct rows whose payloads are `bytes` long each (ASCII, so characters are bytes). */
async function insertLargeRows(groupId: string, count: number, bytes: number): Promise<void> {
	const insert = env.DB.prepare(
		`INSERT INTO events (event_key, delivery_id, command, sdk_app_id, group_id, topic_id, received_at, payload)
		 VALUES (?, 'test', 'Group.CallbackAfterGroupInfoChanged', '1400000000', ?, ?, ?, ?)`,
	);
	for (let i = 0; i < count; i++) {
		const head = JSON.stringify({ GroupId: groupId, n: i, pad: "" });
		const payload = `${head.slice(0, -3)}"${"x".repeat(bytes - head.length)}"}`;
		expect(payload).toHaveLength(bytes);
		await insert.bind(`${groupId}:large:${i}`, groupId, `${groupId}@TOPIC#_large`, Date.now(), payload).run();
	}
}

/** Every page of `path` (which takes `after`) from `start`: the events' ids and payload sizes of each page. */
async function allPages(path: string, start: number): Promise<{ ids: number[]; bytes: number }[]> {
	const pages: { ids: number[]; bytes: number }[] = [];
	let after = start;
	for (;;) {
		const res = await apiGet<Feed>(`${path}${path.includes("?") ? "&" : "?"}after=${after}`);
		expect(res.status).toBe(200);
		const ids = res.json.events.map((event) => event.id);
		const bytes = res.json.events.reduce((sum, event) => sum + JSON.stringify(event.payload).length, 0);
		pages.push({ ids, bytes });
		if (res.json.next === null) return pages;
		expect(res.json.next).toBe(ids.at(-1));
		after = res.json.next;
	}
}

describe("the byte-bounded page query", () => {
	it("always gives at least one row, however large, and stops before the budget", async () => {
		const { groupId } = community();
		await insertLargeRows(groupId, 4, 1000);
		const pageOf = async (after: number, limit: number, budget: number) => {
			const { results } = await env.DB.prepare(GROUP_EVENTS_PAGE_SQL)
				.bind(after, limit, budget, groupId)
				.all<PagedEventRow>();
			return eventPage(results);
		};
		const ids = await groupEventIds(groupId);
		// A budget smaller than one row: one row a page, the cursor on it, every row once.
		const seen: number[] = [];
		let after = 0;
		for (let guard = 0; guard < 10; guard++) {
			const { items, next } = await pageOf(after, 100, 10);
			expect(items).toHaveLength(1);
			seen.push(...items.map((item) => item.id));
			if (next === null) break;
			expect(next).toBe(items[0]?.id);
			after = next;
		}
		expect(seen).toEqual(ids);
		// Room for two rows and a half: two rows, then the rest.
		const two = await pageOf(0, 100, 2500);
		expect(two.items.map((item) => item.id)).toEqual(ids.slice(0, 2));
		expect(two.next).toBe(ids[1]);
		expect(two.items[0]?.payload).toMatchObject({ GroupId: groupId, n: 0 });
		// Exactly the budget fits; the row limit still applies.
		expect((await pageOf(0, 100, 4000)).items).toHaveLength(4);
		expect((await pageOf(0, 100, 4000)).next).toBeNull();
		expect((await pageOf(0, 3, 4000)).next).toBe(ids[2]);
	});
});

describe("GET /api/events", () => {
	it("bounds a page in payload bytes as well as rows, and the cursor walks every row once", async () => {
		const { groupId } = community();
		const start = await newestId();
		const size = 1_900_000;
		await insertLargeRows(groupId, 5, size);
		const stored = await groupEventIds(groupId);
		const perPage = Math.floor(MAX_PAGE_PAYLOAD_BYTES / size);
		expect(perPage).toBeGreaterThanOrEqual(1);
		for (const path of [
			"/api/events?limit=1000",
			`/api/groups/${encodeURIComponent(groupId)}/events?limit=1000`,
			`/api/topics/${encodeURIComponent(`${groupId}@TOPIC#_large`)}?limit=1000`,
		]) {
			const pages = await allPages(path, start);
			// Without the byte bound one page holds all five (9.5 MB).
			for (const page of pages) {
				expect(page.ids.length).toBeLessThanOrEqual(perPage);
				expect(page.bytes).toBeLessThanOrEqual(MAX_PAGE_PAYLOAD_BYTES);
			}
			expect(pages.flatMap((page) => page.ids).filter((id) => stored.includes(id))).toEqual(stored);
			expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(5 / perPage));
		}
	});

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
