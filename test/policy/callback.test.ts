// End to end through the Worker: Tencent's BeforeCreateTopic sample, decided by the policy in local KV.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { envWith, newIsolate } from "../support/isolate-env";
import { fetchWith } from "../support/tencent";

const URL =
	"http://x/?SdkAppid=1400000000&CallbackCommand=Group.CallbackBeforeCreateTopic&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI";

/** Tencent's BeforeCreateTopic for `name`, from `leckie`. */
function beforeCreateTopicRequest(name: string): Request<unknown, IncomingRequestCfProperties> {
	return new Request(URL, {
		method: "POST",
		body: JSON.stringify({
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
			Operator_Account: "leckie",
			Type: "Community",
			Name: name,
		}),
	}) as Request<unknown, IncomingRequestCfProperties>;
}

/** Sends a BeforeCreateTopic to this file's isolate (test/support/isolate-env.ts). */
async function beforeCreateTopic(name: string) {
	const response = await fetchWith(beforeCreateTopicRequest(name));
	expect(response.status).toBe(200);
	return response.json();
}

describe("POST / Group.CallbackBeforeCreateTopic with a policy in KV", () => {
	it("allows the sample and refuses a disguised banned name with the entry's code", async () => {
		await env.POLICY.put(
			"policy",
			JSON.stringify({
				version: "e2e-1",
				names: { banned: [{ value: "casino", errorCode: 10150, errorInfo: "No gambling topics" }] },
			}),
		);
		expect(await beforeCreateTopic("MyFirstTopic")).toEqual({
			ActionStatus: "OK",
			ErrorCode: 0,
			ErrorInfo: "",
		});
		expect(await beforeCreateTopic("Ｃ4ｓ1no night")).toEqual({
			ActionStatus: "OK",
			ErrorCode: 10150,
			ErrorInfo: "No gambling topics",
		});
		// The decision row is written after the answer (batched with others for up to 100 ms).
		await vi.waitFor(
			async () => {
				const row = await env.DB.prepare("SELECT * FROM decisions WHERE name = ? ORDER BY id DESC LIMIT 1")
					.bind("Ｃ4ｓ1no night")
					.first<Record<string, unknown>>();
				expect(row).toMatchObject({
					allowed: 0,
					error_code: 10150,
					rule: 'names.banned[0] "casino"',
					dry_run: 0,
				});
			},
			{ timeout: 5000, interval: 50 },
		);
	});

	it("writes the log lines of a cold isolate's refusal after its answer, not on its way", async () => {
		await env.POLICY.put("policy", JSON.stringify({ version: "e2e-log", names: { banned: ["casino"] } }));
		newIsolate();
		const lines: string[] = [];
		vi.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
		const events = () => lines.map((line) => JSON.parse(line).event);
		const ctx = createExecutionContext();
		const response = await worker.fetch(beforeCreateTopicRequest("casino night"), envWith(), ctx);
		expect((await response.json()) as { ErrorCode: number }).toMatchObject({ ErrorCode: 1 });
		expect(events()).toEqual([]);
		await waitOnExecutionContext(ctx);
		expect(events()).toEqual(expect.arrayContaining(["policy.loaded", "creation.refused"]));
		vi.restoreAllMocks();
	});
});
