// The durable buffer for after-events D1 could not take. When the direct write fails the event goes to the
// Cloudflare Queue bound as EVENTS_QUEUE; this Worker is also its consumer and stores each message with the
// same idempotent recordEvent, retrying with backoff until D1 takes it (then the dead-letter queue keeps it).
import * as v from "valibot";
import { base64Encode, fitsInUtf8Bytes } from "../crypto";
import type { Defer } from "../deadline";
import { errorMessage, log } from "../log";
import { groupCommit } from "./group-commit";
import { storeQuarantined } from "./quarantine";
import { type EventRecord, recordEvent, recordEvents } from "./record-event";

/**
 * How long the callback path waits for the second way of keeping an event (the queue after D1's 1.2 s, or
 * D1 after the queue's with `EVENT_WRITES=queue`): together they stay inside Tencent's 2 s. Past it the
 * attempt counts as failed, and the answer says so.
 */
export const QUEUE_SEND_DEADLINE_MS = 500;

/** First retry delay of a message whose write failed; it doubles per attempt up to the cap. */
export const EVENT_RETRY_BASE_SECONDS = 30;
/** Longest wait between two attempts of one message. */
export const EVENT_RETRY_CAP_SECONDS = 3_600;

const nullableString = v.nullable(v.string());
const topicChangeSchema = v.variant("kind", [
	v.object({
		kind: v.literal("create"),
		topicId: v.string(),
		groupId: v.string(),
		name: nullableString,
		ownerAccount: nullableString,
		createdBy: nullableString,
	}),
	v.object({
		kind: v.literal("update"),
		topicId: v.string(),
		groupId: v.string(),
		name: v.optional(v.string()),
		introduction: v.optional(v.string()),
		notification: v.optional(v.string()),
		faceUrl: v.optional(v.string()),
	}),
	v.object({ kind: v.literal("delete-topics"), groupId: v.string(), topicIds: v.array(v.string()) }),
	v.object({ kind: v.literal("delete-group"), groupId: v.string() }),
]);

/** A queue message as the producer sends it: an EventRecord. Checked, since a queue can be fed by hand. */
const eventRecordSchema = v.object({
	command: v.string(),
	sdkAppId: v.string(),
	facts: v.object({
		groupId: nullableString,
		topicIds: v.array(v.string()),
		operatorAccount: nullableString,
		eventTime: v.nullable(v.number()),
		topicChange: v.nullable(topicChangeSchema),
		happensOnce: v.optional(v.boolean()),
	}),
	payload: v.string(),
	receivedAt: v.number(),
	// Messages queued before deliveries were told apart have none: they keep the window.
	deliveryKey: v.optional(v.nullable(v.string()), null),
}) satisfies v.GenericSchema<unknown, EventRecord>;

/** Records up to this many bytes of JSON are queued as JSON text; larger ones gzipped (a message holds 128 KB). */
export const PLAIN_MESSAGE_LIMIT = 100_000;

/** At most this many messages, and bytes, per `sendBatch` (Queues allows 100 and 256 KB). */
export const QUEUE_SEND_LIMITS = { items: 100, bytes: 240_000 };

/** Queue sends, grouped into `sendBatch` calls (group-commit.ts). */
const sendGrouped = groupCommit<Queue, MessageSendRequest, void>(
	QUEUE_SEND_LIMITS,
	async (queue, messages) => {
		await queue.sendBatch(messages);
		return messages.map(() => undefined);
	},
);

/**
 * Hands an after-event to the queue; throws when the queue does not take it either. Sends from one isolate
 * are grouped into batches (see group-commit.ts); `defer` keeps a batch going after its sender's answer.
 * A message is the record's JSON text (`contentType: "text"`): readable in the dashboard and the dead-letter
 * queue, and serialized once (as `"json"` the runtime would serialize the record again after the size check
 * did). A record too large for a message (a big `MemberList`) goes as gzipped JSON bytes instead. The
 * consumer reads all three forms, the JSON objects of earlier versions included.
 */
