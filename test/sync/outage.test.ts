import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import {
	PLAIN_MESSAGE_LIMIT,
	EVENT_RETRY_BASE_SECONDS as RETRY_BASE_SECONDS,
	EVENT_RETRY_CAP_SECONDS as RETRY_CAP_SECONDS,
	retryDelaySeconds,
} from "../../src/store/event-queue";
import type { EventRecord } from "../../src/store/record-event";
import { FIRST_WRITE_DEADLINE_MS } from "../../src/store/record-event";
import { createTopicRecord, samples, sendCallback, unique } from "../support/tencent";
import { d1CountingBatches, d1Down, d1WithFailingBatch, d1WithSlowBatch, queueDown } from "./faults";

async function topicEvents(topicId: string): Promise<{ id: number; command: string }[]> {
	const { results } = await env.DB.prepare("SELECT id, command FROM events WHERE topic_id = ? ORDER BY id")
		.bind(topicId)
		.all<{ id: number; command: string }>();
	return results;
}

/** Waits for the real local queue's consumer to store the AfterCreateTopic sample of `topicId`, once. */
async function expectStoredOnceByTheConsumer(groupId: string, topicId: string) {
	await vi.waitFor(
		async () => {
			expect(await topicEvents(topicId)).toHaveLength(1);
		},
		{ timeout: 15_000, interval: 100 },
	);
	const topic = await env.DB.prepare("SELECT name, group_id FROM topics WHERE topic_id = ?")
		.bind(topicId)
		.first();
	expect(topic).toEqual({ name: "MyFirstTopic", group_id: groupId });
}

function ids() {
	const groupId = `@TGS#_@TGS#${unique()}`;
	return { groupId, topicId: `${groupId}@TOPIC#_outage` };
}

