import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callbackUrl, samples, sendCallback } from "../support/tencent";

describe("Group.CallbackBeforeCreateTopic", () => {
	it("answers the seed sample with the OK envelope", async () => {
		const res = await SELF.fetch(callbackUrl("Group.CallbackBeforeCreateTopic"), {
			method: "POST",
			body: JSON.stringify(samples.beforeCreateTopic()),
		});
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(await res.json()).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
	});

	it("answers Group.CallbackBeforeCreateGroup with 0 and stores nothing", async () => {
		const before = await env.DB.prepare("SELECT count(*) AS n FROM events").first<number>("n");
		const res = await sendCallback("Group.CallbackBeforeCreateGroup", samples.beforeCreateGroup());
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		expect(await env.DB.prepare("SELECT count(*) AS n FROM events").first<number>("n")).toBe(before);
	});
});
