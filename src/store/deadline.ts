// Tencent waits 2 seconds for an answer; a write that hangs must not use them all up.

/** How long the callback path waits for D1 before it hands the event to the queue instead. */
export const DIRECT_WRITE_DEADLINE_MS = 1_200;

/**
 * `promise`, or a rejection once `ms` have passed. A late failure of `promise` is swallowed (the caller has
 * already moved on); a late success still happens, which is harmless for idempotent writes.
 *
 * @example
 * await withinDeadline(recordEvent(db, record), 1_200, "D1 write"); // throws "D1 write took longer than 1200 ms"
 */
export function withinDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const expired = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
	});
	promise.catch(() => {});
	return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
