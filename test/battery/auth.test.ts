// Every way around SdkAppid, Sign and RequestTime, the admin token, and the optional mutual TLS check.
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { tencentSign, UNCONFIGURED_REASON } from "../../src/auth/callback-auth";
import { checkClientCertificate } from "../../src/auth/client-certificate";
import { readConfig } from "../../src/config";
import { timingSafeEqualStrings } from "../../src/crypto";
import { callbackUrl, SDK_APP_ID, samples } from "../support/tencent";
import { fetchChecked, isEnvelope, rowsForCase, signedParams } from "./support";

const TOKEN = "current-console-token";
const PREVIOUS = "previous-console-token";
const COMMAND = "Group.CallbackAfterCreateGroup";

/** POSTs a fresh AfterCreateGroup body with a raw query string; returns the answer and the rows it stored. */
async function post(
	query: string,
	workerEnv: Env,
	init: RequestInit & { cf?: unknown } = {},
	options: { allow5xx?: boolean } = {},
) {
	const marker = crypto.randomUUID();
	const body = JSON.stringify({ ...samples.afterCreateGroup(`@TGS#auth${marker}`), BatteryCase: marker });
	const request = new Request(`https://webhooks.example.com/?${query}`, {
		method: "POST",
		body,
		...init,
	} as RequestInit);
	const answer = await fetchChecked(request, workerEnv, options);
	expect(isEnvelope(answer.json)).toBe(true);
	return { ...answer, rows: await rowsForCase(marker) };
}

function base(extra = ""): string {
	return `SdkAppid=${SDK_APP_ID}&CallbackCommand=${COMMAND}&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI${extra}`;
}

const signedEnv: Env = { ...env, CALLBACK_TOKEN: TOKEN };

describe("SdkAppid", () => {
	const cases: [string, string][] = [
		["missing", `CallbackCommand=${COMMAND}`],
		["empty", `SdkAppid=&CallbackCommand=${COMMAND}`],
		["another app's", `SdkAppid=1400000001&CallbackCommand=${COMMAND}`],
		["repeated, same value", `SdkAppid=${SDK_APP_ID}&SdkAppid=${SDK_APP_ID}&CallbackCommand=${COMMAND}`],
		["repeated, one foreign", `SdkAppid=1400000001&SdkAppid=${SDK_APP_ID}&CallbackCommand=${COMMAND}`],
		["with a trailing space", `SdkAppid=${SDK_APP_ID}%20&CallbackCommand=${COMMAND}`],
		["with a NUL", `SdkAppid=${SDK_APP_ID}%00&CallbackCommand=${COMMAND}`],
		["lower-case name", `sdkappid=${SDK_APP_ID}&CallbackCommand=${COMMAND}`],
		["as a prefix", `SdkAppid=${SDK_APP_ID}0&CallbackCommand=${COMMAND}`],
	];
	for (const [name, query] of cases) {
		it(`${name}: 401, nothing stored`, async () => {
			const answer = await post(query, env);
			expect(answer.status).toBe(401);
			expect(answer.json).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 401 });
			expect(answer.rows).toBe(0);
		});
	}

	it("without a token, accepting on SdkAppid alone logs a warning once per isolate", async () => {
		// A fresh env is a fresh isolate (src/isolate.ts): its first unsigned callback logs the warning.
		const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
		const unsignedEnv = { ...env, CALLBACK_TOKEN: "", ALLOW_UNSIGNED_CALLBACKS: "true" };
		for (let i = 0; i < 3; i++) expect((await post(base(), unsignedEnv)).status).toBe(200);
		const unsigned = warnings.mock.calls.filter(([line]) => String(line).includes('"callback.unsigned"'));
		warnings.mockRestore();
		expect(unsigned).toHaveLength(1);
	});

	it("an empty entry in the SDKAPPID list opens nothing", async () => {
		const answer = await post(`SdkAppid=&CallbackCommand=${COMMAND}`, {
			...env,
			SDKAPPID: "1400000000,,1400000002,",
		});
		expect(answer.status).toBe(401);
	});
});

