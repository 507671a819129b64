// Every /api error answers in one JSON shape, `{"error": {"code", "message", "field"?, "detail"?}}`, whatever
// the status; the callback path keeps Tencent's envelope.
import { describe, expect, it } from "vitest";
import { faultyD1 } from "../battery/support";
import { fetchWith } from "../support/tencent";
import { ADMIN_TOKEN, apiGet } from "./admin";

const BASE = "https://webhooks.example.com";
const authorized = { authorization: `Bearer ${ADMIN_TOKEN}` };

async function call(path: string, init: RequestInit, env: Partial<Env> = {}) {
	const response = await fetchWith(new Request(`${BASE}${path}`, init), { ADMIN_TOKEN, ...env });
	return { status: response.status, headers: response.headers, json: await response.json() };
}

describe("/api errors", () => {
	it("answers 404 in the /api shape for an /api path that does not exist", async () => {
		const res = await apiGet("/api/nothing-here");
		expect(res.status).toBe(404);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(res.json).toEqual({ error: { code: "not_found", message: "no such /api path" } });
	});

	it("still asks for the token before saying whether an /api path exists", async () => {
		const res = await apiGet("/api/nothing-here", { token: null });
		expect(res.status).toBe(401);
		expect(res.json).toMatchObject({ error: { code: "unauthorized" } });
	});

	it.each([
		["/api/events", "POST", "GET, HEAD", "GET or HEAD"],
		["/api/decisions", "DELETE", "GET, HEAD", "GET or HEAD"],
		["/api/topics/x", "PUT", "GET, HEAD", "GET or HEAD"],
		["/api/groups/g/topics", "POST", "GET, HEAD", "GET or HEAD"],
		["/api/policy/check", "GET", "POST", "POST"],
	])("answers 405 with Allow for %s asked with %s", async (path, method, allow, named) => {
		const res = await call(path, { method, headers: authorized });
		expect(res.status).toBe(405);
		expect(res.headers.get("allow")).toBe(allow);
		expect(res.json).toEqual({
			error: { code: "method_not_allowed", message: `this path answers ${named} only` },
		});
	});

	it("answers 413 for a policy check body over MAX_BODY_BYTES", async () => {
		const body = JSON.stringify({ Operator_Account: "a", Name: "x".repeat(2_000) });
		const res = await call(
			"/api/policy/check",
			{ method: "POST", headers: authorized, body },
			{ MAX_BODY_BYTES: "1000" },
		);
		expect(res.status).toBe(413);
		expect(res.json).toEqual({
			error: { code: "payload_too_large", message: "body is larger than 1000 bytes" },
		});
	});

	it("answers an unexpected failure with 500 in the /api shape, not Tencent's envelope", async () => {
		const res = await call("/api/events", { headers: authorized }, { DB: faultyD1(["all"]) });
		expect(res.status).toBe(500);
		expect(res.json).toEqual({ error: { code: "internal", message: "internal error" } });
	});

	it("keeps Tencent's envelope outside /api", async () => {
		const res = await call("/nothing-here", { method: "GET" });
		expect(res.status).toBe(404);
		expect(res.json).toEqual({ ActionStatus: "FAIL", ErrorCode: 404, ErrorInfo: "not found" });
	});
});