/** Runs the Worker's queue consumer on `bodies`, with `overrides` of its env. */
async function consume(bodies: unknown[], overrides: Partial<Env> = {}) {
	const batch = createMessageBatch<unknown>(
		"tencent-chat-events",
		bodies.map((body, i) => ({ id: `m${i}-${unique()}`, timestamp: new Date(), attempts: 1, body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, { ...env, ...overrides }, ctx);
	return getQueueResult(batch, ctx);
}

describe("after-events during a D1 outage", () => {
	it("answers 200 OK, buffers the event in the queue, and the consumer stores it exactly once", async () => {
		const { groupId, topicId } = ids();
		const res = await sendCallback(
			"Group.CallbackAfterCreateTopic",
			samples.afterCreateTopic(topicId, groupId),
			{
				env: { DB: d1WithFailingBatch() },
			},
		);
		// Tencent does not retry after-callbacks by default: the queue, not a 5xx, is what keeps the event.
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		// The real local queue delivers the message to this Worker's queue() handler, which writes to the real D1.
		await expectStoredOnceByTheConsumer(groupId, topicId);
	});

	it("buffers the event when D1 answers too slowly for Tencent's 2 seconds, and stores it once", async () => {
		const { groupId, topicId } = ids();
		const res = await sendCallback(
			"Group.CallbackAfterTopicDestroyed",
			samples.afterTopicDestroyed([topicId], groupId),
			{ env: { DB: d1WithSlowBatch(FIRST_WRITE_DEADLINE_MS + 1_000) } },
		);
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		// The slow write and the queued copy may both reach D1: the event key keeps one row.
		await vi.waitFor(
			async () => {
				expect(await topicEvents(topicId)).toHaveLength(1);
			},
			{ timeout: 15_000, interval: 100 },
		);
		const topic = await env.DB.prepare("SELECT deleted_at FROM topics WHERE topic_id = ?")
			.bind(topicId)
			.first();
		expect(topic).toEqual({ deleted_at: expect.any(Number) });
	});

	it("buffers an event too large for a plain queue message (gzipped) and stores it whole", async () => {
		const groupId = `@TGS#big${unique()}`;
		const members = Array.from({ length: 6000 }, (_, i) => ({ Member_Account: `member_account_${i}` }));
		const body = { ...samples.afterGroupDestroyed(groupId), MemberList: members };
		expect(JSON.stringify(body).length).toBeGreaterThan(PLAIN_MESSAGE_LIMIT);
		const res = await sendCallback("Group.CallbackAfterGroupDestroyed", body, {
			env: { DB: d1WithFailingBatch() },
		});
		expect(res.status).toBe(200);
		await vi.waitFor(
			async () => {
				const row = await env.DB.prepare("SELECT payload FROM events WHERE group_id = ?")
					.bind(groupId)
					.first<{ payload: string }>();
				expect(JSON.parse(row?.payload ?? "{}").MemberList).toHaveLength(6000);
			},
			{ timeout: 15_000, interval: 100 },
		);
	});

	it("keeps unreadable message bytes in quarantine, base64", async () => {
		const bytes = new TextEncoder().encode(`not gzip ${unique()}`);
		const result = await consume([bytes.buffer]);
		expect(result.explicitAcks).toHaveLength(1);
		const row = await env.DB.prepare("SELECT body FROM quarantine WHERE instr(body, ?) > 0")
			.bind(btoa(String.fromCharCode(...bytes)))
			.first<{ body: string }>();
		expect(JSON.parse(row?.body ?? "{}")).toMatchObject({ unreadable: expect.stringContaining("gzip") });
	});

	it("stores records queued as JSON text and, from earlier versions, as JSON objects", async () => {
		const text = ids();
		const object = ids();
		const result = await consume([
			JSON.stringify(createTopicRecord(text.groupId, text.topicId)),
			createTopicRecord(object.groupId, object.topicId),
		]);
		expect(result.explicitAcks).toHaveLength(2);
		expect(result.retryMessages).toEqual([]);
		expect(await topicEvents(text.topicId)).toHaveLength(1);
		expect(await topicEvents(object.topicId)).toHaveLength(1);
	});

	it("keeps a text message that is not JSON in quarantine, as it came", async () => {
		const text = `not json ${unique()}`;
		const result = await consume([text]);
		expect(result.explicitAcks).toHaveLength(1);
		const row = await env.DB.prepare("SELECT reason, body FROM quarantine WHERE instr(body, ?) > 0")
			.bind(text)
			.first<{ reason: string; body: string }>();
		expect(row?.reason).toMatch(/not an EventRecord/);
		expect(JSON.parse(row?.body ?? "{}")).toEqual({ unreadable: expect.stringContaining("not JSON"), text });
	});

	it("stores a buffered event once however often the queue delivers it", async () => {
		const { groupId, topicId } = ids();
		const record = createTopicRecord(groupId, topicId);
		const first = await consume([record]);
		expect(first.explicitAcks).toHaveLength(1);
		expect(first.retryMessages).toEqual([]);
		// Redelivery of the same message (and the same event sent twice in one batch).
		const again = await consume([record, record]);
		expect(again.explicitAcks).toHaveLength(2);
		expect(await topicEvents(topicId)).toHaveLength(1);
	});

	it("retries a message with backoff while D1 still refuses, losing nothing", async () => {
		const { groupId, topicId } = ids();
		const record = createTopicRecord(groupId, topicId);
		const failed = await consume([record], { DB: d1WithFailingBatch() });
		expect(failed.explicitAcks).toEqual([]);
		// (The test harness records which messages were retried, not their delay: retryDelaySeconds is tested below.)
		expect(failed.retryMessages).toHaveLength(1);
		expect(await topicEvents(topicId)).toEqual([]);
		// D1 is back: the retried delivery stores it.
		expect((await consume([record])).explicitAcks).toHaveLength(1);
		expect(await topicEvents(topicId)).toHaveLength(1);
	});

	it("backs off 30 s, doubling, up to an hour", () => {
		expect([1, 2, 3, 7, 8, 30].map(retryDelaySeconds)).toEqual([
			RETRY_BASE_SECONDS,
			60,
			120,
			1920,
			RETRY_CAP_SECONDS,
			RETRY_CAP_SECONDS,
		]);
	});

	it("keeps a message that is not an EventRecord in quarantine instead of dropping it", async () => {
		const marker = `not-a-record-${unique()}`;
		const result = await consume([{ hello: marker }]);
		expect(result.explicitAcks).toHaveLength(1);
		const row = await env.DB.prepare("SELECT reason, body FROM quarantine WHERE instr(body, ?) > 0")
			.bind(marker)
			.first<{ reason: string; body: string }>();
		expect(row?.reason).toMatch(/not an EventRecord/);
		expect(JSON.parse(row?.body ?? "null")).toEqual({ hello: marker });
	});

	it("answers 503 FAIL when neither D1 nor the queue takes the event", async () => {
		const { groupId, topicId } = ids();
		const res = await sendCallback(
			"Group.CallbackAfterCreateTopic",
			samples.afterCreateTopic(topicId, groupId),
			{
				env: { DB: d1Down(), EVENTS_QUEUE: queueDown() },
			},
		);
		expect(res.status).toBe(503);
		expect(res.json).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 503 });
		expect(await topicEvents(topicId)).toEqual([]);
	});
});

describe("queue-first ingestion (EVENT_WRITES=queue)", () => {
	const QUEUE_FIRST = { EVENT_WRITES: "queue" } as Partial<Env>;

	it("answers once the queue holds the event, without a D1 write; the consumer stores it once", async () => {
		const { groupId, topicId } = ids();
		const edge = d1CountingBatches();
		const res = await sendCallback(
			"Group.CallbackAfterCreateTopic",
			samples.afterCreateTopic(topicId, groupId),
			{ env: { ...QUEUE_FIRST, DB: edge.db } },
		);
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		expect(edge.batches).toEqual([]);
		await expectStoredOnceByTheConsumer(groupId, topicId);
	});

	it("writes D1 directly when the queue refuses: stored before the answer", async () => {
		const { groupId, topicId } = ids();
		const res = await sendCallback(
			"Group.CallbackAfterCreateTopic",
			samples.afterCreateTopic(topicId, groupId),
			{ env: { ...QUEUE_FIRST, EVENTS_QUEUE: queueDown() } },
		);
		expect(res.status).toBe(200);
		expect(await topicEvents(topicId)).toHaveLength(1);
	});

	it("answers 503 FAIL when neither the queue nor D1 takes the event", async () => {
		const { groupId, topicId } = ids();
		const res = await sendCallback(
			"Group.CallbackAfterCreateTopic",
			samples.afterCreateTopic(topicId, groupId),
			{ env: { ...QUEUE_FIRST, EVENTS_QUEUE: queueDown(), DB: d1Down() } },
		);
		expect(res.status).toBe(503);
		expect(res.json).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 503 });
		expect(await topicEvents(topicId)).toEqual([]);
	});

	it("the consumer stores a whole batch with one D1 batch, in order", async () => {
		const { groupId, topicId } = ids();
		const created = createTopicRecord(groupId, topicId);
		const renamedBody = { ...samples.afterTopicInfoChanged(groupId), TopicId: topicId, Name: "Renamed" };
		const renamed: EventRecord = {
			command: renamedBody.CallbackCommand,
			sdkAppId: "1400000000",
			deliveryKey: null,
			facts: {
				groupId,
				topicIds: [topicId],
				operatorAccount: "leckie",
				eventTime: null,
				topicChange: { kind: "update", topicId, groupId, name: "Renamed" },
			},
			payload: JSON.stringify(renamedBody),
			receivedAt: Date.now() + 1,
		};
		const counting = d1CountingBatches();
		const result = await consume([created, renamed], { DB: counting.db });
		expect(result.explicitAcks).toHaveLength(2);
		// One D1 batch: one events insert for both, then the create and the rename (runs of one kind each).
		expect(counting.batches).toEqual([3]);
		expect((await topicEvents(topicId)).map((row) => row.command)).toEqual([
			"Group.CallbackAfterCreateTopic",
			"Group.CallbackAfterTopicInfoChanged",
		]);
		const topic = await env.DB.prepare("SELECT name FROM topics WHERE topic_id = ?").bind(topicId).first();
		expect(topic).toEqual({ name: "Renamed" });
	});

	it("stores each message alone when the shared write fails, so none holds the others back", async () => {
		const first = ids();
		const second = ids();
		const refusing = d1CountingBatches(1);
		const result = await consume(
			[createTopicRecord(first.groupId, first.topicId), createTopicRecord(second.groupId, second.topicId)],
			{ DB: refusing.db },
		);
		// The shared write (one events insert, one run of creates) is refused; then each message goes alone.
		expect(refusing.batches).toEqual([2, 2, 2]);
		expect(result.explicitAcks).toHaveLength(2);
		expect(result.retryMessages).toEqual([]);
		expect(await topicEvents(first.topicId)).toHaveLength(1);
		expect(await topicEvents(second.topicId)).toHaveLength(1);
	});
});