describe("Sign and RequestTime", () => {
	it("accepts a fresh Sign, in lower or upper case", async () => {
		const { RequestTime, Sign } = await signedParams(TOKEN);
		for (const sign of [Sign, Sign.toUpperCase()]) {
			const answer = await post(base(`&RequestTime=${RequestTime}&Sign=${sign}`), signedEnv);
			expect(answer.status).toBe(200);
			expect(answer.rows).toBe(1);
		}
	});

	it("refuses every malformed, stale, repeated or wrong pair with 401 and stores nothing", async () => {
		const now = Math.floor(Date.now() / 1000);
		const good = await signedParams(TOKEN);
		const signAt = (time: string) => tencentSign(TOKEN, time);
		const cases: Record<string, string> = {
			"no RequestTime": `&Sign=${good.Sign}`,
			"no Sign": `&RequestTime=${good.RequestTime}`,
			"empty Sign": `&RequestTime=${good.RequestTime}&Sign=`,
			"Sign repeated": `&RequestTime=${good.RequestTime}&Sign=${good.Sign}&Sign=${good.Sign}`,
			"RequestTime repeated": `&RequestTime=${good.RequestTime}&RequestTime=${good.RequestTime}&Sign=${good.Sign}`,
			"RequestTime in ms": `&RequestTime=${now * 1000}&Sign=${await signAt(String(now * 1000))}`,
			"RequestTime far in the future": `&RequestTime=${now + 3600}&Sign=${await signAt(String(now + 3600))}`,
			"RequestTime 61 s old": `&RequestTime=${now - 61}&Sign=${await signAt(String(now - 61))}`,
			"RequestTime 13 digits": `&RequestTime=9999999999999&Sign=${await signAt("9999999999999")}`,
			"RequestTime negative": `&RequestTime=-${now}&Sign=${await signAt(`-${now}`)}`,
			"RequestTime with a sign": `&RequestTime=%2B${now}&Sign=${await signAt(`+${now}`)}`,
			"RequestTime in exponent form": `&RequestTime=1.7e9&Sign=${await signAt("1.7e9")}`,
			"RequestTime padded": `&RequestTime=%20${now}&Sign=${await signAt(` ${now}`)}`,
			"RequestTime in full-width digits": `&RequestTime=${encodeURIComponent(String(now).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))))}&Sign=${good.Sign}`,
			"Sign of the token alone": `&RequestTime=${good.RequestTime}&Sign=${await tencentSign(TOKEN, "")}`,
			"Sign of another time": `&RequestTime=${good.RequestTime}&Sign=${await signAt(String(now - 1))}`,
			"Sign with another token": `&RequestTime=${good.RequestTime}&Sign=${await tencentSign("guess", good.RequestTime)}`,
			"Sign truncated": `&RequestTime=${good.RequestTime}&Sign=${good.Sign.slice(0, 63)}`,
			"Sign with a suffix": `&RequestTime=${good.RequestTime}&Sign=${good.Sign}00`,
			"Sign as HMAC-like garbage": `&RequestTime=${good.RequestTime}&Sign=${"f".repeat(64)}`,
			"Sign base64": `&RequestTime=${good.RequestTime}&Sign=${btoa(good.Sign)}`,
		};
		for (const [name, extra] of Object.entries(cases)) {
			const answer = await post(base(extra), signedEnv);
			expect(answer.status, name).toBe(401);
			expect(answer.rows, name).toBe(0);
		}
	});

	it("during a token change accepts both tokens, and only those", async () => {
		const rotating: Env = { ...env, CALLBACK_TOKEN: TOKEN, CALLBACK_TOKEN_PREVIOUS: PREVIOUS };
		for (const token of [TOKEN, PREVIOUS]) {
			const { RequestTime, Sign } = await signedParams(token);
			expect((await post(base(`&RequestTime=${RequestTime}&Sign=${Sign}`), rotating)).status, token).toBe(
				200,
			);
		}
		const other = await signedParams("a-third-token");
		expect((await post(base(`&RequestTime=${other.RequestTime}&Sign=${other.Sign}`), rotating)).status).toBe(
			401,
		);
		// Once the change is over, the previous token stops working.
		const old = await signedParams(PREVIOUS);
		expect((await post(base(`&RequestTime=${old.RequestTime}&Sign=${old.Sign}`), signedEnv)).status).toBe(
			401,
		);
	});

	it("with only CALLBACK_TOKEN_PREVIOUS set, still requires a Sign", async () => {
		const answer = await post(base(), { ...env, CALLBACK_TOKEN_PREVIOUS: PREVIOUS });
		expect(answer.status).toBe(401);
	});

	it("a signed request replayed within the window is accepted but stores the event once", async () => {
		const { RequestTime, Sign } = await signedParams(TOKEN);
		const marker = crypto.randomUUID();
		const body = JSON.stringify({ ...samples.afterCreateGroup(`@TGS#replay${marker}`), BatteryCase: marker });
		for (let i = 0; i < 3; i++) {
			const request = new Request(
				`https://webhooks.example.com/?${base(`&RequestTime=${RequestTime}&Sign=${Sign}`)}`,
				{
					method: "POST",
					body,
				},
			);
			expect((await fetchChecked(request, signedEnv)).status).toBe(200);
		}
		expect(await rowsForCase(marker)).toBe(1);
	});
});

