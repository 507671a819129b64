import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN_RULE, strongAdminToken } from "../../src/config";
import { fetchWith } from "../support/tencent";
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

describe("ADMIN_TOKEN strength", () => {
	const weak = [
		["one character", "a"],
		["31 characters", "abcdefghijklmnopqrstuvwxyz01234"],
		["40 of one character", "a".repeat(40)],
		["40 characters, 9 different", "abcdefghi".repeat(5)],
		["a space inside", "abcdefghijklmnop qrstuvwxyz0123456789"],
	];

	it.each(weak)(
		"a weak token (%s) keeps the API off, even for a caller presenting it",
		async (_name, token) => {
			for (const path of ["/api/events", "/api/policy"]) {
				const res = await apiGet(path, { token, env: { ADMIN_TOKEN: token } });
				expect(res.status).toBe(503);
				expect(res.json).toEqual({
					error: {
						code: "unavailable",
						message: `ADMIN_TOKEN is too weak: it needs ${ADMIN_TOKEN_RULE}`,
						field: "ADMIN_TOKEN",
					},
				});
			}
		},
	);

	it("a weak token cannot sign in to the console either", async () => {
		const token = "a";
		const response = await fetchWith(
			new Request("https://webhooks.example.com/api/session", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ token }),
			}),
			{ ADMIN_TOKEN: token },
		);
		expect(response.status).toBe(503);
		expect(response.headers.get("set-cookie")).toBeNull();
		expect(await response.json()).toMatchObject({ error: { field: "ADMIN_TOKEN" } });
	});

	it("a token just meeting the rule is accepted", async () => {
		const token = "abcdefghij".repeat(3).concat("kl"); // 32 characters, 12 different
		expect(strongAdminToken(token)).toBe(true);
		expect((await apiGet("/api/events", { token, env: { ADMIN_TOKEN: token } })).status).toBe(200);
	});
});
