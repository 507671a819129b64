// Black-box tests of decideCreation, policyHealth and handlePolicyCheck against the real local KV and D1.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { handlePolicyCheck } from "../../src/api/policy-check";
import { creationCommand } from "../../src/commands";
import { provideIsolateState } from "../../src/isolate";
import {
	type CreationKind,
	decideCreation,
	failModeDecision,
	type PolicyDecision,
	policyHealth,
} from "../../src/policy";
import { LAST_KNOWN_GOOD_KEY, REFRESH_EVERY_MS } from "../../src/policy/loader";
import { PolicyLoaders, policyLoadersSlot } from "../../src/policy/loaders";
import { FakeClock } from "../support/clock";
import { envWith, newIsolate } from "../support/isolate-env";

/** The loader's clock: moved by hand past the refresh interval, as a second of real traffic would. */
let clock = new FakeClock();
function letRefreshIntervalPass(): void {
	clock.advance(REFRESH_EVERY_MS);
}

afterEach(() => {
	vi.restoreAllMocks();
});

const GOOD = {
	version: "test-1",
	operators: { deny: ["spammer01"], bypass: ["administrator"] },
	names: {
		banned: [
			"casino",
			{ match: "regex", value: "^[0-9]+$", errorCode: 10101, errorInfo: "Topic names need letters" },
		],
	},
};

/** Decides like one callback request, and lets the request's background work (log, refresh) finish. */
async function decide(
	name: string,
	operatorAccount = "leckie",
	kind: CreationKind = "topic",
	onEnv: Env = isolateEnv,
) {
	const ctx = createExecutionContext();
	const decision = await decideCreation(onEnv, ctx, creationCommand(kind), {
		operatorAccount,
		name,
		type: "Community",
	});
	await waitOnExecutionContext(ctx);
	return decision;
}

async function lastDecisionRow() {
	return env.DB.prepare("SELECT * FROM decisions ORDER BY id DESC LIMIT 1").first<Record<string, unknown>>();
}

/** The env of the current isolate: its policy loaders run on `clock`. */
let isolateEnv: Env = env;

/** A fresh isolate (nothing cached) over the given KV value of `policy`. */
async function restartWith(policy: unknown) {
	clock = new FakeClock();
	newIsolate();
	isolateEnv = envWith();
	provideIsolateState(isolateEnv, policyLoadersSlot, new PolicyLoaders(clock));
	if (policy === undefined) await env.POLICY.delete("policy");
	else await env.POLICY.put("policy", typeof policy === "string" ? policy : JSON.stringify(policy));
}

beforeEach(async () => {
	await env.POLICY.delete(LAST_KNOWN_GOOD_KEY);
	await env.DB.prepare("DELETE FROM decisions").run();
	await restartWith(GOOD);
});

describe("decideCreation", () => {
	it("refuses a banned name and logs the decision in D1 after the answer", async () => {
		const decision = await decide("ＣＡＳＩＮＯ night");
		expect(decision).toEqual({
			allowed: false,
			errorCode: 1,
			errorInfo: "",
			rule: 'names.banned[0] "casino"',
			policyVersion: "test-1",
			dryRun: false,
			source: "policy",
		} satisfies PolicyDecision);
		expect(await lastDecisionRow()).toMatchObject({
			command: "Group.CallbackBeforeCreateTopic",
			operator_account: "leckie",
			name: "ＣＡＳＩＮＯ night",
			allowed: 0,
			error_code: 1,
			rule: 'names.banned[0] "casino"',
			policy_version: "test-1",
			dry_run: 0,
			source: "policy",
		});
	});

	it("allows a clean name, passes custom codes, and honours the operator lists", async () => {
		expect(await decide("MyFirstTopic")).toMatchObject({ allowed: true, errorCode: 0, rule: null });
		expect(await decide("12345")).toMatchObject({ errorCode: 10101, errorInfo: "Topic names need letters" });
		expect(await decide("MyFirstTopic", "spammer01")).toMatchObject({
			allowed: false,
			rule: "operators.deny",
		});
		expect(await decide("casino", "administrator")).toMatchObject({
			allowed: true,
			rule: "operators.bypass",
		});
	});

	it("answers 0 in dry-run but logs the refusal it would have made", async () => {
		await restartWith({ ...GOOD, mode: "dry-run" });
		expect(await decide("casino")).toMatchObject({
			allowed: true,
			errorCode: 0,
			dryRun: true,
			rule: 'names.banned[0] "casino"',
		});
		expect(await lastDecisionRow()).toMatchObject({ allowed: 0, error_code: 1, dry_run: 1 });
	});

	it("allows groups without groupCreation, and applies groupCreation's own rules", async () => {
		expect(await decide("casino", "leckie", "group")).toMatchObject({ allowed: true, rule: null });
		expect((await lastDecisionRow())?.command).toBe("Group.CallbackBeforeCreateGroup");
		await restartWith({ ...GOOD, groupCreation: { names: { banned: ["poker"] } } });
		expect(await decide("casino", "leckie", "group")).toMatchObject({ allowed: true });
		expect(await decide("Poker club", "leckie", "group")).toMatchObject({
			allowed: false,
			rule: 'groupCreation.names.banned[0] "poker"',
		});
		expect(await decide("MyFirstTopic", "spammer01", "group")).toMatchObject({ rule: "operators.deny" });
	});

	it("uses an edit from the next decision after KV delivers it, without waiting on KV", async () => {
		expect((await decide("poker")).allowed).toBe(true);
		await env.POLICY.put("policy", JSON.stringify({ version: "test-2", names: { banned: ["poker"] } }));
		// Within a second of the last read, the cache answers and KV is not read again.
		expect(await decide("poker")).toMatchObject({ allowed: true, policyVersion: "test-1" });
		expect(await decide("poker")).toMatchObject({ allowed: true, policyVersion: "test-1" });
		letRefreshIntervalPass();
		// This decision answers from the cache and refreshes it in the background.
		expect(await decide("poker")).toMatchObject({ allowed: true, policyVersion: "test-1" });
		expect(await decide("poker")).toMatchObject({ allowed: false, policyVersion: "test-2" });
	});
});

