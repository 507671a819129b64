// Failed /api attempts are limited per client address (CF-Connecting-IP): ten wrong tokens a minute get
// 401; the eleventh, and then anything from that address for 60 s (the right token included), 429 with
// Retry-After. Counted by the ADMIN_AUTH_LIMITER binding (Cloudflare's rate limiting, local in workerd), or
// by the isolate where it is not bound.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
	attemptMemory,
	blockedSeconds,
	FAILED_ATTEMPT_LIMIT,
	recordFailedAttempt,
} from "../../src/auth/attempt-limit";
import { SESSION_COOKIE } from "../../src/auth/console-session";
import { envWith } from "../support/isolate-env";
import { fetchWith } from "../support/tencent";
import { ADMIN_TOKEN } from "./admin";

/** A fresh documentation address (RFC 5737) per test, so tests never share a counter. */
function address(): string {
	const n = crypto.getRandomValues(new Uint8Array(2));
	return `198.51.${n[0]}.${n[1]}`;
}

async function call(
	path: string,
	options: {
		token?: string;
		ip: string | null;
		method?: string;
		body?: unknown;
		env?: Partial<Env>;
		headers?: Record<string, string>;
	},
) {
	const headers: Record<string, string> = { ...options.headers };
	if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
	if (options.ip !== null) headers["cf-connecting-ip"] = options.ip;
	if (options.body !== undefined) headers["content-type"] = "application/json";
	const response = await fetchWith(
		new Request(`https://webhooks.example.com${path}`, {
			method: options.method ?? "GET",
			headers,
			body: options.body === undefined ? undefined : JSON.stringify(options.body),
		}),
		{ ADMIN_TOKEN, ...options.env },
	);
	return {
		status: response.status,
		headers: response.headers,
		json: await response.json<Record<string, unknown>>(),
	};
}

const WRONG = `${ADMIN_TOKEN}-wrong`;

describe.each([
	["the ADMIN_AUTH_LIMITER binding", {}],
	["the per-isolate fallback (binding absent)", { ADMIN_AUTH_LIMITER: undefined }],
] as [string, Partial<Env>][])("failed-attempt limit, counted by %s", (_name, overrides) => {
	it("is really what counts here", () => {
		const bound = { ...env, ...overrides }.ADMIN_AUTH_LIMITER;
		expect(bound === undefined).toBe("ADMIN_AUTH_LIMITER" in overrides);
	});

	/**
	 * Ten wrong tokens from a fresh address, then the eleventh. The binding counts in fixed one-minute
	 * windows: when one ends during the run the count starts over, so the run is made again once.
	 */
	async function overTheLimit() {
		for (let run = 0; ; run++) {
			const ip = address();
			const window = Math.floor(Date.now() / 60_000);
			for (let i = 0; i < FAILED_ATTEMPT_LIMIT; i++) {
				const wrong = await call("/api/events", { token: WRONG, ip, env: overrides });
				expect(wrong.status, `attempt ${i + 1}`).toBe(401);
			}
			const over = await call("/api/events", { token: WRONG, ip, env: overrides });
			if (over.status === 429 || run > 0 || Math.floor(Date.now() / 60_000) === window) return { ip, over };
		}
	}

	it("answers 429 with Retry-After after ten failures, then refuses the right token from that address only", async () => {
		const { ip, over } = await overTheLimit();
		expect(over.status).toBe(429);
		const retryAfter = Number(over.headers.get("retry-after"));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(60);
		expect(over.json).toEqual({
			error: {
				code: "too_many_requests",
				message: expect.stringMatching(/^too many failed attempts from this address: try again in \d+ s$/),
			},
		});

		const right = await call("/api/events", { token: ADMIN_TOKEN, ip, env: overrides });
		expect(right.status).toBe(429);
		expect(right.json).toMatchObject({ error: { code: "too_many_requests" } });
		const signIn = await call("/api/session", {
			method: "POST",
			ip,
			body: { token: ADMIN_TOKEN },
			env: overrides,
		});
		expect(signIn.status).toBe(429);
		expect(signIn.headers.get("set-cookie")).toBeNull();

		const elsewhere = await call("/api/events", { token: ADMIN_TOKEN, ip: address(), env: overrides });
		expect(elsewhere.status).toBe(200);
	});

	it("counts wrong console sign-ins too", async () => {
		const ip = address();
		const statuses: number[] = [];
		for (let i = 0; i <= FAILED_ATTEMPT_LIMIT; i++)
			statuses.push(
				(await call("/api/session", { method: "POST", ip, body: { token: WRONG }, env: overrides })).status,
			);
		expect(statuses).toEqual([...Array(FAILED_ATTEMPT_LIMIT).fill(401), 429]);
		expect((await call("/api/events", { token: ADMIN_TOKEN, ip, env: overrides })).status).toBe(429);
	});

	it("does not count successes: many right calls from one address all pass", async () => {
		const ip = address();
		for (let i = 0; i < FAILED_ATTEMPT_LIMIT * 2; i++)
			expect((await call("/api/events", { token: ADMIN_TOKEN, ip, env: overrides })).status).toBe(200);
	});
});

describe("without CF-Connecting-IP", () => {
	it("is not counted: only in-process calls lack it (Cloudflare's edge and wrangler dev always set it)", async () => {
		for (let i = 0; i <= FAILED_ATTEMPT_LIMIT; i++)
			expect((await call("/api/events", { token: WRONG, ip: null })).status).toBe(401);
		expect((await call("/api/events", { token: ADMIN_TOKEN, ip: null })).status).toBe(200);
	});
});

