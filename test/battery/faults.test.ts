// Faults: KV failing or hanging, D1 failing on writes and on the decision log, an exception in a handler.
// The bindings are the real local ones; the injectors only make chosen calls fail (support.ts).
import { env } from "cloudflare:test";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { envWith, newIsolate } from "../support/isolate-env";
import { callbackUrl, samples } from "../support/tencent";
import { COMMAND_MODELS } from "./arbitraries";
import { faultsInjected, faultyD1, faultyKv, fetchChecked, rowsForCase } from "./support";

const POLICY = JSON.stringify({
	version: "battery-faults",
	names: { banned: [{ value: "casino", errorCode: 10150, errorInfo: "No gambling topics" }] },
});

/** A BeforeCreateTopic for `name`; resolves to the answer without waiting for background work. */
function beforeCreateTopic(name: string, workerEnv: Env) {
	const request = new Request(callbackUrl("Group.CallbackBeforeCreateTopic"), {
		method: "POST",
		body: JSON.stringify({ ...samples.beforeCreateTopic(), Name: name }),
	});
	return fetchChecked(request, workerEnv, { background: "detach" });
}

beforeEach(() => newIsolate());
afterEach(() => vi.restoreAllMocks());

describe("KV failing or hanging", () => {
	for (const fault of ["reject", "hang"] as const) {
		for (const mode of ["open", "closed"] as const) {
			it(`cold isolate, KV get ${fault}s, POLICY_FAIL_MODE=${mode}: the fail-mode answer comes`, async () => {
				const answer = await beforeCreateTopic("casino night", {
					...env,
					POLICY: faultyKv(fault),
					POLICY_FAIL_MODE: mode,
				});
				expect(answer).toEqual({
					status: 200,
					json: { ActionStatus: "OK", ErrorCode: mode === "open" ? 0 : 1, ErrorInfo: "" },
				});
			});
		}

		it(`warm isolate, KV get ${fault}s: the cached policy still decides`, async () => {
			await env.POLICY.put("policy", POLICY);
			// One isolate's env, whose KV binding starts failing once the policy is loaded.
			const broken: Env = { ...env, POLICY_FAIL_MODE: "open" };
			expect((await beforeCreateTopic("casino", broken)).json.ErrorCode).toBe(10150);
			broken.POLICY = faultyKv(fault);
			for (const [name, code] of [
				["casino royale", 10150],
				["book club", 0],
			] as const) {
				expect((await beforeCreateTopic(name, broken)).json.ErrorCode, name).toBe(code);
			}
		});
	}

	it("/healthz answers, reporting the hung KV and failing D1", async () => {
		const admin = "admin-token-for-fault-tests-0123456789";
		const answer = await fetchChecked(
			new Request("https://webhooks.example.com/healthz", { headers: { authorization: `Bearer ${admin}` } }),
			{ ...env, ADMIN_TOKEN: admin, POLICY: faultyKv("hang"), DB: faultyD1(["first", "run", "all"]) },
		);
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ status: "degraded", kv: { ok: false }, d1: { ok: false } });
	});
});

