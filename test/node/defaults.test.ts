// The deployed defaults, as wrangler.toml sets them and nothing else: no secrets, no local overrides.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "./support/worker";

let worker: RunningWorker;

beforeAll(async () => {
	worker = await startWorker();
});
afterAll(async () => {
	await worker?.stop();
});

const beforeCreateTopic = JSON.stringify({
	CallbackCommand: "Group.CallbackBeforeCreateTopic",
	Operator_Account: "leckie",
	Type: "Community",
	Name: "MyFirstTopic",
});

describe("wrangler.toml's defaults over a real socket", () => {
	it("without CALLBACK_TOKEN, mutual TLS or ALLOW_UNSIGNED_CALLBACKS, refuses an unsigned callback 503", async () => {
		const response = await worker.fetch(
			"/?SdkAppid=1400000000&CallbackCommand=Group.CallbackBeforeCreateTopic&contenttype=json",
			{ method: "POST", body: beforeCreateTopic },
		);
		expect(response.status).toBe(503);
		const answer = (await response.json()) as { ActionStatus: string; ErrorCode: number; ErrorInfo: string };
		expect(answer).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 503 });
		expect(answer.ErrorInfo).toMatch(/CALLBACK_TOKEN.*ALLOW_UNSIGNED_CALLBACKS="true"/);
	});
});
