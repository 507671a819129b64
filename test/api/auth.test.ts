import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, apiGet } from "./admin";

const paths = [
	"/api/topics/%40TGS%23_%40TGS%23x%40TOPIC%23_a",
	"/api/groups/%40TGS%23_%40TGS%23x/topics",
	"/api/events",
	"/api/decisions",
];

describe("read API authorization", () => {
	it.each(paths)("GET %s answers 401 JSON without a bearer token", async (path) => {
		const res = await apiGet(path, { token: null });
		expect(res.status).toBe(401);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(res.headers.get("www-authenticate")).toBe("Bearer");
		expect(res.json).toEqual({ error: { code: "unauthorized", message: expect.stringContaining("Bearer") } });
	});

	it.each(paths)("GET %s answers 401 for a wrong token and for the callback token", async (path) => {
		expect((await apiGet(path, { token: `${ADMIN_TOKEN}x` })).status).toBe(401);
		const callbackToken = await apiGet(path, {
			token: "callback-secret",
			env: { CALLBACK_TOKEN: "callback-secret" },
		});
		expect(callbackToken.status).toBe(401);
	});

	it.each(paths)("GET %s answers 503 saying the API is off when ADMIN_TOKEN is unset", async (path) => {
		const res = await apiGet(path, { env: { ADMIN_TOKEN: "" } });
		expect(res.status).toBe(503);
		expect(res.json).toEqual({
			error: { code: "unavailable", message: expect.stringContaining("ADMIN_TOKEN") },
		});
	});
});
