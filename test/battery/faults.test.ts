// Faults: KV failing or hanging, D1 failing on writes and on the decision log, an exception in a handler.
// The bindings are the real local ones; the injectors only make chosen calls fail (support.ts).
import { env } from "cloudflare:test";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetPolicyCacheForTests } from "../../src/policy/loader";
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

beforeEach(() => resetPolicyCacheForTests());
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
			expect((await beforeCreateTopic("casino", env)).json.ErrorCode).toBe(10150);
			const broken = { ...env, POLICY: faultyKv(fault), POLICY_FAIL_MODE: "open" };
			for (const [name, code] of [
				["casino royale", 10150],
				["book club", 0],
			] as const) {
				expect((await beforeCreateTopic(name, broken)).json.ErrorCode, name).toBe(code);
			}
		});
	}

	it("/healthz answers, reporting the hung KV and failing D1", async () => {
		const answer = await fetchChecked(new Request("https://webhooks.example.com/healthz"), {
			...env,
			POLICY: faultyKv("hang"),
			DB: faultyD1(["first", "run", "all"]),
		});
		expect(answer.status).toBe(200);
		expect(answer.json).toMatchObject({ ok: false, kv: { ok: false }, d1: { ok: false } });
	});
});

describe("D1 failing", () => {
	it("on the decision log: the answer is the same as without the fault", async () => {
		await env.POLICY.put("policy", POLICY);
		const healthy = await beforeCreateTopic("casino", env);
		resetPolicyCacheForTests();
		const faulty = await beforeCreateTopic("casino", {
			...env,
			DB: faultyD1(["run", "batch", "first", "all"]),
		});
		expect(faulty).toEqual(healthy);
		expect(faulty.json.ErrorCode).toBe(10150);
	});

	it("on an after-event write: a JSON answer, nothing half-written", async () => {
		for (const fault of ["batch"] as const) {
			const marker = crypto.randomUUID();
			const body = JSON.stringify({
				...samples.afterTopicDestroyed([`@TGS#_f${marker}@TOPIC#_a`, `@TGS#_f${marker}@TOPIC#_b`]),
				BatteryCase: marker,
			});
			const answer = await fetchChecked(
				new Request(callbackUrl("Group.CallbackAfterTopicDestroyed"), { method: "POST", body }),
				{ ...env, DB: faultyD1([fault]) },
				{ allow5xx: true },
			);
			expect(answer.json.ActionStatus, fault).toBeDefined();
			expect(await rowsForCase(marker), fault).toBe(0);
			// The redelivery Tencent sends once D1 is back stores the event once.
			const retry = await fetchChecked(
				new Request(callbackUrl("Group.CallbackAfterTopicDestroyed"), { method: "POST", body }),
			);
			expect(retry.status).toBe(200);
			expect(await rowsForCase(marker)).toBe(2);
		}
	});
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
