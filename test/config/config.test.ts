// The configuration is parsed once per env object, typed, and an invalid value shuts down (fail closed)
// exactly what it is used for, with a message naming the variable.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
	ADMIN_TOKEN_RULE,
	callbackTokensOf,
	parseConfig,
	readConfig,
	tencentIdentifier,
} from "../../src/config";
import { tencentClient } from "../../src/enforcement/tencent-calls";
import { runRetention } from "../../src/store/retention";
import { ADMIN_TOKEN, apiGet } from "../api/admin";
import { SDK_APP_ID, samples, sendCallback, unique } from "../support/tencent";

afterEach(() => {
	vi.restoreAllMocks();
});

async function storedRows(groupId: string): Promise<number> {
	return (
		(await env.DB.prepare("SELECT count(*) AS n FROM events WHERE group_id = ?")
			.bind(groupId)
			.first<number>("n")) ?? 0
	);
}

describe("parseConfig", () => {
	it("reads wrangler.toml's vars as typed values", () => {
		const config = parseConfig({ ...env, SDKAPPID: "1400000000, 1400000002,", ADMIN_TOKEN });
		expect(config).toMatchObject({
			sdkAppIds: ["1400000000", "1400000002"],
			failMode: "open",
			maxBodyBytes: 1_048_576,
			requestTimeSkewSeconds: 60,
			allowUnsignedCallbacks: true,
			mutualTls: { required: false, issuerPattern: null },
			adminToken: ADMIN_TOKEN,
			retention: { days: 90, batchRows: 1_000, maxBatches: 20 },
			problems: [],
		});
	});

	it("gives the documented defaults for unset or empty values", () => {
		const config = parseConfig({
			...env,
			POLICY_FAIL_MODE: "",
			MAX_BODY_BYTES: "",
			TENCENT_API_BASE: "",
			TENCENT_ADMIN_IDENTIFIER: "",
			RETENTION_DAYS: "",
		});
		expect(config.failMode).toBe("open");
		expect(config.maxBodyBytes).toBe(1_048_576);
		expect(config.tencent).toMatchObject({
			apiBase: "https://console.tim.qq.com",
			identifier: "administrator",
		});
		expect(config.retention.days).toBe(90);
		expect(config.problems).toEqual([]);
	});

	it.each([
		["POLICY_FAIL_MODE", "shut", 'POLICY_FAIL_MODE must be "open" or "closed"', ["callbacks"]],
		["EVENT_WRITES", "later", 'EVENT_WRITES must be "direct" or "queue"', ["callbacks"]],
		["MAX_BODY_BYTES", "1e6", "MAX_BODY_BYTES must be a positive whole number", ["callbacks", "api"]],
		[
			"REQUEST_TIME_SKEW_SECONDS",
			"-5",
			"REQUEST_TIME_SKEW_SECONDS must be a positive whole number",
			["callbacks"],
		],
		["ALLOW_UNSIGNED_CALLBACKS", "yes", 'ALLOW_UNSIGNED_CALLBACKS must be "true" or "false"', ["callbacks"]],
		["MTLS_REQUIRED", "1", 'MTLS_REQUIRED must be "true" or "false"', ["callbacks"]],
		["MTLS_ISSUER_PATTERN", "(", "MTLS_ISSUER_PATTERN is not a valid regular expression", ["callbacks"]],
		[
			"SDKAPPID",
			"1400000000,abc",
			"SDKAPPID must list SDKAppIDs (digits), comma-separated",
			["callbacks", "api"],
		],
		["ADMIN_TOKEN", "a", `ADMIN_TOKEN is too weak: it needs ${ADMIN_TOKEN_RULE}`, ["api"]],
		["TENCENT_API_BASE", "console.tim.qq.com", "TENCENT_API_BASE must be an http(s) URL", ["enforcement"]],
		["TENCENT_TIMEOUT_MS", "soon", "TENCENT_TIMEOUT_MS must be a positive whole number", ["enforcement"]],
		[
			"RETENTION_DAYS",
			"-1",
			'RETENTION_DAYS must be a whole number of days ("0" turns retention off)',
			["retention"],
		],
		["RETENTION_MAX_BATCHES", "0", "RETENTION_MAX_BATCHES must be a positive whole number", ["retention"]],
	])("%s=%j is a problem naming it", (variable, value, message, uses) => {
		expect(parseConfig({ ...env, [variable]: value }).problems).toEqual([{ variable, message, uses }]);
	});

	it("an invalid issuer pattern matches no issuer (fails closed wherever it is read)", () => {
		const pattern = parseConfig({ ...env, MTLS_ISSUER_PATTERN: "(" }).mutualTls.issuerPattern;
		expect(pattern?.test("CN=TencentQQAuthCA")).toBe(false);
		expect(pattern?.test("")).toBe(false);
	});

	it("reads each SdkAppid's own callback tokens and admin identifier, else the shared ones", () => {
		const config = parseConfig({
			...env,
			CALLBACK_TOKEN: "shared",
			CALLBACK_TOKEN_1400000002: "own",
			CALLBACK_TOKEN_PREVIOUS_1400000002: "own-before",
			CALLBACK_TOKEN_PREVIOUS_1400000003: "only-previous",
			CALLBACK_TOKEN_NOTANAPP: "ignored",
			TENCENT_ADMIN_IDENTIFIER_1400000002: " admin_two ",
			TENCENT_ADMIN_IDENTIFIER_1400000003: "",
		} as Env);
		expect(callbackTokensOf(config, "1400000002")).toEqual(["own", "own-before"]);
		expect(callbackTokensOf(config, "1400000003")).toEqual(["only-previous"]);
		expect(callbackTokensOf(config, "1400000000")).toEqual(["shared"]);
		expect(tencentIdentifier(config, "1400000002")).toBe("admin_two");
		expect(tencentIdentifier(config, "1400000003")).toBe(config.tencent.identifier);
		expect(Object.keys(config.callbackTokensByApp).sort()).toEqual(["1400000002", "1400000003"]);
	});

	it("reads each SdkAppid's own TENCENT_SECRET_KEY_<SdkAppid>", () => {
		const config = parseConfig({ ...env, TENCENT_SECRET_KEY_1400000002: "own-key" } as Env);
		expect(config.tencent.secretKeys).toEqual({ "1400000002": "own-key" });
	});
});