describe("last known good and fail mode", () => {
	it("keeps deciding with the last good policy when the live value breaks, across a restart", async () => {
		await decide("warm-up"); // loads test-1 and saves it as the last known good
		await restartWith('{"version":"broken","names":{"banned":[{"match":"regex","value":"(a)\\\\1"}]}}');
		expect(await decide("casino")).toMatchObject({
			allowed: false,
			rule: 'names.banned[0] "casino"',
			policyVersion: "test-1",
			source: "last-known-good",
		});
		const health = await policyHealth(isolateEnv);
		expect(health).toMatchObject({
			loaded: true,
			version: "test-1",
			source: "last-known-good",
			failMode: "open",
		});
		expect(health.error).toMatchObject({ rule: "names.banned[0]", line: 1 });
	});

	it("keeps the cached good policy when the live value becomes invalid JSON", async () => {
		await decide("warm-up");
		await env.POLICY.put("policy", '{"names": {"banned": ["casino",]}}');
		letRefreshIntervalPass();
		await decide("anything"); // sees the broken value in the background
		expect(await decide("casino")).toMatchObject({ allowed: false, source: "last-known-good" });
		expect((await policyHealth(isolateEnv)).error).toMatchObject({ line: 1, column: 32 });
	});

	it("keeps the cached good policy when the live value breaks a policy limit, naming the rule", async () => {
		await decide("warm-up");
		const over = { names: { banned: ["casino", { match: "regex", value: "[a-z]{1000}" }] } };
		await env.POLICY.put("policy", JSON.stringify(over));
		letRefreshIntervalPass();
		await decide("anything"); // sees the over-limit value in the background
		expect(await decide("casino")).toMatchObject({ allowed: false, source: "last-known-good" });
		expect((await policyHealth(isolateEnv)).error).toMatchObject({
			rule: "names.banned[1]",
			message: expect.stringContaining("RE2 instructions, more than the limit of 1000"),
		});
	});

	it("falls back to POLICY_FAIL_MODE only when no good policy was ever seen", async () => {
		await restartWith("{not json");
		expect(await decide("casino")).toMatchObject({
			allowed: true,
			errorCode: 0,
			rule: "POLICY_FAIL_MODE=open",
			source: "fail-mode",
		});
		expect(await lastDecisionRow()).toMatchObject({ source: "fail-mode", allowed: 1 });
		newIsolate();
		const closed = await decide("MyFirstTopic", "leckie", "topic", envWith({ POLICY_FAIL_MODE: "closed" }));
		expect(closed).toMatchObject({ allowed: false, errorCode: 1, source: "fail-mode" });
		expect(await policyHealth(envWith())).toMatchObject({ loaded: false, source: "none" });
	});

	it("treats a missing policy key like a broken one", async () => {
		await restartWith(undefined);
		expect(await decide("casino")).toMatchObject({ source: "fail-mode" });
	});

	it("answers the fail mode for an unusable callback body", () => {
		expect(failModeDecision({ ...env, POLICY_FAIL_MODE: "closed" }, "bad JSON")).toMatchObject({
			allowed: false,
			errorCode: 1,
			source: "fail-mode",
		});
		expect(failModeDecision(env, "bad JSON")).toMatchObject({ allowed: true, errorCode: 0 });
	});
});