/**
 * A rate-limiting binding that fails on every call, as the real one may in an outage; it counts its calls so
 * the test knows the binding, not the absent-binding path, was asked.
 */
function failingLimiter(): RateLimit & { calls: number } {
	const limiter = {
		calls: 0,
		async limit(): Promise<RateLimitOutcome> {
			limiter.calls += 1;
			throw new Error("the rate limiting service is unavailable");
		},
	};
	return limiter;
}

// The numbers are written out, not read from the module: a change to the limit, the block or Retry-After
// must fail here.
describe("the limit, the block and Retry-After, as numbers", () => {
	const T0 = Date.UTC(2026, 11, 7, 1, 0, 0);

	it("ten failures in a minute pass; the eleventh blocks for 60 s and asks for Retry-After 60", async () => {
		const source = { address: address(), limiter: null, memory: attemptMemory(envWith()) };
		for (let i = 0; i < 10; i++)
			expect(await recordFailedAttempt(source, T0 + i), `failure ${i + 1}`).toBeNull();
		expect(await recordFailedAttempt(source, T0 + 10)).toBe(60);
		expect(blockedSeconds(source.memory, source.address, T0 + 10)).toBe(60);
		expect(blockedSeconds(source.memory, source.address, T0 + 10 + 59_001)).toBe(1);
		expect(blockedSeconds(source.memory, source.address, T0 + 10 + 60_000)).toBeNull();
	});

	it("a binding that throws is counted in the isolate instead, and still blocks", async () => {
		const limiter = failingLimiter();
		const source = { address: address(), limiter, memory: attemptMemory(envWith()) };
		for (let i = 0; i < 10; i++)
			expect(await recordFailedAttempt(source, T0 + i), `failure ${i + 1}`).toBeNull();
		expect(await recordFailedAttempt(source, T0 + 10)).toBe(60);
		expect(limiter.calls).toBe(11);
		expect(blockedSeconds(source.memory, source.address, T0 + 10 + 59_999)).toBe(1);
	});

	it("over HTTP with a binding that throws: ten 401s, then 429 with Retry-After 60, the right token too", async () => {
		const limiter = failingLimiter();
		const ip = address();
		const statuses: number[] = [];
		let over: Awaited<ReturnType<typeof call>> | undefined;
		for (let i = 0; i < 11; i++) {
			over = await call("/api/events", { token: WRONG, ip, env: { ADMIN_AUTH_LIMITER: limiter } });
			statuses.push(over.status);
		}
		expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429]);
		expect(over?.headers.get("retry-after")).toBe("60");
		expect(over?.json).toMatchObject({
			error: {
				code: "too_many_requests",
				message: "too many failed attempts from this address: try again in 60 s",
			},
		});
		expect(limiter.calls).toBe(11);
		const right = await call("/api/events", { token: ADMIN_TOKEN, ip, env: { ADMIN_AUTH_LIMITER: limiter } });
		expect(right.status).toBe(429);
	});

	it("over HTTP with the binding: the first 429 asks for Retry-After 60", async () => {
		for (let run = 0; ; run++) {
			const ip = address();
			const window = Math.floor(Date.now() / 60_000);
			const statuses: number[] = [];
			let over: Awaited<ReturnType<typeof call>> | undefined;
			for (let i = 0; i < 11; i++) {
				over = await call("/api/events", { token: WRONG, ip });
				statuses.push(over.status);
			}
			// The binding counts in fixed one-minute windows: one ending mid-run starts the count over.
			if (Math.floor(Date.now() / 60_000) !== window && run === 0) continue;
			expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429]);
			expect(over?.headers.get("retry-after")).toBe("60");
			return;
		}
	});
});

/** The binding left out, so the count is this isolate's and no one-minute window can end mid-test. */
const COUNTED_HERE: Partial<Env> = { ADMIN_AUTH_LIMITER: undefined };

describe("what counts as a failed attempt", () => {
	it("a request with no credential at all gets 401 and is not counted: the right token still works", async () => {
		const ip = address();
		for (let i = 0; i < 25; i++) {
			const none = await call("/api/events", { ip });
			expect(none.status, `request ${i + 1}`).toBe(401);
			expect(none.headers.get("www-authenticate")).toBe("Bearer");
			expect(none.json).toMatchObject({ error: { code: "unauthorized" } });
		}
		const health = await call("/healthz", { ip });
		expect(health.status).toBe(200);
		expect((await call("/api/events", { token: ADMIN_TOKEN, ip })).status).toBe(200);
	});

	it.each([
		["a malformed Authorization header", { authorization: "Basic YWRtaW46YWRtaW4=" }],
		["an empty Authorization header", { authorization: "" }],
		["a bad session cookie", { cookie: `${SESSION_COOKIE}=not-a-session` }],
	])("%s is a wrong credential and counts", async (_name, headers) => {
		const ip = address();
		const statuses: number[] = [];
		for (let i = 0; i < 11; i++)
			statuses.push((await call("/api/events", { ip, headers, env: COUNTED_HERE })).status);
		expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429]);
		expect((await call("/api/events", { token: ADMIN_TOKEN, ip, env: COUNTED_HERE })).status).toBe(429);
	});

	it("on /healthz too: a wrong token counts, none does not", async () => {
		const ip = address();
		for (let i = 0; i < 11; i++) expect((await call("/healthz", { ip, env: COUNTED_HERE })).status).toBe(200);
		const statuses: number[] = [];
		for (let i = 0; i < 11; i++)
			statuses.push((await call("/healthz", { token: WRONG, ip, env: COUNTED_HERE })).status);
		expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429]);
	});
});
