// UserSig in Tencent's TLSSigAPIv2 format, checked against Tencent's own tls-sig-api-v2 package (run in Node
// by the test's outbound handler) as the oracle.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
	cachedUserSig,
	emptyUserSigCache,
	issueUserSig,
	readUserSig,
	USERSIG_LIFETIME_SECONDS,
	USERSIG_RENEW_BEFORE_SECONDS,
} from "../../src/tencent/usersig";
import { userSigProblem } from "../support/tencent-rest";

const now = () => Math.floor(Date.now() / 1000);

describe("UserSig (TLSSigAPIv2)", () => {
	it("is what tls-sig-api-v2 issues for the same identifier, app, key, time and lifetime", async () => {
		const userSig = await issueUserSig({
			sdkAppId: 1400000000,
			identifier: "administrator",
			secretKey: env.TENCENT_SECRET_KEY ?? "",
			expireSeconds: 86_400,
			issuedAt: now(),
		});
		expect(userSig).toMatch(/^[A-Za-z0-9*\-_]+$/);
		expect(await userSigProblem(userSig, "1400000000", "administrator")).toBeNull();
	});

	it("is refused by the oracle when signed with another key, identifier or app", async () => {
		const base = {
			sdkAppId: 1400000000,
			identifier: "administrator",
			expireSeconds: 86_400,
			issuedAt: now(),
		};
		const wrongKey = await issueUserSig({ ...base, secretKey: "not-the-key" });
		expect(await userSigProblem(wrongKey, "1400000000", "administrator")).toMatch(/differs/);
		const right = await issueUserSig({ ...base, secretKey: env.TENCENT_SECRET_KEY ?? "" });
		expect(await userSigProblem(right, "1400000000", "someone-else")).toMatch(/differs/);
		expect(await userSigProblem(right, "1400000001", "administrator")).toMatch(/differs/);
	});

	it("carries Tencent's fields in the deflated JSON", async () => {
		const userSig = await issueUserSig({
			sdkAppId: 1400000000,
			identifier: "administrator",
			secretKey: "k",
			expireSeconds: 600,
			issuedAt: 1_700_000_000,
		});
		expect(await readUserSig(userSig)).toEqual({
			"TLS.ver": "2.0",
			"TLS.identifier": "administrator",
			"TLS.sdkappid": 1400000000,
			"TLS.time": 1_700_000_000,
			"TLS.expire": 600,
			"TLS.sig": expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
		});
	});

	it("is cached until shortly before it expires, then issued again", async () => {
		const t = now();
		const key = env.TENCENT_SECRET_KEY ?? "";
		const cache = emptyUserSigCache();
		const first = await cachedUserSig(cache, 1400000000, "cache-test", key, t);
		expect(await cachedUserSig(cache, 1400000000, "cache-test", key, t + 60)).toBe(first);
		const renewAt = t + USERSIG_LIFETIME_SECONDS - USERSIG_RENEW_BEFORE_SECONDS;
		expect(await cachedUserSig(cache, 1400000000, "cache-test", key, renewAt - 1)).toBe(first);
		const renewed = await cachedUserSig(cache, 1400000000, "cache-test", key, renewAt);
		expect(renewed).not.toBe(first);
		expect((await readUserSig(renewed))["TLS.time"]).toBe(renewAt);
		// Another identifier never gets the cached ticket.
		const other = await cachedUserSig(cache, 1400000000, "someone-else", key, renewAt);
		expect((await readUserSig(other))["TLS.identifier"]).toBe("someone-else");
	});
});
