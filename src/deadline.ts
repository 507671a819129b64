// Tencent waits 2 seconds for an answer, so nothing on a request path may wait on a binding without a bound,
// and work the answer does not need runs after it.

/** Runs work after the answer, attached to the request so it outlives it (`ctx.waitUntil`). */
export type Defer = (work: Promise<unknown>) => void;

/**
 * How long {@link afterAnswer} waits. A microtask, or a timer of 0, can still run before the answer leaves:
 * locally a proxy in front of the Worker (Miniflare's, `wrangler dev`'s) forwards it on the same thread,
 * after any timer already due.
 */
export const AFTER_ANSWER_DELAY_MS = 10;

/**
 * Runs `work` once the answer has gone, attached with `defer` so it outlives it: for CPU the answer does not
 * need (a log line, encoding a cache entry).
 */
export function afterAnswer(defer: Defer, work: () => unknown): void {
	defer(new Promise((resolve) => setTimeout(resolve, AFTER_ANSWER_DELAY_MS)).then(work));
}

/**
 * `promise`, or a rejection once `ms` have passed. A late failure of `promise` is swallowed (the caller has
 * already moved on); a late success still happens, which is harmless for idempotent work.
 *
 * @example
 * await withinDeadline(recordEvent(db, record), 1_200, "the D1 write"); // throws "the D1 write took longer than 1200 ms"
 */
export function withinDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const expired = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
	});
	promise.catch(() => {});
	return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