describe("readConfig", () => {
	it("parses once per env object and logs each problem once", () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		const broken = { ...env, MAX_BODY_BYTES: "lots" };
		const first = readConfig(broken);
		expect(readConfig(broken)).toBe(first);
		const lines = errors.mock.calls.map(([line]) => JSON.parse(String(line)));
		expect(lines.filter((line) => line.event === "config.invalid")).toEqual([
			{
				level: "error",
				event: "config.invalid",
				variable: "MAX_BODY_BYTES",
				message: "MAX_BODY_BYTES must be a positive whole number",
				stops: ["callbacks", "api"],
			},
		]);
		// Another env object is parsed on its own: tests with their own vars still work.
		expect(readConfig({ ...env, MAX_BODY_BYTES: "1000" }).maxBodyBytes).toBe(1000);
	});

	it("never logs a secret's value", () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		readConfig({ ...env, ADMIN_TOKEN: "weak-secret" });
		expect(JSON.stringify(errors.mock.calls)).not.toContain("weak-secret");
	});
});

describe("an invalid var fails closed where it is used", () => {
	it("callbacks: 503 in Tencent's envelope naming the variable, nothing stored", async () => {
		const groupId = `@TGS#cfg${unique()}`;
		const answer = await sendCallback("Group.CallbackAfterCreateGroup", samples.afterCreateGroup(groupId), {
			env: { REQUEST_TIME_SKEW_SECONDS: "sixty" },
		});
		expect(answer).toEqual({
			status: 503,
			json: {
				ActionStatus: "FAIL",
				ErrorCode: 503,
				ErrorInfo: "REQUEST_TIME_SKEW_SECONDS must be a positive whole number",
			},
		});
		expect(await storedRows(groupId)).toBe(0);
		// The same callback with the var fixed is stored.
		const fixed = await sendCallback("Group.CallbackAfterCreateGroup", samples.afterCreateGroup(groupId));
		expect(fixed.status).toBe(200);
		expect(await storedRows(groupId)).toBe(1);
	});

	it("callbacks: a before-callback is refused too, not decided on a guessed fail mode", async () => {
		const answer = await sendCallback("Group.CallbackBeforeCreateTopic", samples.beforeCreateTopic(), {
			env: { POLICY_FAIL_MODE: "shut" },
		});
		expect(answer.status).toBe(503);
		expect(answer.json.ErrorInfo).toBe('POLICY_FAIL_MODE must be "open" or "closed"');
	});

	it("/api: 503 in the /api error shape naming the variable; callbacks keep working", async () => {
		const res = await apiGet("/api/events", { env: { SDKAPPID: "not-an-app" } });
		expect(res.status).toBe(503);
		expect(res.json).toEqual({
			error: {
				code: "unavailable",
				message: "SDKAPPID must list SDKAppIDs (digits), comma-separated",
				field: "SDKAPPID",
			},
		});
		const retentionBroken = await apiGet("/api/events", { env: { RETENTION_DAYS: "forever" } });
		expect(retentionBroken.status).toBe(200);
		const answer = await sendCallback(
			"Group.CallbackAfterCreateGroup",
			samples.afterCreateGroup(`@TGS#c${unique()}`),
			{
				env: { RETENTION_DAYS: "forever" },
			},
		);
		expect(answer.status).toBe(200);
	});

	it("enforcement: no REST client while a TENCENT_* var is invalid", () => {
		expect(tencentClient(env, SDK_APP_ID)).not.toBeNull();
		expect(tencentClient({ ...env, TENCENT_TIMEOUT_MS: "0" }, SDK_APP_ID)).toBeNull();
	});

	it("retention: does not run while a RETENTION_* var is invalid", async () => {
		const longAgo = Date.UTC(2000, 0, 1); // the cutoff is in 1999: nothing is old enough to go
		expect(await runRetention(env, longAgo)).not.toBeNull();
		expect(await runRetention({ ...env, RETENTION_BATCH_ROWS: "many" }, longAgo)).toBeNull();
	});
});