export async function bufferEvent(queue: Queue, record: EventRecord, defer: Defer): Promise<void> {
	const json = JSON.stringify(record);
	if (fitsInUtf8Bytes(json, PLAIN_MESSAGE_LIMIT)) {
		// An upper bound of the message's bytes is enough to keep a batch inside the limits.
		const bytes = Math.min(json.length * 3, PLAIN_MESSAGE_LIMIT);
		await sendGrouped(queue, { body: json, contentType: "text" }, bytes, defer);
		return;
	}
	const packed = new Uint8Array(await gzip(json));
	await sendGrouped(queue, { body: packed, contentType: "bytes" }, packed.byteLength, defer);
}

async function gzip(text: string): Promise<ArrayBuffer> {
	const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
	return new Response(stream).arrayBuffer();
}

/** A message body as the producer meant it: JSON text parsed, gzipped JSON bytes unpacked, anything else as it is. */
async function unpack(body: unknown): Promise<unknown> {
	if (typeof body === "string") return JSON.parse(body);
	if (!(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body)) return body;
	const stream = new Blob([body]).stream().pipeThrough(new DecompressionStream("gzip"));
	return JSON.parse(await new Response(stream).text());
}

/** Exponential backoff for queue retries: `base` seconds after the first attempt, doubling, at most `cap`. */
export function backoffSeconds(attempts: number, base: number, cap: number): number {
	const exponent = Math.max(0, Math.min(attempts - 1, 20));
	return Math.min(base * 2 ** exponent, cap);
}

/** Seconds to wait before the `attempts`-th delivery of a message is tried again: 30, 60, 120 … 3600. */
export function retryDelaySeconds(attempts: number): number {
	return backoffSeconds(attempts, EVENT_RETRY_BASE_SECONDS, EVENT_RETRY_CAP_SECONDS);
}

/**
 * The queue consumer: stores every buffered after-event in D1, in order, with one D1 batch for the whole
 * message batch. A message is acknowledged once D1 has it (a redelivery adds nothing), retried later when
 * the write fails; when the shared write fails, each message is tried alone, so one event D1 refuses
 * cannot hold the others back. A message that is not an EventRecord cannot become an event; it is kept in
 * `quarantine` instead.
 */
export async function drainEventQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	const records: { message: Message<unknown>; record: EventRecord }[] = [];
	for (const message of batch.messages) {
		try {
			const body = await unpack(message.body).catch((error: unknown) => unreadable(message.body, error));
			const parsed = v.safeParse(eventRecordSchema, body);
			if (parsed.success) {
				records.push({ message, record: parsed.output });
				continue;
			}
			await storeQuarantined(env.DB, {
				receivedAt: Date.now(),
				command: null,
				sdkAppId: null,
				reason: `queue ${batch.queue}: message ${message.id} is not an EventRecord`,
				body: JSON.stringify(body) ?? String(body),
			});
			message.ack();
		} catch (error) {
			retryLater(batch.queue, message, error);
		}
	}
	if (records.length === 0) return;
	try {
		const results = await recordEvents(
			env.DB,
			records.map(({ record }) => record),
		);
		for (const { message } of records) message.ack();
		log("info", "event.recorded_from_queue", {
			queue: batch.queue,
			messages: records.length,
			inserted: results.reduce((sum, result) => sum + result.inserted, 0),
		});
	} catch (batchError) {
		log("warn", "event.queue_batch_failed", {
			queue: batch.queue,
			messages: records.length,
			error: errorMessage(batchError),
		});
		for (const { message, record } of records) {
			try {
				await recordEvent(env.DB, record);
				message.ack();
			} catch (error) {
				retryLater(batch.queue, message, error);
			}
		}
	}
}

/** What quarantine keeps of a message whose text is not JSON, or whose bytes are not gzipped JSON. */
function unreadable(body: unknown, error: unknown): Record<string, string> {
	if (typeof body === "string")
		return { unreadable: `text message is not JSON: ${errorMessage(error)}`, text: body };
	return {
		unreadable: `gzipped message could not be read: ${errorMessage(error)}`,
		base64: base64Encode(body as ArrayBuffer | ArrayBufferView),
	};
}

function retryLater(queue: string, message: Message<unknown>, error: unknown): void {
	const delaySeconds = retryDelaySeconds(message.attempts);
	log("error", "event.queue_store_failed", {
		queue,
		messageId: message.id,
		attempts: message.attempts,
		retryInSeconds: delaySeconds,
		error: errorMessage(error),
	});
	message.retry({ delaySeconds });
}