describe("D1 failing", () => {
	it("on the decision log: the answer is the same as without the fault", async () => {
		await env.POLICY.put("policy", POLICY);
		const healthy = await beforeCreateTopic("casino", envWith());
		newIsolate();
		const faulty = await beforeCreateTopic("casino", {
			...env,
			DB: faultyD1(["run", "batch", "first", "all"]),
		});
		expect(faulty).toEqual(healthy);
		expect(faulty.json.ErrorCode).toBe(10150);
	});

	for (const fault of ["reject", "hang"] as const) {
		it(`on an after-event write (batch ${fault}s): 200, and the queue stores the event exactly once`, async () => {
			const marker = crypto.randomUUID();
			const body = JSON.stringify({
				...samples.afterTopicDestroyed([`@TGS#_f${marker}@TOPIC#_a`, `@TGS#_f${marker}@TOPIC#_b`]),
				BatteryCase: marker,
			});
			const request = () =>
				new Request(callbackUrl("Group.CallbackAfterTopicDestroyed"), { method: "POST", body });
			const answer = await fetchChecked(
				request(),
				{ ...env, DB: faultyD1(["batch"], fault) },
				{ background: "detach" },
			);
			expect(answer).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
			// The real local queue hands the event to this Worker's consumer, which writes to the real D1.
			await vi.waitFor(async () => expect(await rowsForCase(marker)).toBe(2), {
				timeout: 15_000,
				interval: 100,
			});
			// Tencent's redelivery (retry after timeout) adds nothing.
			expect((await fetchChecked(request())).status).toBe(200);
			expect(await rowsForCase(marker)).toBe(2);
		});
	}

	// A hanging queue used to hold the answer past Tencent's 2 s: the send now has a deadline too.
	for (const fault of ["reject", "hang"] as const) {
		it(`on an after-event write with the queue down too (send ${fault}s): 503 JSON, logged with the record for replay`, async () => {
			const errors = vi.spyOn(console, "error").mockImplementation(() => {});
			const marker = crypto.randomUUID();
			const body = JSON.stringify({ ...samples.afterCreateGroup(`@TGS#q${marker}`), BatteryCase: marker });
			const queueDown = new Proxy(env.EVENTS_QUEUE, {
				get(target, property) {
					if (property === "send" || property === "sendBatch") {
						faultsInjected.count += 1;
						return () =>
							fault === "reject"
								? Promise.reject(new Error("injected fault: queue send"))
								: new Promise(() => {});
					}
					const value = Reflect.get(target, property);
					return typeof value === "function" ? value.bind(target) : value;
				},
			});
			const answer = await fetchChecked(
				new Request(callbackUrl("Group.CallbackAfterCreateGroup"), { method: "POST", body }),
				{ ...env, DB: faultyD1(["batch"], fault), EVENTS_QUEUE: queueDown },
				{ allow5xx: true, background: "detach" },
			);
			expect(answer).toEqual({
				status: 503,
				json: {
					ActionStatus: "FAIL",
					ErrorCode: 503,
					ErrorInfo: "the event could not be stored; retry later",
				},
			});
			const line = errors.mock.calls
				.map(([text]) => String(text))
				.find((text) => text.includes('"event.not_stored"'));
			expect(line).toContain(marker);
			expect(await rowsForCase(marker)).toBe(0);
		}, 10_000);
	}
});

describe("an exception inside a handler", () => {
	/** The real env, except that reading MAX_BODY_BYTES (done for every handled command) throws. */
	function throwingEnv(failMode: string): Env {
		const broken = { ...env, POLICY_FAIL_MODE: failMode };
		Object.defineProperty(broken, "MAX_BODY_BYTES", {
			get() {
				faultsInjected.count += 1;
				throw new Error("injected fault: handler");
			},
		});
		return broken;
	}

	for (const model of COMMAND_MODELS) {
		it(`${model.command}: ${model.kind === "after" ? "JSON 500 envelope" : "the fail-mode 200"}, logged with command and request id`, async () => {
			const errors = vi.spyOn(console, "error").mockImplementation(() => {});
			const requestId = `ray-${crypto.randomUUID().slice(0, 8)}`;
			const request = new Request(callbackUrl(model.command), {
				method: "POST",
				headers: { "cf-ray": requestId },
				body: JSON.stringify({ CallbackCommand: model.command, GroupId: "@TGS#x" }),
			});
			for (const failMode of ["open", "closed"]) {
				const answer = await fetchChecked(request.clone(), throwingEnv(failMode), { allow5xx: true });
				if (model.kind === "after") {
					expect(answer).toEqual({
						status: 500,
						json: { ActionStatus: "FAIL", ErrorCode: 500, ErrorInfo: "internal error" },
					});
				} else {
					expect(answer).toEqual({
						status: 200,
						json: { ActionStatus: "OK", ErrorCode: failMode === "open" ? 0 : 1, ErrorInfo: "" },
					});
				}
			}
			const logged = errors.mock.calls
				.map(([line]) => {
					try {
						return JSON.parse(String(line)) as Record<string, unknown>;
					} catch {
						return {};
					}
				})
				.filter((line) => line.event === "request.failed");
			expect(logged).toHaveLength(2);
			expect(logged[0]).toMatchObject({
				level: "error",
				requestId,
				command: model.command,
				error: "injected fault: handler",
			});
		});
	}
});

afterAll(() => {
	console.log(JSON.stringify({ event: "battery.faults", faultsInjected: faultsInjected.count }));
});
