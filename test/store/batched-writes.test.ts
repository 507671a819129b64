// recordEvents writes a whole batch with a few statements (one `events` insert per 99 events, one statement per
// run of topic changes of one kind). A batch must end exactly as its events stored one at a time, in order.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { DEDUPE_WINDOW_MS } from "../../src/store/event-key";
import type { TopicChange } from "../../src/store/facts";
import {
	EVENTS_PER_STATEMENT,
	type EventRecord,
	recordEvent,
	recordEvents,
} from "../../src/store/record-event";
import { createTopicRecord, unique } from "../support/tencent";

/** An after-event of community `groupId` touching `topicIds`, with the change it implies. */
function record(
	groupId: string,
	topicIds: string[],
	change: TopicChange | null,
	at: number,
	eventTime: number | null = at,
): EventRecord {
	return {
		command: change ? `Test.${change.kind}` : "Test.GroupInfoChanged",
		sdkAppId: "1400000000",
		deliveryKey: null,
		facts: { groupId, topicIds, operatorAccount: "leckie", eventTime, topicChange: change },
		payload: JSON.stringify({ groupId, topicIds, change, at }),
		receivedAt: at,
	};
}

/**
 * One community's story, in the order Tencent sent it: creates, a rename seen before its create, a profile
 * change, a redelivery, a deletion, a group-level event, a disband and a second disband.
 */
function story(groupId: string): EventRecord[] {
	const topic = (name: string) => `${groupId}@TOPIC#_${name}`;
	const create = (name: string, at: number) =>
		record(
			groupId,
			[topic(name)],
			{ kind: "create", topicId: topic(name), groupId, name, ownerAccount: "leckie", createdBy: "leckie" },
			at,
		);
	const update = (
		name: string,
		fields: Omit<Extract<TopicChange, { kind: "update" }>, "kind" | "topicId" | "groupId">,
		at: number,
	) => record(groupId, [topic(name)], { kind: "update", topicId: topic(name), groupId, ...fields }, at);
	const base = 1_700_000_000_000;
	const renamedEarly = update("c", { name: "c renamed" }, base + 50);
	const createdA = create("a", base + 10);
	return [
		createdA,
		create("b", base + 20),
		renamedEarly,
		create("c", base + 30),
		update("a", { introduction: "about a", faceUrl: "https://example.com/a.png" }, base + 60),
		createdA,
		update("a", { name: "a, older rename" }, base + 40),
		record(groupId, [topic("b")], { kind: "delete-topics", groupId, topicIds: [topic("b")] }, base + 70),
		record(groupId, [], null, base + 75),
		record(groupId, [], { kind: "delete-group", groupId }, base + 80),
		record(groupId, [], { kind: "delete-group", groupId }, base + 90),
	];
}

/** The community's state with its own IDs taken out, so two communities' stories compare. */
async function stateOf(groupId: string) {
	const strip = (value: unknown) => (typeof value === "string" ? value.replaceAll(groupId, "G") : value);
	const tidy = (rows: Record<string, unknown>[]) =>
		rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, strip(value)])));
	const topics = await env.DB.prepare(
		`SELECT topic_id, group_id, name, introduction, notification, face_url, owner_account, created_by, created_at,
			updated_at, deleted_at FROM topics WHERE group_id = ? ORDER BY topic_id`,
	)
		.bind(groupId)
		.all<Record<string, unknown>>();
	const events = await env.DB.prepare(
		`SELECT command, group_id, topic_id, operator_account, event_time, received_at, payload FROM events
			WHERE group_id = ? ORDER BY id`,
	)
		.bind(groupId)
		.all<Record<string, unknown>>();
	return { topics: tidy(topics.results), events: tidy(events.results) };
}

const community = () => `@TGS#_@TGS#${unique()}`;

describe("after-events written in batches", () => {
	it("end as the same events stored one at a time, in order, with the same results", async () => {
		const inOneBatch = community();
		const oneByOne = community();
		const batched = await recordEvents(env.DB, story(inOneBatch));
		const single = [];
		for (const event of story(oneByOne)) single.push(await recordEvent(env.DB, event));
		expect(batched).toEqual(single);
		// The redelivered create adds nothing; every other event adds one row.
		expect(batched.map((result) => result.inserted)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
		const state = await stateOf(inOneBatch);
		expect(state).toEqual(await stateOf(oneByOne));
		expect(state.topics.map((topic) => [topic.topic_id, topic.name, topic.introduction])).toEqual([
			["G@TOPIC#_a", "a", "about a"],
			["G@TOPIC#_b", "b", null],
			["G@TOPIC#_c", "c renamed", null],
		]);
		// b was deleted at its deletion; the first disband marked a and c.
		expect(state.topics.map((topic) => topic.deleted_at)).toEqual([
			1_700_000_000_080, 1_700_000_000_070, 1_700_000_000_080,
		]);
	});

	it("stores an event once when a batch holds it from two adjacent dedupe windows", async () => {
		const groupId = community();
		const topicId = `${groupId}@TOPIC#_w`;
		const edge = Math.ceil(Date.now() / DEDUPE_WINDOW_MS) * DEDUPE_WINDOW_MS;
		const first = { ...createTopicRecord(groupId, topicId), receivedAt: edge - 1 };
		const again = { ...first, receivedAt: edge + 1 };
		expect(await recordEvents(env.DB, [first, again])).toEqual([{ inserted: 1 }, { inserted: 0 }]);
		const rows = await env.DB.prepare("SELECT received_at FROM events WHERE topic_id = ?")
			.bind(topicId)
			.all();
		expect(rows.results).toEqual([{ received_at: edge - 1 }]);
	});

	it("stores more events than one insert carries, in order, each payload byte for byte", async () => {
		const groupId = community();
		const count = EVENTS_PER_STATEMENT + 21;
		const records = Array.from({ length: count }, (_, index) => {
			const topicId = `${groupId}@TOPIC#_${index}`;
			const event = createTopicRecord(groupId, topicId);
			const body = {
				...JSON.parse(event.payload),
				Note: `"quoted" \\ back\\slash \u2028 ${"話題".repeat(index)}`,
			};
			return { ...event, payload: JSON.stringify(body) };
		});
		const results = await recordEvents(env.DB, records);
		expect(results).toEqual(records.map(() => ({ inserted: 1 })));
		const rows = await env.DB.prepare("SELECT topic_id, payload FROM events WHERE group_id = ? ORDER BY id")
			.bind(groupId)
			.all<{ topic_id: string; payload: string }>();
		expect(rows.results.map((row) => row.topic_id)).toEqual(records.map((event) => event.facts.topicIds[0]));
		expect(rows.results.map((row) => row.payload)).toEqual(records.map((event) => event.payload));
		const topics = await env.DB.prepare("SELECT count(*) AS n FROM topics WHERE group_id = ?")
			.bind(groupId)
			.first<number>("n");
		expect(topics).toBe(count);
	});
});
