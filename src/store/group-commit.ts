// Group commit: writes that arrive while one is in flight wait for it, then go together in the next one.
// Each D1 batch or queue send is a round trip, and under load they were the largest cost of an
// after-callback; grouped, a lone write still leaves at once, and a busy isolate makes one round trip per
// group instead of one per callback.
//
// Every group is written from the request of one of its own items (that request is waiting for it anyway),
// never from a request already answered: when a group is done, the oldest waiting item's request is
// handed the turn and writes the next group. Each caller is answered only once its group is written (with
// its own result), or told the group failed (then it keeps its item another way).
import type { Defer } from "../deadline";

/** How many items, and how many bytes of them, one group may carry. */
export interface GroupLimits {
	items: number;
	bytes: number;
}

/** Writes a group: one result per item, in order. */
export type WriteGroup<Target, Item, Result> = (target: Target, items: Item[]) => Promise<Result[]>;

/**
 * How long a turn may go unclaimed before any new write takes it. A turn handed to a request that was
 * cancelled meanwhile (its client went away) is never taken: the next write after this long leads instead.
 */
export const TURN_STALE_MS = 250;

interface Waiting<Item, Result> {
	item: Item;
	bytes: number;
	written: (result: Result) => void;
	failed: (error: unknown) => void;
	/** Hands this item's request the next group to write. */
	takeTurn: () => void;
}

/** The writes of one target (a binding): who is waiting, and since when a group has been under way. */
interface Outbox<Item, Result> {
	waiting: Waiting<Item, Result>[];
	/** When the current group was started or its turn handed on; null when none is under way. */
	busySince: number | null;
}

/**
 * A grouped writer: `write(target, item, bytes, defer)` resolves with the item's result once the group
 * holding it is written, or rejects with the group's error. `bytes` is the item's size (an upper bound
 * will do); `defer` (`ctx.waitUntil`) keeps a group going after its writer's answer.
 */
export function groupCommit<Target extends object, Item, Result>(
	limits: GroupLimits,
	writeGroup: WriteGroup<Target, Item, Result>,
): (target: Target, item: Item, bytes: number, defer: Defer) => Promise<Result> {
	const outboxes = new WeakMap<Target, Outbox<Item, Result>>();

	/** Writes the oldest waiting items as one group, then hands the turn to the next waiting item, if any. */
	async function writeNextGroup(target: Target, box: Outbox<Item, Result>, defer: Defer): Promise<void> {
		const group = nextGroup(box.waiting, limits);
		if (group.length === 0) return; // a group taken over from a stale turn carried this item
		box.busySince = Date.now();
		const writing = writeGroup(
			target,
			group.map((entry) => entry.item),
		).then(
			(results) => {
				group.forEach((entry, index) => {
					entry.written(results[index] as Result);
				});
			},
			(error: unknown) => {
				for (const entry of group) entry.failed(error);
			},
		);
		defer(writing);
		await writing;
		const next = box.waiting[0];
		if (next) {
			box.busySince = Date.now();
			next.takeTurn();
		} else box.busySince = null;
	}

	return (target, item, bytes, defer) => {
		let box = outboxes.get(target);
		if (!box) {
			box = { waiting: [], busySince: null };
			outboxes.set(target, box);
		}
		const outbox = box;
		let takeTurn = () => {};
		const turn = new Promise<void>((resolve) => {
			takeTurn = resolve;
		});
		const result = new Promise<Result>((written, failed) => {
			outbox.waiting.push({ item, bytes, written, failed, takeTurn });
		});
		// The turn's continuation runs in this request's context, so the group it writes has a live request.
		void turn.then(() => writeNextGroup(target, outbox, defer));
		if (outbox.busySince === null || Date.now() - outbox.busySince > TURN_STALE_MS) {
			outbox.busySince = Date.now();
			takeTurn();
		}
		return result;
	};
}

/** Takes the oldest waiting items that fit one group (always at least one) out of `waiting`. */
export function nextGroup<T extends { bytes: number }>(waiting: T[], limits: GroupLimits): T[] {
	let count = 0;
	let bytes = 0;
	for (const entry of waiting) {
		if (count === limits.items || (count > 0 && bytes + entry.bytes > limits.bytes)) break;
		count++;
		bytes += entry.bytes;
	}
	return waiting.splice(0, count);
}
