// Group commit: writes that arrive while one is in flight wait for it, then go together in the next one.
// Each D1 batch or queue send is a round trip, and under load they were the largest cost of an
// after-callback; grouped, a lone write still leaves at once, and a busy isolate makes one round trip per
// group instead of one per callback.
//
// The request that finds no group under way drains the outbox: it writes the oldest waiting items as one
// group, then the next, until none wait, all from its own flow (kept alive by its `ctx.waitUntil`). Every
// other request only waits for its item's result. A request's I/O is never started from a continuation
// another request resolved: workerd runs such a continuation in the waiting request's context, but its
// binding calls then failed with "Cannot perform I/O on behalf of a different request", and under load
// whole groups went to their fallback that way until the isolate stalled. Each caller is answered only once
// its group is written (with its own result), or told the group failed (then it keeps its item another way).
// Callers bound their wait with their own deadline (`withinDeadline`), as both do: a waiter must never rely
// only on another request's flow. A build whose queued path waited without one answered most requests of
// a second 4-second load run with errors, in two of three tries.
import type { Defer } from "../deadline";

/** How many items, and how many bytes of them, one group may carry. */
export interface GroupLimits {
	items: number;
	bytes: number;
	/**
	 * How long the request that finds the outbox idle waits for others to join its first group (0 when
	 * absent: a lone write leaves at once). The decision log waits, since its rows are never awaited.
	 */
	gatherMs?: number;
}

/** Writes a group: one result per item, in order. */
export type WriteGroup<Target, Item, Result> = (target: Target, items: Item[]) => Promise<Result[]>;

/**
 * How long a group may be under way before any new write drains the outbox alongside it. A group whose
 * request was cancelled meanwhile (its client went away) may never settle: the next write after this long
 * leads instead, with the items left waiting.
 */
export const TURN_STALE_MS = 250;

/** How long one request drains an outbox before it leaves the items still waiting to the next write. */
export const DRAIN_BUDGET_MS = 1_000;

interface Waiting<Item, Result> {
	item: Item;
	bytes: number;
	written: (result: Result) => void;
	failed: (error: unknown) => void;
}

/** The writes of one target (a binding): who is waiting, and since when a group has been under way. */
interface Outbox<Item, Result> {
	waiting: Waiting<Item, Result>[];
	/** When the group under way was started; null when no request is draining. */
	busySince: number | null;
}

/**
 * A grouped writer: `write(target, item, bytes, defer)` resolves with the item's result once the group
 * holding it is written, or rejects with the group's error. `bytes` is the item's size (an upper bound
 * will do); `defer` (`ctx.waitUntil`) keeps the caller's drain going after its answer.
 */
export function groupCommit<Target extends object, Item, Result>(
	limits: GroupLimits,
	writeGroup: WriteGroup<Target, Item, Result>,
): (target: Target, item: Item, bytes: number, defer: Defer) => Promise<Result> {
	// One outbox per binding object (a D1 database, a queue): what waits is writes to that binding, so it is
	// keyed by the binding rather than held in an isolate slot (src/isolate.ts). Nothing reads it but the drain.
	const outboxes = new WeakMap<Target, Outbox<Item, Result>>();

	/** Writes the waiting items group after group, oldest first, until none wait or the budget is spent. */
	async function drain(target: Target, box: Outbox<Item, Result>): Promise<void> {
		if (limits.gatherMs) await new Promise((resolve) => setTimeout(resolve, limits.gatherMs));
		const started = Date.now();
		for (;;) {
			const group = nextGroup(box.waiting, limits);
			if (group.length === 0 || Date.now() - started > DRAIN_BUDGET_MS) {
				box.waiting.unshift(...group);
				box.busySince = null;
				return;
			}
			box.busySince = Date.now();
			try {
				const results = await writeGroup(
					target,
					group.map((entry) => entry.item),
				);
				group.forEach((entry, index) => {
					entry.written(results[index] as Result);
				});
			} catch (error) {
				for (const entry of group) entry.failed(error);
			}
		}
	}

	return (target, item, bytes, defer) => {
		let box = outboxes.get(target);
		if (!box) {
			box = { waiting: [], busySince: null };
			outboxes.set(target, box);
		}
		const outbox = box;
		const result = new Promise<Result>((written, failed) => {
			outbox.waiting.push({ item, bytes, written, failed });
		});
		if (outbox.busySince === null || Date.now() - outbox.busySince > TURN_STALE_MS) {
			outbox.busySince = Date.now();
			defer(drain(target, outbox));
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
