import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { bufferEvent } from "../../src/store/event-queue";
import { DRAIN_BUDGET_MS, groupCommit, nextGroup, TURN_STALE_MS } from "../../src/store/group-commit";
import { type EventRecord, recordEventGrouped } from "../../src/store/record-event";
import { createTopicRecord, unique } from "../support/tencent";
import { d1CountingBatches, d1WithFailingBatch, queueDown, queueHoldingBatches } from "../sync/faults";

/** Collects the work a request would hand to ctx.waitUntil. */
function deferred(): { defer: (work: Promise<unknown>) => void; all: () => Promise<unknown> } {
	const work: Promise<unknown>[] = [];
	return { defer: (promise) => work.push(promise), all: () => Promise.allSettled(work) };
}

/** Lets queued continuations run (a taken turn starts its group in one). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A group writer under the test's control: records each group and holds it until released. */
function heldWriter() {
	const groups: number[][] = [];
	const gates: ((fail?: Error) => void)[] = [];
	const write = (_target: object, items: number[]) => {
		groups.push(items);
		return new Promise<string[]>((resolve, reject) => {
			gates.push((fail) => (fail ? reject(fail) : resolve(items.map((n) => `stored ${n}`))));
		});
	};
	return { groups, write, release: (index: number, fail?: Error) => gates[index]?.(fail) };
}

/** A group commit of at most 100 items over a held writer, one target, and a request's waitUntil. */
function heldCommit() {
	const writer = heldWriter();
	return { writer, write: groupCommit({ items: 100, bytes: 1000 }, writer.write), target: {}, ...deferred() };
}

describe("group commit", () => {
	it("writes a lone item at once, and the items that come meanwhile together in the next group", async () => {
		const { writer, write, target, defer, all } = heldCommit();
		const answered: string[] = [];
		const send = (n: number) => write(target, n, 1, defer).then((result) => answered.push(result));
		const first = send(0);
		await settle();
		expect(writer.groups).toEqual([[0]]);
		const rest = Array.from({ length: 11 }, (_, n) => send(n + 1));
		await settle();
		expect(writer.groups).toHaveLength(1); // the others wait for the group in flight
		writer.release(0);
		await first;
		expect(answered).toEqual(["stored 0"]); // each caller is answered once its own group is written
		await settle();
		expect(writer.groups).toEqual([[0], Array.from({ length: 11 }, (_, n) => n + 1)]);
		expect(answered).toEqual(["stored 0"]);
		writer.release(1);
		await Promise.all(rest);
		expect(answered).toEqual(Array.from({ length: 12 }, (_, n) => `stored ${n}`));
		await all();
	});

	it("rejects every item of a failed group, and writes the next group afresh", async () => {
		const { writer, write, target, defer } = heldCommit();
		const first = write(target, 0, 1, defer);
		await settle();
		const group = [1, 2].map((n) => write(target, n, 1, defer));
		writer.release(0);
		await first;
		await settle();
		writer.release(1, new Error("D1_ERROR: injected"));
		const results = await Promise.allSettled(group);
		expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
		const next = write(target, 3, 1, defer);
		await settle();
		writer.release(2);
		await expect(next).resolves.toBe("stored 3");
		expect(writer.groups).toEqual([[0], [1, 2], [3]]);
	});

	it("keeps each target's writes apart", async () => {
		const { writer, write, defer } = heldCommit();
		const a = write({}, 1, 1, defer);
		const b = write({}, 2, 1, defer);
		await settle();
		expect(writer.groups).toEqual([[1], [2]]); // neither waits for the other's group
		writer.release(0);
		writer.release(1);
		await Promise.all([a, b]);
	});

	it("a group that never settles (its request cancelled) leaves the items waiting to the next write once it is stale", async () => {
		const { writer, write, target, defer } = heldCommit();
		void write(target, 0, 1, defer); // its group is never released, as when its request was cancelled
		await settle();
		const waiting = write(target, 1, 1, defer);
		await new Promise((resolve) => setTimeout(resolve, TURN_STALE_MS / 2));
		const early = write(target, 2, 1, defer);
		await settle();
		expect(writer.groups).toHaveLength(1); // before the group is stale, nobody else writes
		await new Promise((resolve) => setTimeout(resolve, TURN_STALE_MS));
		const late = write(target, 3, 1, defer);
		await settle();
		expect(writer.groups).toEqual([[0], [1, 2, 3]]);
		writer.release(1);
		expect(await Promise.all([waiting, early, late])).toEqual(["stored 1", "stored 2", "stored 3"]);
	});
});

describe("group commit: who writes", () => {
	it("a drain that has run its budget leaves the items still waiting to the next write", async () => {
		const { writer, write, target, defer } = heldCommit();
		const first = write(target, 0, 1, defer);
		await settle();
		const waiting = [1, 2].map((n) => write(target, n, 1, defer));
		await new Promise((resolve) => setTimeout(resolve, DRAIN_BUDGET_MS + 50));
		writer.release(0);
		await first;
		await settle();
		expect(writer.groups).toEqual([[0]]); // the drain stopped: its request's work is done
		const next = write(target, 3, 1, defer);
		await settle();
		expect(writer.groups).toEqual([[0], [1, 2, 3]]);
		writer.release(1);
		expect(await Promise.all([...waiting, next])).toEqual(["stored 1", "stored 2", "stored 3"]);
	});

	it("the request that found nothing in flight writes the next groups too; the others only wait", async () => {
		const { writer, write, target } = heldCommit();
		const leader = deferred();
		const others = deferred();
		const first = write(target, 0, 1, leader.defer);
		await settle();
		const rest = [1, 2, 3].map((n) => write(target, n, 1, others.defer));
		writer.release(0);
		await first;
		await settle();
		writer.release(1);
		expect(await Promise.all(rest)).toEqual(["stored 1", "stored 2", "stored 3"]);
		// Every group was written from the first request's drain, kept alive by its own waitUntil.
		expect(await others.all()).toEqual([]);
		expect(await leader.all()).toHaveLength(1);
	});
});

