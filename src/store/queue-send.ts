// Group commit for queue sends. Each `send` is a subrequest, and under load they were the largest cost of an
// after-callback with EVENT_WRITES=queue. While one `sendBatch` is in flight the sends that arrive wait for
// it, then go together in the next one: a lone send still leaves at once, and a busy isolate sends one
// batch per round trip instead of one message per callback.
//
// Every batch is sent from the request of one of its own messages (that request is waiting for it anyway),
// never from a request already answered: when a batch is done, the oldest waiting message's request is
// handed the turn and sends the next batch. Each caller is answered only once the queue has accepted its
// message, or told it failed (then it keeps its event another way).
import type { Defer } from "../deadline";

/** At most this many messages per `sendBatch` (a Cloudflare Queues limit). */
export const MAX_MESSAGES_PER_SEND = 100;
/** At most this many bytes per `sendBatch` (Queues allows 256 KB; this leaves room for the framing). */
export const MAX_BYTES_PER_SEND = 240_000;
/**
 * How long a turn may go unclaimed before any new send takes it. A turn handed to a request that was
 * cancelled meanwhile (its client went away) is never taken: the next send after this long leads instead.
 */
export const TURN_STALE_MS = 250;

interface Waiting {
	message: MessageSendRequest;
	bytes: number;
	accepted: () => void;
	failed: (error: unknown) => void;
	/** Hands this message's request the next batch to send. */
	takeTurn: () => void;
}

/** The sends of one queue binding: who is waiting, and since when a batch has been under way. */
interface Outbox {
	waiting: Waiting[];
	/** When the current batch was started or its turn handed on; null when no batch is under way. */
	busySince: number | null;
}

const outboxes = new WeakMap<Queue, Outbox>();

/**
 * Sends one message through `queue`, in a batch with the messages sent meanwhile from this isolate.
 * Resolves once the queue has accepted the batch holding it; rejects with the batch's error.
 * `bytes` is the message's size (an upper bound will do), to keep batches inside the Queues limits.
 */
export function sendGrouped(
	queue: Queue,
	message: MessageSendRequest,
	bytes: number,
	defer: Defer,
): Promise<void> {
	let outbox = outboxes.get(queue);
	if (!outbox) {
		outbox = { waiting: [], busySince: null };
		outboxes.set(queue, outbox);
	}
	const box = outbox;
	let takeTurn = () => {};
	const turn = new Promise<void>((resolve) => {
		takeTurn = resolve;
	});
	const sent = new Promise<void>((accepted, failed) => {
		box.waiting.push({ message, bytes, accepted, failed, takeTurn });
	});
	// The turn's continuation runs in this request's context, so the batch it sends belongs to a live request.
	void turn.then(() => sendNextBatch(queue, box, defer));
	if (box.busySince === null || Date.now() - box.busySince > TURN_STALE_MS) {
		box.busySince = Date.now();
		takeTurn();
	}
	return sent;
}

/** Sends the oldest waiting messages as one batch, then hands the turn to the next waiting message, if any. */
async function sendNextBatch(queue: Queue, box: Outbox, defer: Defer): Promise<void> {
	const batch = nextBatch(box.waiting);
	if (batch.length === 0) return; // a batch taken over from a stale turn carried this message
	box.busySince = Date.now();
	const sending = queue.sendBatch(batch.map((entry) => entry.message)).then(
		() => {
			for (const entry of batch) entry.accepted();
		},
		(error: unknown) => {
			for (const entry of batch) entry.failed(error);
		},
	);
	defer(sending);
	await sending;
	const next = box.waiting[0];
	if (next) {
		box.busySince = Date.now();
		next.takeTurn();
	} else box.busySince = null;
}

/** Takes the oldest waiting messages that fit one `sendBatch` (always at least one) out of `waiting`. */
export function nextBatch<T extends { bytes: number }>(waiting: T[]): T[] {
	let count = 0;
	let bytes = 0;
	for (const entry of waiting) {
		if (count === MAX_MESSAGES_PER_SEND || (count > 0 && bytes + entry.bytes > MAX_BYTES_PER_SEND)) break;
		count++;
		bytes += entry.bytes;
	}
	return waiting.splice(0, count);
}
