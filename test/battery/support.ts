// Shared pieces of the battery: calling the Worker with any env, fault injectors over the real bindings,
// and D1 queries that check what was stored.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { tencentSign } from "../../src/auth/callback-auth";
import worker from "../../src/index";
import { envWith } from "../support/isolate-env";

/** What every answer of the Worker must look like, whatever it was sent. */
export interface CheckedAnswer {
	status: number;
	json: Record<string, unknown>;
}

/**
 * Calls the Worker with exactly `workerEnv` (not a copy: getters and proxies stay live) and checks the
 * invariants of every answer: JSON content type, a JSON body, no 5xx unless `allow5xx`.
 */
export async function fetchChecked(
	request: Request,
	workerEnv: Env = envWith(),
	options: { allow5xx?: boolean; background?: "wait" | "detach" } = {},
): Promise<CheckedAnswer> {
	const ctx = createExecutionContext();
	const response = await worker.fetch(
		request as Request<unknown, IncomingRequestCfProperties>,
		workerEnv,
		ctx,
	);
	// "detach": a hung binding keeps ctx.waitUntil work pending forever; the answer is what is checked.
	if (options.background !== "detach") await waitOnExecutionContext(ctx);
	const text = await response.text();
	expect(response.headers.get("content-type"), text).toMatch(/^application\/json/);
	if (!options.allow5xx) expect(response.status, text).toBeLessThan(500);
	// HEAD is GET's answer without the body: JSON by its headers, nothing to parse.
	if (request.method === "HEAD") {
		expect(text).toBe("");
		return { status: response.status, json: {} };
	}
	let json: unknown;
	expect(() => {
		json = JSON.parse(text);
	}, text).not.toThrow();
	expect(typeof json === "object" && json !== null, text).toBe(true);
	return { status: response.status, json: json as Record<string, unknown> };
}

/** True for Tencent's envelope `{ActionStatus, ErrorCode, ErrorInfo}`. */
export function isEnvelope(json: Record<string, unknown>): boolean {
	return (
		(json.ActionStatus === "OK" || json.ActionStatus === "FAIL") &&
		Number.isInteger(json.ErrorCode) &&
		typeof json.ErrorInfo === "string"
	);
}

/** `RequestTime` (now, in seconds) and the `Sign` Tencent would send with `token`. */
export async function signedParams(
	token: string,
	at = Date.now(),
): Promise<{ RequestTime: string; Sign: string }> {
	const requestTime = String(Math.floor(at / 1000));
	return { RequestTime: requestTime, Sign: await tencentSign(token, requestTime) };
}

/** How a fault injector misbehaves: reject at once, or never settle. */
export type Fault = "reject" | "hang";

/** A promise that misbehaves as `fault` says; counts every injection in `faultsInjected`. */
function injected<T>(fault: Fault, what: string): Promise<T> {
	faultsInjected.count += 1;
	return fault === "reject" ? Promise.reject(new Error(`injected fault: ${what}`)) : new Promise<T>(() => {});
}

/** Faults injected so far in this test file (reported by the battery's summary test). */
export const faultsInjected = { count: 0 };