describe("nextGroup", () => {
	const sized = (bytes: number[]) => bytes.map((size, n) => ({ n, bytes: size }));

	it("takes at most the item limit, oldest first, and leaves the rest waiting", () => {
		const waiting = sized(Array.from({ length: 105 }, () => 1));
		expect(nextGroup(waiting, { items: 100, bytes: 1000 }).map((entry) => entry.n)).toEqual(
			Array.from({ length: 100 }, (_, n) => n),
		);
		expect(waiting.map((entry) => entry.n)).toEqual([100, 101, 102, 103, 104]);
	});

	it("stops before the byte limit, but always takes one item", () => {
		const waiting = sized([500, 500, 1, 5000]);
		const limits = { items: 100, bytes: 1000 };
		expect(nextGroup(waiting, limits).map((entry) => entry.n)).toEqual([0, 1]);
		expect(nextGroup(waiting, limits).map((entry) => entry.n)).toEqual([2]);
		expect(nextGroup(waiting, limits).map((entry) => entry.n)).toEqual([3]);
		expect(nextGroup(waiting, limits)).toEqual([]);
	});
});

/** The EventRecord of an AfterCreateTopic sample with a fresh topic. */
function freshTopicRecord(): EventRecord {
	const groupId = `@TGS#_@TGS#${unique()}`;
	return createTopicRecord(groupId, `${groupId}@TOPIC#_group`);
}

const storedTopics = async (records: EventRecord[]) =>
	(await env.DB.prepare(
		`SELECT count(*) AS n FROM topics WHERE topic_id IN (${records.map(() => "?").join(",")})`,
	)
		.bind(...records.map((record) => record.facts.topicIds[0]))
		.first<number>("n")) ?? 0;

describe("grouped D1 writes of after-events", () => {
	it("stores events written together in fewer D1 batches, each with its own result", async () => {
		const edge = d1CountingBatches();
		const { defer } = deferred();
		const records = Array.from({ length: 12 }, freshTopicRecord);
		const results = await Promise.all(records.map((record) => recordEventGrouped(edge.db, record, defer)));
		expect(results).toEqual(records.map(() => ({ inserted: 1 })));
		expect(await storedTopics(records)).toBe(12);
		expect(edge.batches.length).toBeLessThan(12);
		// A redelivery in the same group as a new event: one row for the new event, none for the repeat.
		const fresh = freshTopicRecord();
		const again = await Promise.all([
			recordEventGrouped(edge.db, records[0] as EventRecord, defer),
			recordEventGrouped(edge.db, fresh, defer),
		]);
		expect(again).toEqual([{ inserted: 0 }, { inserted: 1 }]);
	});

	it("rejects every event of a batch D1 refuses, so each caller keeps its event another way", async () => {
		const failing = d1WithFailingBatch();
		const { defer } = deferred();
		const records = Array.from({ length: 3 }, freshTopicRecord);
		const results = await Promise.allSettled(
			records.map((record) => recordEventGrouped(failing, record, defer)),
		);
		expect(results.every((result) => result.status === "rejected")).toBe(true);
		expect(await storedTopics(records)).toBe(0);
	});
});

describe("grouped queue sends of after-events", () => {
	it("sends the events that come while a send is in flight together, in one sendBatch", async () => {
		const { queue, batches, release } = queueHoldingBatches();
		const { defer } = deferred();
		const records = Array.from({ length: 5 }, freshTopicRecord);
		const first = bufferEvent(queue, records[0] as EventRecord, defer);
		await settle();
		const rest = records.slice(1).map((record) => bufferEvent(queue, record, defer));
		await settle();
		release(0);
		await first;
		await settle();
		expect(batches.map((batch) => batch.length)).toEqual([1, 4]);
		release(1);
		await Promise.all(rest);
		// Each message is its record's JSON text, in the order sent.
		expect(batches.flat().every((body) => typeof body === "string")).toBe(true);
		expect(batches.flat().map((body) => JSON.parse(body as string))).toEqual(records);
	});

	it("rejects every event of a batch the queue refuses", async () => {
		const down = queueDown();
		const { defer } = deferred();
		const results = await Promise.allSettled(
			Array.from({ length: 3 }, freshTopicRecord).map((record) => bufferEvent(down, record, defer)),
		);
		expect(results.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
	});

	it("the queue's consumer stores every event of a grouped batch", async () => {
		const { defer } = deferred();
		const records = Array.from({ length: 3 }, freshTopicRecord);
		await Promise.all(records.map((record) => bufferEvent(env.EVENTS_QUEUE, record, defer)));
		await vi.waitFor(async () => expect(await storedTopics(records)).toBe(3), {
			timeout: 15_000,
			interval: 100,
		});
	});
});
