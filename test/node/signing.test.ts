// Node-side callback signing is written once (tools/lib/tencent-callback.mjs) and used by every sender: the
// load generator of the benchmarks, the soak, `npm run send` and the socket tests. A sender that signs on
// its own again fails here; the load generator's requests must pass a Worker that requires the token.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackQuery, callbackSign } from "../../tools/lib/tencent-callback.mjs";
import { type RunningWorker, startWorker } from "./support/worker";

const root = fileURLToPath(new URL("../..", import.meta.url));
const CALLBACK_TOKEN = "callback-token-for-signing-tests";
const SENDERS = [
	"bench/lib/load.mjs",
	"bench/run.mjs",
	"scripts/soak.mjs",
	"scripts/send.mjs",
	"test/node/answers.test.ts",
];
let worker: RunningWorker;

beforeAll(async () => {
	worker = await startWorker({ secrets: { CALLBACK_TOKEN } });
});
afterAll(async () => {
	await worker?.stop();
});

describe("callback signing on the Node side", () => {
	it.each(SENDERS)("%s signs through tools/lib/tencent-callback.mjs and hashes nothing itself", (file) => {
		const text = readFileSync(`${root}${file}`, "utf8");
		expect(text).toMatch(/from "(\.\.\/)*tools\/lib\/tencent-callback\.mjs"/);
		expect(text).not.toMatch(/createHash\(|subtle\.digest\(/);
	});

	it("signs as the Worker checks: accepted with the token, refused for another RequestTime", async () => {
		const body = JSON.stringify({ CallbackCommand: "C2C.CallbackAfterSendMsg" });
		const signed = callbackQuery({
			command: "C2C.CallbackAfterSendMsg",
			sdkAppId: "1400000000",
			token: CALLBACK_TOKEN,
		});
		expect((await worker.fetch(`/?${signed}`, { method: "POST", body })).status).toBe(200);
		signed.set("Sign", callbackSign(CALLBACK_TOKEN, `${signed.get("RequestTime")}0`));
		expect((await worker.fetch(`/?${signed}`, { method: "POST", body })).status).toBe(401);
	});

	it("the benchmarks' load generator sends requests the Worker accepts", async () => {
		const options = {
			url: worker.url.href,
			scenario: "signing-test",
			body: "before",
			connections: 1,
			seconds: 1,
			token: CALLBACK_TOKEN,
			sdkAppId: "1400000000",
			runId: "signing",
		};
		const { stdout } = await promisify(execFile)(
			process.execPath,
			["bench/lib/load.mjs", JSON.stringify(options)],
			{
				cwd: root,
			},
		);
		const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
		expect(result.ok).toBeGreaterThan(0);
		expect(result.non2xx).toBe(0);
	});
});