describe("timing-safe comparison", () => {
	it("compares equal, unequal, prefix, longer, empty and non-ASCII strings correctly", async () => {
		const sign = await tencentSign(TOKEN, "1669872112");
		expect(await timingSafeEqualStrings(sign, sign)).toBe(true);
		expect(await timingSafeEqualStrings(sign, sign.slice(0, 63))).toBe(false);
		expect(await timingSafeEqualStrings(sign, `${sign}0`)).toBe(false);
		expect(await timingSafeEqualStrings("", "")).toBe(true);
		expect(await timingSafeEqualStrings("", sign)).toBe(false);
		expect(await timingSafeEqualStrings("é", "e\u0301")).toBe(false);
		expect(await timingSafeEqualStrings("\u0000", "")).toBe(false);
	});

	// Equal answers alone cannot tell a constant-time comparison from `===`: count the calls that reach
	// Web Crypto's timingSafeEqual while the Worker checks a Sign and an admin token.
	it("every Sign and admin token check goes through crypto.subtle.timingSafeEqual", async () => {
		const spy = vi.spyOn(crypto.subtle, "timingSafeEqual");
		try {
			const { RequestTime, Sign } = await signedParams(TOKEN);
			const wrongSign = Sign.replace(/^./, (c) => (c === "0" ? "1" : "0"));
			const calls = async (run: () => Promise<unknown>) => {
				spy.mockClear();
				await run();
				return spy.mock.calls.length;
			};
			expect(await calls(() => post(base(`&RequestTime=${RequestTime}&Sign=${Sign}`), signedEnv))).toBe(1);
			expect(await calls(() => post(base(`&RequestTime=${RequestTime}&Sign=${wrongSign}`), signedEnv))).toBe(
				1,
			);
			// Two tokens during a rotation: both are compared, whichever matches.
			const rotating = { ...signedEnv, CALLBACK_TOKEN_PREVIOUS: PREVIOUS };
			expect(await calls(() => post(base(`&RequestTime=${RequestTime}&Sign=${Sign}`), rotating))).toBe(2);
			const admin = (authorization: string) =>
				fetchChecked(new Request("https://webhooks.example.com/api/events", { headers: { authorization } }), {
					...env,
					ADMIN_TOKEN: "admin-token-compared-in-constant-time-0123456789",
				});
			expect(await calls(() => admin("Bearer admin-token-compared-in-constant-time"))).toBe(1);
			expect(await calls(() => admin("Bearer admin-token-compared-in-constant-timE"))).toBe(1);
			expect((await timingSafeEqualStrings("a", "a")) && spy.mock.calls.length).toBeGreaterThan(0);
		} finally {
			spy.mockRestore();
		}
	});
});

describe("safe default: callbacks need a token, mutual TLS or the explicit unsigned switch", () => {
	const unconfigured: Env = {
		...env,
		CALLBACK_TOKEN: "",
		CALLBACK_TOKEN_PREVIOUS: "",
		ALLOW_UNSIGNED_CALLBACKS: "false",
	};

	it("with none of them, every callback is refused 503 with a message naming the ways out, nothing stored", async () => {
		for (const workerEnv of [unconfigured, { ...unconfigured, CALLBACK_TOKEN: undefined }]) {
			const answer = await post(base(), workerEnv as Env, {}, { allow5xx: true });
			expect(answer.status).toBe(503);
			expect(answer.json).toEqual({ ActionStatus: "FAIL", ErrorCode: 503, ErrorInfo: UNCONFIGURED_REASON });
			expect(answer.json.ErrorInfo).toMatch(/CALLBACK_TOKEN.*MTLS_REQUIRED.*ALLOW_UNSIGNED_CALLBACKS/);
			expect(answer.rows).toBe(0);
		}
		const before = await fetchChecked(
			new Request(callbackUrl("Group.CallbackBeforeCreateTopic"), {
				method: "POST",
				body: JSON.stringify(samples.beforeCreateTopic()),
			}),
			unconfigured,
			{ allow5xx: true },
		);
		expect(before.status).toBe(503);
	});

	it("the switch is only the exact word true (any case); anything else keeps callbacks refused", async () => {
		for (const value of ["1", "yes", "on", "", "true!"]) {
			const answer = await post(
				base(),
				{ ...unconfigured, ALLOW_UNSIGNED_CALLBACKS: value },
				{},
				{ allow5xx: true },
			);
			expect(answer.status, value).toBe(503);
		}
		expect((await post(base(), { ...unconfigured, ALLOW_UNSIGNED_CALLBACKS: " TRUE " })).status).toBe(200);
	});

	it("mutual TLS alone is a configuration: a verified certificate passes without a token", async () => {
		const mtlsOnly = { ...unconfigured, MTLS_REQUIRED: "true" };
		const cf = {
			tlsClientAuth: { certPresented: "1", certVerified: "SUCCESS", certIssuerDN: "CN=TencentQQAuthCA" },
		};
		const answer = await post(base(), mtlsOnly, { cf } as RequestInit);
		expect(answer.status).toBe(200);
		expect(answer.rows).toBe(1);
		expect((await post(base(), mtlsOnly)).status).toBe(401);
	});

	it("with a token set, the switch does not let unsigned callbacks in", async () => {
		const answer = await post(base(), { ...signedEnv, ALLOW_UNSIGNED_CALLBACKS: "true" });
		expect(answer.status).toBe(401);
		expect(answer.json.ErrorInfo).toBe("RequestTime is missing");
		expect(answer.rows).toBe(0);
	});
});

