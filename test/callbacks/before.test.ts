import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callbackUrl, fetchWith, samples, sendCallback, unique } from "../support/tencent";

const count = (sql: string, ...binds: unknown[]) =>
	env.DB.prepare(sql)
		.bind(...binds)
		.first<number>("n");

describe("Group.CallbackBeforeCreateTopic", () => {
	it("answers the seed sample with the OK envelope, logs the decision and stores no event", async () => {
		const operator = `op-${unique()}`;
		const events = await count("SELECT count(*) AS n FROM events");
		const res = await fetchWith(
			new Request(callbackUrl("Group.CallbackBeforeCreateTopic"), {
				method: "POST",
				body: JSON.stringify({ ...samples.beforeCreateTopic(), Operator_Account: operator }),
			}),
		);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(await res.json()).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
		expect(await count("SELECT count(*) AS n FROM events")).toBe(events);
		const decision = await env.DB.prepare(
			"SELECT allowed, command, name FROM decisions WHERE operator_account = ?",
		)
			.bind(operator)
			.first();
		expect(decision).toEqual({
			allowed: 1,
			command: "Group.CallbackBeforeCreateTopic",
			name: samples.beforeCreateTopic().Name,
		});
	});

	it("answers Group.CallbackBeforeCreateGroup with 0 and stores nothing", async () => {
		const stored = () =>
			Promise.all([count("SELECT count(*) AS n FROM events"), count("SELECT count(*) AS n FROM quarantine")]);
		const before = await stored();
		const res = await sendCallback("Group.CallbackBeforeCreateGroup", samples.beforeCreateGroup());
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		// No event (a before-callback decides, it does not record) and nothing quarantined (the body is valid).
		expect(await stored()).toEqual(before);
	});
});

// Tencent reads any answer but a 200 with JSON as a failed callback and applies its console default, so
// POLICY_FAIL_MODE, not the console, must decide what an unusable before-callback body gets.
describe("an unusable before-callback body gets the fail mode's 200", () => {
	const command = "Group.CallbackBeforeCreateTopic";
	const failModeRows = () =>
		count("SELECT count(*) AS n FROM decisions WHERE source = 'fail-mode' AND operator_account = ''");

	for (const [mode, errorCode] of [
		["open", 0],
		["closed", 1],
	] as const) {
		it(`a body over MAX_BODY_BYTES: 200 with ErrorCode ${errorCode} (${mode}), a fail-mode decision, quarantined`, async () => {
			const decisions = await failModeRows();
			const reason = "body is larger than 1000 bytes";
			const quarantined = await count("SELECT count(*) AS n FROM quarantine WHERE reason = ?", reason);
			const body = JSON.stringify({ ...samples.beforeCreateTopic(), Name: "x".repeat(2000) });
			const answer = await fetchWith(
				new Request(callbackUrl(command), {
					method: "POST",
					body,
					headers: { "content-length": `${body.length}` },
				}),
				{ MAX_BODY_BYTES: "1000", POLICY_FAIL_MODE: mode },
			);
			expect(answer.status).toBe(200);
			expect(await answer.json()).toEqual({ ActionStatus: "OK", ErrorCode: errorCode, ErrorInfo: "" });
			expect(await failModeRows()).toBe((decisions ?? 0) + 1);
			expect(await count("SELECT count(*) AS n FROM quarantine WHERE reason = ?", reason)).toBe(
				(quarantined ?? 0) + 1,
			);
		});

		it(`a body naming another CallbackCommand: 200 with ErrorCode ${errorCode} (${mode}), a fail-mode decision`, async () => {
			const operator = `op-${unique()}`;
			const answer = await sendCallback(
				command,
				{
					...samples.beforeCreateTopic(),
					CallbackCommand: "Group.CallbackBeforeCreateGroup",
					Operator_Account: operator,
				},
				{ env: { POLICY_FAIL_MODE: mode } },
			);
			expect(answer).toEqual({
				status: 200,
				json: { ActionStatus: "OK", ErrorCode: errorCode, ErrorInfo: "" },
			});
			const row = await env.DB.prepare(
				"SELECT source, allowed, error_code FROM decisions WHERE operator_account = ?",
			)
				.bind(operator)
				.first();
			expect(row).toEqual({ source: "fail-mode", allowed: mode === "open" ? 1 : 0, error_code: errorCode });
			const kept = await env.DB.prepare("SELECT reason FROM quarantine WHERE body LIKE ?")
				.bind(`%${operator}%`)
				.first<string>("reason");
			expect(kept).toBe("CallbackCommand in the body does not match the URL's");
		});
	}
});
