import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, healthDetails } from "../api/admin";
import { callbackUrl, fetchWith, SDK_APP_ID, samples, sendCallback } from "../support/tencent";

async function countEvents(): Promise<number> {
	return (await env.DB.prepare("SELECT count(*) AS n FROM events").first<number>("n")) ?? 0;
}

describe("HTTP edge", () => {
	it("answers 404 JSON for other paths", async () => {
		const res = await SELF.fetch("https://x/other?SdkAppid=1400000000", { method: "POST", body: "{}" });
		expect(res.status).toBe(404);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(await res.json()).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 404 });
	});

	it("answers a callback POSTed to / spelled with more slashes, as the route table always did", async () => {
		const url = callbackUrl("Group.CallbackBeforeCreateTopic").replace("/?", "//?");
		expect(new URL(url).pathname).toBe("//");
		const res = await SELF.fetch(url, { method: "POST", body: JSON.stringify(samples.beforeCreateTopic()) });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
	});

	it("answers 405 JSON with Allow: POST for other methods on /", async () => {
		const res = await SELF.fetch(callbackUrl("Group.CallbackAfterCreateTopic"), { method: "GET" });
		expect(res.status).toBe(405);
		expect(res.headers.get("allow")).toBe("POST");
		expect(await res.json()).toMatchObject({ ActionStatus: "FAIL" });
	});

	it.each([
		["/healthz", "POST"],
		["/healthz", "PUT"],
		["/healthz", "DELETE"],
		["/healthz", "PATCH"],
		["/admin", "POST"],
		["/admin/console.js", "DELETE"],
	])("answers %s asked with %s 405, Allow: GET, HEAD, in the /api error shape", async (path, method) => {
		const res = await SELF.fetch(`https://x${path}`, { method, body: method === "DELETE" ? null : "{}" });
		expect(res.status).toBe(405);
		expect(res.headers.get("allow")).toBe("GET, HEAD");
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(await res.json()).toEqual({
			error: { code: "method_not_allowed", message: "this path answers GET or HEAD only" },
		});
	});

	it("acknowledges other CallbackCommands with 200 OK/0 and stores nothing", async () => {
		const before = await countEvents();
		// Sent to the isolate that /healthz is asked next (the env with ADMIN_TOKEN): the count is per isolate.
		const res = await sendCallback(
			"C2C.CallbackAfterSendMsg",
			{ CallbackCommand: "C2C.CallbackAfterSendMsg", x: 1 },
			{ env: { ADMIN_TOKEN } },
		);
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		expect(await countEvents()).toBe(before);
		const { json: health } = await healthDetails<{ ignoredCommands: Record<string, number> }>();
		expect(health.ignoredCommands["C2C.CallbackAfterSendMsg"]).toBeGreaterThanOrEqual(1);
	});

	it("answers 400 when CallbackCommand is missing from the URL", async () => {
		const res = await SELF.fetch(`https://x/?SdkAppid=${SDK_APP_ID}`, { method: "POST", body: "{}" });
		expect(res.status).toBe(400);
		expect((await res.json<{ ErrorInfo: string }>()).ErrorInfo).toMatch(/CallbackCommand/);
	});

	it("refuses a body over MAX_BODY_BYTES with 413 JSON, by content-length and by streaming", async () => {
		const big = JSON.stringify({ ...samples.afterCreateTopic(), Name: "x".repeat(5000) });
		const declared = await sendCallback("Group.CallbackAfterCreateTopic", big, {
			env: { MAX_BODY_BYTES: "1024" },
		});
		expect(declared.status).toBe(413);
		expect(declared.json.ErrorInfo).toMatch(/1024 bytes/);

		// A stream has no content-length: the limit is enforced while reading.
		const bytes = new TextEncoder().encode(big);
		const stream = new ReadableStream({
			start(controller) {
				for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.slice(i, i + 512));
				controller.close();
			},
		});
		const streamed = await fetchWith(
			new Request(callbackUrl("Group.CallbackAfterCreateTopic"), { method: "POST", body: stream }),
			{ MAX_BODY_BYTES: "1024" },
		);
		expect(streamed.status).toBe(413);
		expect(streamed.headers.get("content-type")).toMatch(/^application\/json/);
	});

	it("GET /healthz with the admin token reports version, bindings and auth mode", async () => {
		const { status, json: body } = await healthDetails();
		expect(status).toBe(200);
		expect(body).toMatchObject({
			status: expect.stringMatching(/^(ok|degraded)$/),
			version: expect.stringMatching(/^\d+\.\d+\.\d+/),
			kv: { ok: true },
			d1: { ok: true },
			auth: { mode: "none", warning: expect.stringContaining("CALLBACK_TOKEN") },
		});
		const { json: signed } = await healthDetails({ CALLBACK_TOKEN: "t" });
		expect(signed).toMatchObject({ auth: { mode: "token" } });
	});
});