/** The real POLICY namespace, except that `get()` fails as `fault` says. */
export function faultyKv(fault: Fault): KVNamespace {
	return new Proxy(env.POLICY, {
		get(target, property) {
			if (property === "get") return () => injected(fault, "KV get");
			const value = Reflect.get(target, property);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** The real DB, except that the methods named in `failing` fail as `fault` says. */
export function faultyD1(
	failing: ReadonlyArray<"batch" | "run" | "first" | "all">,
	fault: Fault = "reject",
): D1Database {
	const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement =>
		new Proxy(statement, {
			get(target, property) {
				if (typeof property === "string" && (failing as readonly string[]).includes(property))
					return () => injected(fault, `D1 ${property}`);
				const value = Reflect.get(target, property);
				if (property === "bind")
					return (...args: unknown[]) =>
						wrapStatement((value as (...a: unknown[]) => D1PreparedStatement).apply(target, args));
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
	return new Proxy(env.DB, {
		get(target, property) {
			if (property === "batch" && failing.includes("batch")) return () => injected(fault, "D1 batch");
			const value = Reflect.get(target, property);
			if (property === "prepare")
				return (sql: string) =>
					wrapStatement((value as (sql: string) => D1PreparedStatement).call(target, sql));
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** `events` rows whose payload carries `marker` under the key `BatteryCase`. */
export async function rowsForCase(marker: string): Promise<number> {
	return (
		(await env.DB.prepare("SELECT count(*) AS n FROM events WHERE json_extract(payload, '$.BatteryCase') = ?")
			.bind(marker)
			.first<number>("n")) ?? 0
	);
}

/** `quarantine` rows whose body holds `marker` (bodies are kept as received, so the marker is in the text). */
export async function quarantinedForCase(marker: string): Promise<number> {
	return (
		(await env.DB.prepare("SELECT count(*) AS n FROM quarantine WHERE instr(body, ?) > 0")
			.bind(marker)
			.first<number>("n")) ?? 0
	);
}

/**
 * The store's invariants over the whole database: every topic row comes from a stored event about that
 * topic, event keys are unique, and every row's payload is JSON naming its own command.
 */
export async function expectConsistentTables(): Promise<void> {
	const orphanTopics = await env.DB.prepare(
		"SELECT count(*) AS n FROM topics AS t WHERE NOT EXISTS (SELECT 1 FROM events AS e WHERE e.topic_id = t.topic_id)",
	).first<number>("n");
	expect(orphanTopics, "topics rows without an event").toBe(0);
	const duplicateKeys = await env.DB.prepare(
		"SELECT count(*) AS n FROM (SELECT event_key FROM events GROUP BY event_key HAVING count(*) > 1)",
	).first<number>("n");
	expect(duplicateKeys, "duplicate event keys").toBe(0);
	const badPayloads = await env.DB.prepare(
		"SELECT count(*) AS n FROM events WHERE NOT json_valid(payload) OR json_extract(payload, '$.CallbackCommand') IS NOT command",
	).first<number>("n");
	expect(badPayloads, "payloads that are not JSON of their own command").toBe(0);
}

/** One statement the Worker sent to D1: its SQL and bound values. */
export interface RecordedStatement {
	sql: string;
	params: unknown[];
}

/**
 * The real DB, noting every statement prepared and every value bound, so a test can check D1's limits
 * (100 bound parameters, 100,000-byte SQL, 2,000,000-byte values). The statements D1 runs are the real ones.
 */
export function recordingD1(): { db: D1Database; statements: RecordedStatement[] } {
	const statements: RecordedStatement[] = [];
	const db = new Proxy(env.DB, {
		get(target, property) {
			const value = Reflect.get(target, property);
			if (property !== "prepare") return typeof value === "function" ? value.bind(target) : value;
			return (sql: string) => {
				const real = target.prepare(sql);
				const noted: RecordedStatement = { sql, params: [] };
				statements.push(noted);
				return new Proxy(real, {
					get(statement, name) {
						const member = Reflect.get(statement, name);
						if (name === "bind")
							return (...params: unknown[]) => {
								noted.params = params;
								return statement.bind(...params);
							};
						return typeof member === "function" ? member.bind(statement) : member;
					},
				});
			};
		},
	});
	return { db, statements };
}

/** Fails when a statement exceeds D1's documented limits. */
export function expectWithinD1Limits(statements: RecordedStatement[]): void {
	const encoder = new TextEncoder();
	expect(statements.length).toBeGreaterThan(0);
	for (const { sql, params } of statements) {
		expect(encoder.encode(sql).byteLength, sql).toBeLessThanOrEqual(100_000);
		expect(params.length, sql).toBeLessThanOrEqual(100);
		for (const param of params) {
			if (typeof param === "string") expect(encoder.encode(param).byteLength).toBeLessThanOrEqual(2_000_000);
		}
	}
}
