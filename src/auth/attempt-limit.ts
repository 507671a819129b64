// A limit on failed /api attempts per client address, so the admin token cannot be guessed at speed. Failures
// are counted by Cloudflare's rate-limiting binding (ADMIN_AUTH_LIMITER, shared by the isolates of a location)
// or, where it is not bound, by this isolate alone. Once an address is over the limit this isolate refuses
// it outright for a period, the right token included: otherwise a guesser would learn from a 200 that a
// guess was right even while every wrong one got 429.

import { isolateSlot, isolateState } from "../isolate";

/** Failed attempts per address and period answered as usual (401); the next one starts a block (429). */
export const FAILED_ATTEMPT_LIMIT = 10;
/** The counting period and the length of a block, in seconds (the binding accepts 10 or 60). */
export const FAILED_ATTEMPT_PERIOD_SECONDS = 60;
/** Addresses remembered per isolate, so a flood of addresses cannot grow memory without bound. */
const MAX_TRACKED_ADDRESSES = 10_000;

/** An isolate's memory: blocked addresses (until, ms) and, without the binding, failure counts per window. */
export interface AttemptMemory {
	blockedUntil: Map<string, number>;
	failures: Map<string, { windowStart: number; count: number }>;
}

const attemptSlot = isolateSlot(
	"attempt-limit",
	(): AttemptMemory => ({ blockedUntil: new Map(), failures: new Map() }),
);

/** This isolate's memory of failed attempts. */
export function attemptMemory(env: Env): AttemptMemory {
	return isolateState(env, attemptSlot);
}

/** Where an attempt comes from, the binding that counts failures (null: this isolate counts), and the memory. */
export interface AttemptSource {
	/** `CF-Connecting-IP`; null only outside Cloudflare's edge and `wrangler dev` (in-process tests). */
	address: string | null;
	limiter: RateLimit | null;
	memory: AttemptMemory;
}

/** The client address, the limiter of a request (the binding when it is configured) and the isolate's memory. */
export function attemptSource(request: Request, env: Env): AttemptSource {
	const limiter = (env as { ADMIN_AUTH_LIMITER?: RateLimit }).ADMIN_AUTH_LIMITER;
	return {
		address: request.headers.get("cf-connecting-ip"),
		limiter: limiter ?? null,
		memory: attemptMemory(env),
	};
}

/** Keeps `map` under MAX_TRACKED_ADDRESSES: expired entries go first, then the oldest. */
function bound<V>(map: Map<string, V>, expired: (value: V) => boolean): void {
	if (map.size < MAX_TRACKED_ADDRESSES) return;
	for (const [key, value] of map) if (expired(value)) map.delete(key);
	while (map.size >= MAX_TRACKED_ADDRESSES) {
		const oldest = map.keys().next().value;
		if (oldest === undefined) break;
		map.delete(oldest);
	}
}

/** Seconds until `address` may try again, or null when it is not blocked. */
export function blockedSeconds(memory: AttemptMemory, address: string, now: number): number | null {
	const until = memory.blockedUntil.get(address);
	if (until === undefined) return null;
	if (until <= now) {
		memory.blockedUntil.delete(address);
		return null;
	}
	return Math.ceil((until - now) / 1000);
}

/** Whether one more failure from `address` is within the limit, counted in this isolate (no binding). */
function countHere(memory: AttemptMemory, address: string, now: number): boolean {
	const period = FAILED_ATTEMPT_PERIOD_SECONDS * 1000;
	const current = memory.failures.get(address);
	if (current === undefined || now - current.windowStart >= period) {
		bound(memory.failures, (entry) => now - entry.windowStart >= period);
		memory.failures.set(address, { windowStart: now, count: 1 });
		return true;
	}
	current.count += 1;
	return current.count <= FAILED_ATTEMPT_LIMIT;
}

/**
 * Counts one failed attempt from `source`; when it is over the limit, blocks the address in this isolate for
 * the period and returns the seconds to wait (for `Retry-After`), else null. Without an address nothing
 * is counted. A binding that throws counts here instead: a limit that fails must not open the door.
 */
export async function recordFailedAttempt(source: AttemptSource, now: number): Promise<number | null> {
	const { address, limiter, memory } = source;
	if (address === null) return null;
	let within: boolean;
	try {
		within =
			limiter === null ? countHere(memory, address, now) : (await limiter.limit({ key: address })).success;
	} catch {
		within = countHere(memory, address, now);
	}
	if (within) return null;
	bound(memory.blockedUntil, (until) => until <= now);
	memory.blockedUntil.set(address, now + FAILED_ATTEMPT_PERIOD_SECONDS * 1000);
	return FAILED_ATTEMPT_PERIOD_SECONDS;
}
