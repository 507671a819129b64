import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { authenticateCallback, tencentSign } from "../../src/auth/callback-auth";
import { readConfig } from "../../src/config";
import { SDK_APP_ID, samples, sendCallback, unique } from "../support/tencent";

const VECTOR = {
	token: "xxxxyyyy",
	requestTime: "1669872112",
	sign: "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061",
};

async function storedRows(groupId: string): Promise<number> {
	return (
		(await env.DB.prepare("SELECT count(*) AS n FROM events WHERE group_id = ?")
			.bind(groupId)
			.first<number>("n")) ?? 0
	);
}

describe("callback authentication", () => {
	it("computes Tencent's public Sign test vector", async () => {
		expect(await tencentSign(VECTOR.token, VECTOR.requestTime)).toBe(VECTOR.sign);
	});

	it("accepts the test vector at its own time and refuses it 61 s later", async () => {
		const params = new URLSearchParams({
			SdkAppid: SDK_APP_ID,
			RequestTime: VECTOR.requestTime,
			Sign: VECTOR.sign,
		});
		const withToken = readConfig({ ...env, CALLBACK_TOKEN: VECTOR.token });
		const at = Number(VECTOR.requestTime) * 1000;
		expect(await authenticateCallback(params, withToken, at)).toEqual({ ok: true, value: SDK_APP_ID });
		expect(await authenticateCallback(params, withToken, at + 61_000)).toEqual({
			ok: false,
			problem: "RequestTime is too far from now",
		});
		const wider = readConfig({ ...env, CALLBACK_TOKEN: VECTOR.token, REQUEST_TIME_SKEW_SECONDS: "120" });
		expect((await authenticateCallback(params, wider, at + 61_000)).ok).toBe(true);
	});

	// Signs are kept per second and per token list: a kept sign must never pass for another second or
	// another deployment's token, nor a prefix, a longer string or another case of hex digit be taken.
	it("checks every Sign against its own RequestTime and token, right after a sign was kept", async () => {
		const at = Number(VECTOR.requestTime) * 1000;
		const signed = (requestTime: string, sign: string) =>
			new URLSearchParams({ SdkAppid: SDK_APP_ID, RequestTime: requestTime, Sign: sign });
		const config = readConfig({ ...env, CALLBACK_TOKEN: VECTOR.token });
		const other = readConfig({ ...env, CALLBACK_TOKEN: "another-console-token" });
		const next = String(Number(VECTOR.requestTime) + 1);
		const nextSign = await tencentSign(VECTOR.token, next);
		const verdict = async (params: URLSearchParams, cfg = config) =>
			(await authenticateCallback(params, cfg, at)).ok;

		expect(await verdict(signed(VECTOR.requestTime, VECTOR.sign))).toBe(true);
		expect(await verdict(signed(VECTOR.requestTime, VECTOR.sign.toUpperCase()))).toBe(true);
		expect(await verdict(signed(next, VECTOR.sign))).toBe(false);
		expect(await verdict(signed(next, nextSign))).toBe(true);
		expect(await verdict(signed(VECTOR.requestTime, nextSign))).toBe(false);
		expect(await verdict(signed(VECTOR.requestTime, VECTOR.sign), other)).toBe(false);
		expect(await verdict(signed(VECTOR.requestTime, VECTOR.sign.slice(0, 63)))).toBe(false);
		expect(await verdict(signed(VECTOR.requestTime, `${VECTOR.sign}0`))).toBe(false);
		expect(await verdict(signed(VECTOR.requestTime, `${VECTOR.sign.slice(0, 63)}é`))).toBe(false);
		expect(await verdict(signed(VECTOR.requestTime, ""))).toBe(false);
	});

	it("refuses a missing or foreign SdkAppid with 401 and stores nothing", async () => {
		const groupId = `@TGS#auth${unique()}`;
		for (const extra of [{ SdkAppid: "" }, { SdkAppid: "1400000001" }]) {
			const res = await sendCallback("Group.CallbackAfterCreateGroup", samples.afterCreateGroup(groupId), {
				extra,
			});
			expect(res.status).toBe(401);
			expect(res.json).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 401 });
			expect(res.json.ErrorInfo).toMatch(/SdkAppid/);
		}
		expect(await storedRows(groupId)).toBe(0);
	});

	it("accepts any SdkAppid of a comma-separated SDKAPPID list", async () => {
		const groupId = `@TGS#list${unique()}`;
		const res = await sendCallback("Group.CallbackAfterCreateGroup", samples.afterCreateGroup(groupId), {
			extra: { SdkAppid: "1400000002" },
			env: { SDKAPPID: "1400000000, 1400000002" },
		});
		expect(res.status).toBe(200);
		expect(await storedRows(groupId)).toBe(1);
	});

	it("with CALLBACK_TOKEN set, requires a valid fresh Sign", async () => {
		const token = "s3cret-token";
		const groupId = `@TGS#sign${unique()}`;
		const now = String(Math.floor(Date.now() / 1000));
		const sign = await tencentSign(token, now);
		const send = (extra: Record<string, string>) =>
			sendCallback("Group.CallbackAfterCreateGroup", samples.afterCreateGroup(groupId), {
				extra,
				env: { CALLBACK_TOKEN: token },
			});

		expect((await send({})).status).toBe(401);
		expect((await send({ RequestTime: now })).json.ErrorInfo).toBe("Sign is missing");
		expect((await send({ Sign: sign })).json.ErrorInfo).toBe("RequestTime is missing");
		const wrongSign = sign.slice(0, -1) + (sign.endsWith("0") ? "1" : "0"); // one hex digit off
		expect((await send({ RequestTime: now, Sign: wrongSign })).json.ErrorInfo).toBe("Sign does not match");
		expect((await send({ RequestTime: String(Number(now) - 3600), Sign: sign })).status).toBe(401);
		expect((await send({ RequestTime: "abc", Sign: sign })).status).toBe(401);
		expect(await storedRows(groupId)).toBe(0);

		expect((await send({ RequestTime: now, Sign: sign })).status).toBe(200);
		expect(await storedRows(groupId)).toBe(1);
	});

	it("accepts the previous token during a change-over, and upper-case hex", async () => {
		const now = String(Math.floor(Date.now() / 1000));
		const oldSign = await tencentSign("old-token", now);
		const res = await sendCallback(
			"Group.CallbackAfterCreateGroup",
			samples.afterCreateGroup(`@TGS#rot${unique()}`),
			{
				extra: { RequestTime: now, Sign: oldSign.toUpperCase() },
				env: { CALLBACK_TOKEN: "new-token", CALLBACK_TOKEN_PREVIOUS: "old-token" },
			},
		);
		expect(res.status).toBe(200);
	});
});
