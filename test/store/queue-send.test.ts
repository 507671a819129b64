import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
	MAX_BYTES_PER_SEND,
	MAX_MESSAGES_PER_SEND,
	nextBatch,
	sendGrouped,
	TURN_STALE_MS,
} from "../../src/store/queue-send";
import { queueDown, queueHoldingBatches } from "../sync/faults";

const message = (n: number): MessageSendRequest => ({ body: { n }, contentType: "json" });
/** Collects the work a request would hand to ctx.waitUntil. */
function deferred(): { defer: (work: Promise<unknown>) => void; all: () => Promise<unknown> } {
	const work: Promise<unknown>[] = [];
	return { defer: (promise) => work.push(promise), all: () => Promise.allSettled(work) };
}

describe("grouped queue sends", () => {
	/** Lets queued continuations run (a taken turn starts its batch in one). */
	const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

	it("sends a lone message at once, and the sends made meanwhile together in the next batch", async () => {
		const { queue, batches, release } = queueHoldingBatches();
		const { defer, all } = deferred();
		const accepted: number[] = [];
		const send = (n: number) => sendGrouped(queue, message(n), 20, defer).then(() => accepted.push(n));
		const first = send(0);
		await settle();
		expect(batches).toEqual([[{ n: 0 }]]);
		const rest = Array.from({ length: 11 }, (_, n) => send(n + 1));
		await settle();
		expect(batches).toHaveLength(1); // the others wait for the batch in flight
		release(0);
		await first;
		expect(accepted).toEqual([0]); // each send is answered only once its own batch is accepted
		await settle();
		expect(batches).toEqual([[{ n: 0 }], Array.from({ length: 11 }, (_, n) => ({ n: n + 1 }))]);
		expect(accepted).toEqual([0]);
		release(1);
		await Promise.all(rest);
		expect(accepted).toEqual(Array.from({ length: 12 }, (_, n) => n));
		await all();
	});

	it("rejects every send of a batch the queue refuses, and the next send is tried afresh", async () => {
		const down = queueDown();
		const { defer } = deferred();
		const results = await Promise.allSettled([0, 1, 2].map((n) => sendGrouped(down, message(n), 20, defer)));
		expect(results.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
		expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/injected outage/);
		await expect(sendGrouped(down, message(3), 20, defer)).rejects.toThrow(/injected outage/);
	});

	it("a turn nobody takes goes to the next send once it is stale, with the messages left waiting", async () => {
		const { queue, batches, release } = queueHoldingBatches();
		const { defer } = deferred();
		void sendGrouped(queue, message(0), 20, defer); // its batch is never released
		await settle();
		const waiting = sendGrouped(queue, message(1), 20, defer);
		await new Promise((resolve) => setTimeout(resolve, TURN_STALE_MS / 2));
		const early = sendGrouped(queue, message(2), 20, defer);
		await settle();
		expect(batches).toHaveLength(1); // before the turn is stale, nobody else sends: the others wait
		await new Promise((resolve) => setTimeout(resolve, TURN_STALE_MS));
		const late = sendGrouped(queue, message(3), 20, defer);
		await settle();
		expect(batches).toEqual([[{ n: 0 }], [{ n: 1 }, { n: 2 }, { n: 3 }]]);
		release(1);
		await Promise.all([waiting, early, late]);
	});

	it("the queue's consumer receives every message of a grouped batch", async () => {
		const { defer } = deferred();
		const marker = crypto.randomUUID();
		await Promise.all(
			[0, 1, 2].map((n) =>
				sendGrouped(env.EVENTS_QUEUE, { body: { marker, n }, contentType: "json" }, 40, defer),
			),
		);
		// Not EventRecords: the consumer keeps each in quarantine, which shows all three arrived.
		await expect
			.poll(
				async () =>
					(await env.DB.prepare("SELECT count(*) AS n FROM quarantine WHERE body LIKE ?")
						.bind(`%${marker}%`)
						.first<number>("n")) ?? 0,
				{ timeout: 15_000, interval: 100 },
			)
			.toBe(3);
	});
});

describe("nextBatch", () => {
	const sized = (bytes: number[]) => bytes.map((size, n) => ({ n, bytes: size }));

	it("takes at most the Queues message count, oldest first, and leaves the rest waiting", () => {
		const waiting = sized(Array.from({ length: MAX_MESSAGES_PER_SEND + 5 }, () => 1));
		const batch = nextBatch(waiting);
		expect(batch.map((entry) => entry.n)).toEqual(Array.from({ length: MAX_MESSAGES_PER_SEND }, (_, n) => n));
		expect(waiting.map((entry) => entry.n)).toEqual([100, 101, 102, 103, 104]);
	});

	it("stops before the byte limit, but always takes one message", () => {
		const half = Math.floor(MAX_BYTES_PER_SEND / 2);
		const waiting = sized([half, half, 1, MAX_BYTES_PER_SEND * 2]);
		expect(nextBatch(waiting).map((entry) => entry.n)).toEqual([0, 1]);
		expect(nextBatch(waiting).map((entry) => entry.n)).toEqual([2]);
		expect(nextBatch(waiting).map((entry) => entry.n)).toEqual([3]);
		expect(nextBatch(waiting)).toEqual([]);
	});
});
