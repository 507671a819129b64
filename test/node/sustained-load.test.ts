// After-callbacks under sustained concurrent load over real sockets, with the clients going away mid-request at
// the end of each round (as a load generator or an impatient sender does). Grouped writes must keep working
// through it: every answered callback is a 200 OK whose event is stored, and no round stalls.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "admin-token-for-sustained-load-0123456789";
const CONNECTIONS = 16;
const ROUND_MS = 2_500;
const ROUNDS = 3;

const workers: Record<string, RunningWorker> = {};

beforeAll(async () => {
	for (const mode of ["queue", "direct"]) {
		workers[mode] = await startWorker({
			secrets: { ADMIN_TOKEN },
			vars: { ALLOW_UNSIGNED_CALLBACKS: "true", EVENT_WRITES: mode },
		});
	}
}, 120_000);
afterAll(async () => {
	for (const worker of Object.values(workers)) await worker.stop();
});

const query = new URLSearchParams({
	SdkAppid: "1400000000",
	CallbackCommand: "Group.CallbackAfterCreateTopic",
	contenttype: "json",
	ClientIP: "127.0.0.1",
	OptPlatform: "RESTAPI",
});

/** One round: CONNECTIONS clients send topic creates back to back, then all go away mid-request. */
async function round(worker: RunningWorker, groupId: string, round: number) {
	const stop = new AbortController();
	const answers: { status: number; body: string; topicId: string }[] = [];
	let sent = 0;
	const client = async () => {
		while (!stop.signal.aborted) {
			const topicId = `${groupId}@TOPIC#_${round}_${sent++}`;
			try {
				const response = await worker.fetch(`/?${query}`, {
					method: "POST",
					body: JSON.stringify({
						CallbackCommand: "Group.CallbackAfterCreateTopic",
						GroupId: groupId,
						TopicId: topicId,
						Operator_Account: "leckie",
						Type: "Community",
						Name: `Topic ${topicId}`,
					}),
					signal: stop.signal,
				});
				answers.push({ status: response.status, body: await response.text(), topicId });
			} catch (error) {
				if (!stop.signal.aborted) throw error;
			}
		}
	};
	const clients = Array.from({ length: CONNECTIONS }, client);
	await new Promise((resolve) => setTimeout(resolve, ROUND_MS));
	stop.abort();
	await Promise.all(clients);
	return answers;
}

/** Whether D1 holds the topic, through the admin API (404 when it was never stored). */
async function isStored(worker: RunningWorker, topicId: string): Promise<boolean> {
	const response = await worker.fetch(`/api/topics/${encodeURIComponent(topicId)}?limit=1`, {
		headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
	});
	expect([200, 404]).toContain(response.status);
	return response.status === 200;
}

describe.each(["queue", "direct"])("sustained after-callbacks, EVENT_WRITES=%s", (mode) => {
	it("answers every round with 200 OK, and what it answered is stored", async () => {
		const worker = workers[mode] as RunningWorker;
		const groupId = `@TGS#_load_${mode}`;
		const sample: string[] = [];
		for (let n = 0; n < ROUNDS; n++) {
			const answers = await round(worker, groupId, n);
			const failed = answers.filter((answer) => answer.status !== 200 || !answer.body.includes('"OK"'));
			expect(failed.slice(0, 3)).toEqual([]);
			// A round that stalls answers almost nothing: each client is answered many times a second.
			expect(answers.length).toBeGreaterThan(CONNECTIONS * 4);
			// The last answers of a round are the ones whose groups were cut short by the clients leaving.
			sample.push(...answers.slice(-10).map((answer) => answer.topicId));
		}
		// With EVENT_WRITES=queue the consumer stores behind the answers: give it time to catch up.
		const missing = async () => {
			const stored = await Promise.all(sample.map((topicId) => isStored(worker, topicId)));
			return sample.filter((_, index) => !stored[index]);
		};
		let left = await missing();
		for (let waited = 0; left.length > 0 && waited < 30; waited++) {
			await new Promise((resolve) => setTimeout(resolve, 1_000));
			left = await missing();
		}
		expect(left).toEqual([]);
	}, 120_000);
});
