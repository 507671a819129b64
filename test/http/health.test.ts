// GET /healthz: anyone gets {"status", "version"} and nothing else; the admin token gets the details; the
// check reads and never writes.
import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import packageJson from "../../package.json";
import { healthStatus, PUBLIC_HEALTH_TTL_MS } from "../../src/health";
import worker from "../../src/index";
import { ADMIN_TOKEN, healthDetails } from "../api/admin";
import { newIsolate } from "../support/isolate-env";
import { fetchWith } from "../support/tencent";

const GOOD_POLICY = JSON.stringify({ version: "health-7", names: { banned: ["casino"] } });
const BROKEN_POLICY = JSON.stringify({ version: "health-8", names: { patterns: ["(unclosed"] } });

async function publicHealth(overrides: Partial<Env> = {}) {
	const response = await fetchWith(new Request("https://webhooks.example.com/healthz"), overrides);
	return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The live policy for one test, on a cold loader; removed afterwards. */
async function withPolicy(text: string | null): Promise<void> {
	if (text === null) await env.POLICY.delete("policy");
	else await env.POLICY.put("policy", text);
	newIsolate();
}

/** Every KV key with its value, and every D1 table with its row count. */
async function snapshot(): Promise<{ kv: Record<string, string | null>; d1: Record<string, number> }> {
	const kv: Record<string, string | null> = {};
	for (const { name } of (await env.POLICY.list()).keys) kv[name] = await env.POLICY.get(name, "text");
	const d1: Record<string, number> = {};
	const { results } = await env.DB.prepare(
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%'",
	).all<{ name: string }>();
	for (const { name } of results)
		d1[name] = (await env.DB.prepare(`SELECT count(*) AS n FROM "${name}"`).first<number>("n")) ?? 0;
	return { kv, d1 };
}

afterEach(async () => {
	await env.POLICY.delete("policy");
	await env.POLICY.delete("policy:last-known-good");
	newIsolate();
});

describe("GET /healthz without credentials", () => {
	it("answers only the status and the version, over the real route", async () => {
		await withPolicy(GOOD_POLICY);
		const response = await SELF.fetch("https://webhooks.example.com/healthz");
		expect(response.status).toBe(200);
		expect(response.headers.get("cache-control")).toBe("no-store");
		expect(await response.json()).toEqual({ status: "ok", version: packageJson.version });
	});

	it("tells nothing of the configuration, the policy or the commands seen", async () => {
		await withPolicy(BROKEN_POLICY);
		const { text } = await publicHealth({ CALLBACK_TOKEN: "a-callback-token", ADMIN_TOKEN });
		expect(JSON.parse(text)).toEqual({ status: "degraded", version: packageJson.version });
		for (const secretish of [
			env.SDKAPPID,
			"token",
			"health-8",
			"unclosed",
			"patterns",
			"Callback",
			"open",
			"mode",
		])
			expect(text, secretish).not.toContain(secretish);
	});

	it("is degraded (200) with a broken live policy, without D1, or without the events queue", async () => {
		await withPolicy(BROKEN_POLICY);
		expect(JSON.parse((await publicHealth()).text).status).toBe("degraded");
		await withPolicy(GOOD_POLICY);
		expect(JSON.parse((await publicHealth()).text).status).toBe("ok");
		for (const missing of ["DB", "EVENTS_QUEUE"]) {
			const answer = await publicHealth({ [missing]: undefined });
			expect(answer.status, missing).toBe(200);
			expect(JSON.parse(answer.text), missing).toEqual({ status: "degraded", version: packageJson.version });
		}
	});

	it("is down (503) when nothing is usable: no policy, no D1, no queue", async () => {
		await withPolicy(null);
		const answer = await publicHealth({ DB: undefined, EVENTS_QUEUE: undefined });
		expect(answer.status).toBe(503);
		expect(JSON.parse(answer.text)).toEqual({ status: "down", version: packageJson.version });
	});

	it("is down (503) when an invalid var refuses every callback", async () => {
		await withPolicy(GOOD_POLICY);
		const answer = await publicHealth({ MAX_BODY_BYTES: "big" });
		expect(answer.status).toBe(503);
		expect(JSON.parse(answer.text)).toEqual({ status: "down", version: packageJson.version });
	});

	it("writes nothing to KV or D1, even on a cold isolate", async () => {
		await withPolicy(GOOD_POLICY);
		const before = await snapshot();
		expect(before.kv.policy).toBe(GOOD_POLICY);
		expect(JSON.parse((await publicHealth()).text).status).toBe("ok");
		newIsolate();
		expect((await healthDetails()).json).toMatchObject({ policy: { loaded: true, version: "health-7" } });
		expect(await snapshot()).toEqual(before);
	});
});

/** GET /healthz on the given env object itself (not a copy), as workerd hands an isolate one env. */
async function healthOn(target: Env, headers: Record<string, string> = {}) {
	const ctx = createExecutionContext();
	const response = await worker.fetch(
		new Request("https://webhooks.example.com/healthz", { headers }) as Request<
			unknown,
			IncomingRequestCfProperties
		>,
		target,
		ctx,
	);
	await waitOnExecutionContext(ctx);
	return { status: response.status, json: await response.json<Record<string, unknown>>() };
}

describe("GET /healthz without credentials reads no binding per request", () => {
	it("answers from the isolate's last look for a few seconds, while the admin's details look afresh", async () => {
		await withPolicy(GOOD_POLICY);
		const target: Env = { ...env, ADMIN_TOKEN };
		expect(await healthOn(target)).toEqual({
			status: 200,
			json: { status: "ok", version: packageJson.version },
		});
		// With KV and D1 gone from this very env, a look would see it; the anonymous answer does not look.
		const bindings = { DB: target.DB, POLICY: target.POLICY };
		Object.assign(target, { DB: undefined, POLICY: undefined });
		for (let i = 0; i < 3; i++)
			expect(await healthOn(target)).toEqual({
				status: 200,
				json: { status: "ok", version: packageJson.version },
			});
		// The admin's details do look, on the same env.
		const details = await healthOn(target, { authorization: `Bearer ${ADMIN_TOKEN}` });
		expect(details.json).toMatchObject({ d1: { ok: false } });
		expect(details.json.status).not.toBe("ok");
		// Another env (a fresh isolate's, or a test's) starts with no verdict.
		const fresh = await healthOn({ ...target });
		expect(fresh.json.status).not.toBe("ok");
		Object.assign(target, bindings);
	});

	it("looks again once the last look is PUBLIC_HEALTH_TTL_MS old", async () => {
		await withPolicy(GOOD_POLICY);
		const target: Env = { ...env, ADMIN_TOKEN };
		expect(PUBLIC_HEALTH_TTL_MS).toBe(5_000);
		const realNow = Date.now;
		try {
			const start = realNow();
			Date.now = () => start;
			expect((await healthOn(target)).json.status).toBe("ok");
			Object.assign(target, { DB: undefined });
			Date.now = () => start + 4_999;
			expect((await healthOn(target)).json.status).toBe("ok");
			Date.now = () => start + 5_000;
			expect((await healthOn(target)).json.status).toBe("degraded");
		} finally {
			Date.now = realNow;
		}
	});
});

describe("GET /healthz with the admin token", () => {
	it("adds the details: bindings, auth mode, SdkAppids, policy, config problems", async () => {
		await withPolicy(GOOD_POLICY);
		const { status, json } = await healthDetails();
		expect(status).toBe(200);
		expect(json).toMatchObject({
			status: "ok",
			version: packageJson.version,
			kv: { ok: true },
			d1: { ok: true },
			queue: { bound: true },
			sdkAppIds: [env.SDKAPPID],
			api: "on",
			config: { problems: [] },
			policy: { loaded: true, source: "live", version: "health-7" },
		});
	});

	it("names the broken policy's problem there, and only there", async () => {
		await withPolicy(BROKEN_POLICY);
		const { json } = await healthDetails();
		expect(json).toMatchObject({ status: "degraded", policy: { error: { message: expect.any(String) } } });
	});

	it("refuses a wrong token with 401 in the /api error shape", async () => {
		const response = await fetchWith(
			new Request("https://webhooks.example.com/healthz", { headers: { authorization: "Bearer wrong" } }),
			{ ADMIN_TOKEN },
		);
		expect(response.status).toBe(401);
		expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
	});
});

describe("healthStatus", () => {
	const up = { ok: true, ms: 1 };
	const failed = { ok: false, ms: 1 };
	const all = { d1: up, queueBound: true, policyLoaded: true, policyLive: true, callbacksRefused: false };
	it.each([
		["all well", all, "ok"],
		["live policy broken, last known good deciding", { ...all, policyLive: false }, "degraded"],
		["no policy at all, events kept", { ...all, policyLoaded: false, policyLive: false }, "degraded"],
		["D1 failing, the queue keeps events", { ...all, d1: failed }, "degraded"],
		["no queue", { ...all, queueBound: false }, "degraded"],
		["D1 and the queue gone, a policy decides", { ...all, d1: failed, queueBound: false }, "degraded"],
		[
			"nothing usable",
			{ ...all, d1: failed, queueBound: false, policyLoaded: false, policyLive: false },
			"down",
		],
		["every callback refused by an invalid var", { ...all, callbacksRefused: true }, "down"],
	] as const)("%s: %s", (_name, facts, expected) => {
		expect(healthStatus(facts)).toBe(expected);
	});
});