describe("POST /api/policy/check", () => {
	async function check(body: unknown) {
		const ctx = createExecutionContext();
		const request = new Request("http://x/api/policy/check", {
			method: "POST",
			body: typeof body === "string" ? body : JSON.stringify(body),
		});
		const response = await handlePolicyCheck(request, isolateEnv, ctx);
		await waitOnExecutionContext(ctx);
		expect(response.headers.get("content-type")).toContain("application/json");
		return { status: response.status, body: (await response.json()) as Record<string, unknown> };
	}

	it("answers what the callback would, with the rule, and logs nothing", async () => {
		const { status, body } = await check({ Operator_Account: "leckie", Name: "c4s1no", Type: "Community" });
		expect(status).toBe(200);
		expect(body).toMatchObject({
			ErrorCode: 1,
			ErrorInfo: "",
			rule: 'names.banned[0] "casino"',
			source: "live",
		});
		expect(await lastDecisionRow()).toBeNull();
	});

	it("tries an inline policy before it is saved", async () => {
		const policy = {
			names: { banned: [{ match: "word", value: "bet", errorCode: 10110, errorInfo: "No bets" }] },
		};
		const { body } = await check({ Operator_Account: "leckie", Name: "Bet now", policy });
		expect(body).toMatchObject({
			ErrorCode: 10110,
			ErrorInfo: "No bets",
			rule: 'names.banned[0] word "bet"',
		});
		expect((await check({ Operator_Account: "leckie", Name: "alphabet", policy })).body.ErrorCode).toBe(0);
	});

	it("judges a text with Field as enforcement would: bypass operators, then the texts section", async () => {
		const policy = {
			operators: { bypass: ["moderator"] },
			names: { banned: ["casino"] },
			texts: { faceUrl: { hosts: ["cdn.example.com"] } },
		};
		const notification = {
			Operator_Account: "leckie",
			Name: "Casino tonight!",
			Field: "Notification",
			policy,
		};
		expect((await check(notification)).body).toMatchObject({
			allowed: false,
			rule: 'names.banned[0] "casino"',
			field: "Notification",
		});
		expect((await check({ ...notification, Operator_Account: "moderator" })).body).toMatchObject({
			allowed: true,
			rule: "operators.bypass",
		});
		const face = { Operator_Account: "leckie", Name: "https://evil.example/a.png", Field: "FaceUrl", policy };
		expect((await check(face)).body).toMatchObject({ allowed: false, rule: "texts.faceUrl.hosts" });
		const { texts: _, ...withoutTexts } = policy;
		expect((await check({ ...notification, policy: withoutTexts })).body).toMatchObject({
			allowed: true,
			rule: null,
		});
		expect((await check({ ...notification, Field: "Topic" })).status).toBe(400);
	});

	it("refuses an invalid inline policy or body with 400 naming the problem", async () => {
		const bad = await check({ Operator_Account: "a", Name: "b", policy: { names: { baned: ["x"] } } });
		expect(bad.status).toBe(400);
		expect(bad.body).toMatchObject({
			error: { code: "bad_request", field: "policy", detail: { rule: "names.baned" } },
		});
		expect(bad.body).toMatchObject({ error: { message: expect.stringContaining("names.baned") } });
		const missing = await check({ Name: "b" });
		expect(missing.status).toBe(400);
		expect(missing.body).toMatchObject({
			error: {
				code: "bad_request",
				field: "Operator_Account",
				message: expect.stringContaining("Operator_Account"),
			},
		});
		const notJson = await check("{oops");
		expect(notJson.status).toBe(400);
		expect(notJson.body).toEqual({ error: { code: "bad_request", message: "the body must be JSON" } });
	});
});

describe("decision log", () => {
	it("writes the decisions of concurrent callbacks together, each row once", async () => {
		// Counts the statements prepared on the real local D1 binding (a probe, not a fake).
		let prepared = 0;
		const countingDb = new Proxy(env.DB, {
			get(target, property) {
				if (property === "prepare") {
					return (sql: string) => {
						prepared++;
						return target.prepare(sql);
					};
				}
				const value = Reflect.get(target, property);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
		const onEnv = { ...env, DB: countingDb };
		await decide("warm-up", "leckie", "topic", onEnv);
		prepared = 0;
		const contexts = Array.from({ length: 30 }, () => createExecutionContext());
		await Promise.all(
			contexts.map((ctx, i) =>
				decideCreation(onEnv, ctx, creationCommand("topic"), {
					operatorAccount: "batcher",
					name: `Topic ${i}`,
				}),
			),
		);
		await Promise.all(contexts.map((ctx) => waitOnExecutionContext(ctx)));
		const { results } = await env.DB.prepare(
			"SELECT name FROM decisions WHERE operator_account = 'batcher' ORDER BY id",
		).all<{ name: string }>();
		expect(results.map((row) => row.name)).toEqual(Array.from({ length: 30 }, (_, i) => `Topic ${i}`));
		expect(prepared).toBe(1);
	});
});
