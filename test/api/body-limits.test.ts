// Every /api route that reads a body reads it up to a limit: MAX_BODY_BYTES, or room for a policy document
// on the routes that carry one. A body past it is refused with 413 before it is parsed.
import { describe, expect, it } from "vitest";
import { fetchWith } from "../support/tencent";
import { ADMIN_TOKEN } from "./admin";

const BASE = "https://webhooks.example.com";
const authorized = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

async function send(method: string, path: string, body: string, env: Partial<Env> = {}) {
	const response = await fetchWith(new Request(`${BASE}${path}`, { method, headers: authorized, body }), {
		ADMIN_TOKEN,
		...env,
	});
	return { status: response.status, json: await response.json() };
}

/** A JSON body of `bytes` bytes, valid for no route (so only the limit can refuse it with 413). */
function bodyOf(bytes: number): string {
	const head = '{"padding":"';
	return `${head}${"x".repeat(bytes - head.length - 2)}"}`;
}

describe("/api body limits", () => {
	it.each([
		["POST", "/api/session"],
		["POST", "/api/policy/check"],
		["POST", "/api/policy/rollback"],
		["POST", "/api/enforcement/resume"],
		["POST", "/api/enforcement/discard"],
	])("%s %s refuses a body over MAX_BODY_BYTES with 413", async (method, path) => {
		const over = await send(method, path, bodyOf(2_000), { MAX_BODY_BYTES: "1000" });
		expect(over).toEqual({
			status: 413,
			json: { error: { code: "payload_too_large", message: "body is larger than 1000 bytes" } },
		});
		// Within the limit the same body is read and judged (400 naming the field), not refused for its size.
		const within = await send(method, path, bodyOf(900), { MAX_BODY_BYTES: "1000" });
		expect(within.status).toBe(400);
	});

	it.each([
		["PUT", "/api/policy"],
		["POST", "/api/policy/validate"],
		["POST", "/api/policy/backtest"],
	])(
		"%s %s takes a policy document over MAX_BODY_BYTES, yet refuses one over 20 MB",
		async (method, path) => {
			const within = await send(method, path, bodyOf(2_000), { MAX_BODY_BYTES: "1000" });
			expect(within.status).toBe(400);
			const over = await send(method, path, bodyOf(20_000_100));
			expect(over).toEqual({
				status: 413,
				json: { error: { code: "payload_too_large", message: "body is larger than 20000000 bytes" } },
			});
		},
	);
});