describe("admin token on /api/*", () => {
	const ADMIN = "admin-secret-token-0123456789abcdef";
	const check = (authorization: string | null, workerEnv: Env, allow5xx = false) =>
		fetchChecked(
			new Request("https://webhooks.example.com/api/policy/check", {
				method: "POST",
				headers: authorization === null ? {} : { authorization },
				body: JSON.stringify({ Operator_Account: "leckie", Name: "t" }),
			}),
			workerEnv,
			{ allow5xx },
		);
	const adminEnv: Env = { ...env, ADMIN_TOKEN: ADMIN, CALLBACK_TOKEN: TOKEN };

	it("opens with the bearer token, the scheme in any case (RFC 9110)", async () => {
		for (const header of [`Bearer ${ADMIN}`, `bearer ${ADMIN}`, `BEARER\t${ADMIN}`]) {
			expect((await check(header, adminEnv)).status, header).toBe(200);
		}
	});

	it("refuses missing, wrong, partial or differently shaped credentials with 401", async () => {
		const headers: (string | null)[] = [
			null,
			"",
			"Bearer",
			"Bearer ",
			`Bearer ${ADMIN.slice(0, -1)}`,
			`Bearer ${ADMIN}x`,
			`Bearer ${ADMIN.toUpperCase()}`,
			`Basic ${btoa(`admin:${ADMIN}`)}`,
			ADMIN,
			`Token ${ADMIN}`,
			`Bearer ${ADMIN} ${ADMIN}`,
			`Bearer ${TOKEN}`,
			`Bearer ${await tencentSign(TOKEN, "1669872112")}`,
		];
		for (const header of headers) {
			const answer = await check(header, adminEnv);
			expect(answer.status, String(header)).toBe(401);
			expect(answer.json).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
		}
	});

	it("with ADMIN_TOKEN unset answers 503 whatever is presented, the callback token included", async () => {
		for (const header of [null, `Bearer ${TOKEN}`, "Bearer ", `Bearer ${ADMIN}`]) {
			for (const off of [
				{ ...env, CALLBACK_TOKEN: TOKEN, ADMIN_TOKEN: "" },
				{ ...env, CALLBACK_TOKEN: TOKEN },
			]) {
				const answer = await check(header, off, true);
				expect(answer.status).toBe(503);
				expect(answer.json).toEqual({
					error: { code: "unavailable", message: expect.stringMatching(/ADMIN_TOKEN/) },
				});
			}
		}
	});

	it("the admin token does not sign callbacks", async () => {
		const { RequestTime, Sign } = await signedParams(ADMIN);
		expect((await post(base(`&RequestTime=${RequestTime}&Sign=${Sign}`), adminEnv)).status).toBe(401);
	});
});

