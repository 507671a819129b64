// The policy check API under hostile input: it has the callbacks' body limit, bounded fields and nesting,
// so one request cannot hold the isolate (and the callbacks queued behind it) or crash it.
import { describe, expect, it } from "vitest";
import { MAX_CHECK_NAME_LENGTH } from "../../src/api/policy-check";
import { fetchWith } from "../support/tencent";

const ADMIN_TOKEN = "admin-token-for-check-limit-tests-0123456789";

async function check(body: string, env: Partial<Env> = {}) {
	const response = await fetchWith(
		new Request("https://webhooks.example.com/api/policy/check", {
			method: "POST",
			headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
			body,
		}),
		{ ADMIN_TOKEN, ...env },
	);
	return {
		status: response.status,
		json: await response.json<{ error?: { code: string; message: string; field?: string } }>(),
	};
}

describe("POST /api/policy/check limits", () => {
	it("refuses a body over MAX_BODY_BYTES with 413 JSON", async () => {
		const body = JSON.stringify({ Operator_Account: "leckie", Name: "x".repeat(900) });
		const answer = await check(body, { MAX_BODY_BYTES: "500" });
		expect(answer).toEqual({
			status: 413,
			json: { error: { code: "payload_too_large", message: "body is larger than 500 bytes" } },
		});
		// The same body under the default limit is judged.
		expect((await check(body)).status).toBe(200);
	});

	it(`refuses a Name over ${MAX_CHECK_NAME_LENGTH} characters before matching, naming Name`, async () => {
		const answer = await check(
			JSON.stringify({ Operator_Account: "leckie", Name: "n".repeat(MAX_CHECK_NAME_LENGTH + 1) }),
		);
		expect(answer.status).toBe(400);
		expect(answer.json.error?.code).toBe("bad_request");
		expect(answer.json.error?.message).toMatch(/Name: must be at most 1024 characters/);
		const atLimit = await check(
			JSON.stringify({ Operator_Account: "leckie", Name: "n".repeat(MAX_CHECK_NAME_LENGTH) }),
		);
		expect(atLimit.status).toBe(200);
	});

	it("answers a deeply nested body 400, not a 500 RangeError", async () => {
		const depth = 100_000;
		const policy = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
		const answer = await check(`{"Operator_Account":"leckie","Name":"n","policy":${policy}}`);
		expect(answer).toEqual({
			status: 400,
			json: { error: { code: "bad_request", message: "body nests deeper than 64 levels" } },
		});
	});
});