describe("mutual TLS (MTLS_REQUIRED)", () => {
	const TENCENT_DN = "CN=TencentQQAuthCA,OU=QQ,O=Tencent,L=Shenzhen,ST=Guangdong,C=CN";
	const clientAuth = (certVerified: string, certIssuerDN = TENCENT_DN) => ({
		tlsClientAuth: { certPresented: certVerified === "NONE" ? "0" : "1", certVerified, certIssuerDN },
	});
	const mtlsEnv: Env = { ...env, MTLS_REQUIRED: "true", MTLS_ISSUER_PATTERN: "^CN=TencentQQAuthCA," };

	it("off by default: no client certificate needed", async () => {
		expect(env.MTLS_REQUIRED).toBe("false");
		expect((await post(base(), env)).status).toBe(200);
	});

	it("on: a verified certificate from Tencent's CA passes, and the token check still applies", async () => {
		expect((await post(base(), mtlsEnv, { cf: clientAuth("SUCCESS") })).status).toBe(200);
		const both = { ...mtlsEnv, CALLBACK_TOKEN: TOKEN };
		expect((await post(base(), both, { cf: clientAuth("SUCCESS") })).status).toBe(401);
		const { RequestTime, Sign } = await signedParams(TOKEN);
		expect(
			(await post(base(`&RequestTime=${RequestTime}&Sign=${Sign}`), both, { cf: clientAuth("SUCCESS") }))
				.status,
		).toBe(200);
	});

	it("on: no certificate, a failed verification or another issuer is refused 401, nothing stored", async () => {
		const refused: [string, unknown][] = [
			["no cf object", undefined],
			["no tlsClientAuth", {}],
			["no certificate", clientAuth("NONE")],
			["expired", clientAuth("FAILED:certificate has expired")],
			["self-signed", clientAuth("FAILED:self signed certificate")],
			["another CA", clientAuth("SUCCESS", "CN=Some Other CA,O=Example")],
			["issuer as a suffix", clientAuth("SUCCESS", `CN=Evil,${TENCENT_DN}`)],
			["lower-case verdict", clientAuth("success")],
		];
		for (const [name, cf] of refused) {
			const answer = await post(base(), mtlsEnv, cf === undefined ? {} : ({ cf } as RequestInit));
			expect(answer.status, name).toBe(401);
			expect(answer.rows, name).toBe(0);
		}
	});

	it("on with an invalid issuer pattern: fails closed", async () => {
		const broken = { ...mtlsEnv, MTLS_ISSUER_PATTERN: "(" };
		const request = new Request(callbackUrl(COMMAND), { cf: clientAuth("SUCCESS") } as RequestInit);
		expect(checkClientCertificate(request, readConfig(broken))).toEqual({
			ok: false,
			problem: "the client certificate's issuer is not the expected CA",
		});
		const answer = await post(base(), broken, { cf: clientAuth("SUCCESS") }, { allow5xx: true });
		expect(answer.status).toBe(503);
		expect(answer.json.ErrorInfo).toBe("MTLS_ISSUER_PATTERN is not a valid regular expression");
		expect(answer.rows).toBe(0);
	});

	it("on without a pattern: any verified certificate passes", async () => {
		const anyIssuer = { ...env, MTLS_REQUIRED: "TRUE", MTLS_ISSUER_PATTERN: "" };
		expect((await post(base(), anyIssuer, { cf: clientAuth("SUCCESS", "CN=Whoever") })).status).toBe(200);
		expect((await post(base(), anyIssuer, { cf: clientAuth("NONE") })).status).toBe(401);
	});

	it("also guards before-callbacks", async () => {
		const request = new Request(callbackUrl("Group.CallbackBeforeCreateTopic"), {
			method: "POST",
			body: JSON.stringify(samples.beforeCreateTopic()),
		});
		expect((await fetchChecked(request, mtlsEnv)).status).toBe(401);
	});
});

describe("log lines", () => {
	it("never carry a callback's Sign or RequestTime, accepted or refused", async () => {
		const lines: string[] = [];
		const secrets: string[] = [];
		const spies = (["log", "warn", "error"] as const).map((level) =>
			vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
				lines.push(args.map(String).join(" "));
			}),
		);
		try {
			const { RequestTime, Sign } = await signedParams(TOKEN);
			const wrongSign = Sign.replace(/^./, (c) => (c === "0" ? "1" : "0"));
			secrets.push(Sign, wrongSign);
			expect((await post(base(`&RequestTime=${RequestTime}&Sign=${Sign}`), signedEnv)).status).toBe(200);
			expect((await post(base(`&RequestTime=${RequestTime}&Sign=${wrongSign}`), signedEnv)).status).toBe(401);
			const stale = String(Number(RequestTime) - 3600);
			expect((await post(base(`&RequestTime=${stale}&Sign=${Sign}`), signedEnv)).status).toBe(401);
		} finally {
			for (const spy of spies) spy.mockRestore();
		}
		expect(lines.length).toBeGreaterThan(0);
		for (const line of lines) {
			expect(line).not.toMatch(/Sign=|RequestTime=/);
			for (const secret of secrets) expect(line).not.toContain(secret);
		}
	});
});
