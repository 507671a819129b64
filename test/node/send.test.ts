// `npm run send` against the real Worker over a socket: the README's first minute as written, every sample
// body of examples/callbacks, and the signing (a wrong token is refused, with exit status 1).
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript } from "./support/script";
import { type RunningWorker, startWorker } from "./support/worker";

const root = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);
const CALLBACK_TOKEN = "callback-token-for-send-tests";
const ADMIN_TOKEN = "admin-token-for-send-tests-0123456789";
let worker: RunningWorker;

beforeAll(async () => {
	worker = await startWorker({
		secrets: { CALLBACK_TOKEN, ADMIN_TOKEN },
		policyKv: { policy: readFileSync(`${root}examples/policy.json`, "utf8") },
	});
});
afterAll(async () => {
	await worker?.stop();
});

/** Runs `npm run send -- …args` (as node scripts/send.mjs) with the token in the environment. */
async function send(args: string[], token = CALLBACK_TOKEN) {
	const { code, out, err } = await runScript("scripts/send.mjs", [...args, "--url", worker.url.href], {
		...process.env,
		CALLBACK_TOKEN: token,
	});
	return { code, stdout: code === 0 ? out : `${out}${err}` };
}

async function api<T>(path: string): Promise<T> {
	const response = await worker.fetch(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
	expect(response.status).toBe(200);
	return (await response.json()) as T;
}

describe("npm run send", () => {
	it("runs the README's first minute: a signed create, a refused create, both visible through /api", async () => {
		const readme = readFileSync(`${root}README.md`, "utf8");
		const lines = readme
			.split("\n")
			.filter((line) => line.startsWith("npm run send -- ") && !line.includes("--help"));
		expect(lines.length).toBeGreaterThanOrEqual(3);
		const answers = [];
		for (const line of lines) {
			// The README's shell words, without its trailing comment, through bash itself.
			const { stdout } = await run(
				"bash",
				[
					"-c",
					`${line.replace(/^npm run send -- /, `"${process.execPath}" scripts/send.mjs `).replace(/\s+#.*$/, "")} --url "$URL"`,
				],
				{ cwd: root, env: { ...process.env, CALLBACK_TOKEN, URL: worker.url.href } },
			);
			answers.push(stdout);
		}
		expect(answers[0]).toMatch(/← 200 \{"ActionStatus":"OK","ErrorCode":0/);
		expect(answers.some((a) => /refused \(ErrorCode 1\)/.test(a))).toBe(true);

		const topics = await api<{ topics: { topic_id: string; name: string }[] }>(
			`/api/groups/${encodeURIComponent("@TGS#2J4SZEAEL")}/topics`,
		);
		expect(topics.topics).toContainEqual(
			expect.objectContaining({ topic_id: "@TGS#_@TGS#2J4SZEAEL@TOPIC#_bookclub", name: "Book club" }),
		);
		// The decision log is written in batches after the answer: wait (bounded) for the batch to land.
		let refused = { decisions: [] as { name: string; rule: string }[] };
		for (let attempt = 0; attempt < 50 && refused.decisions.length === 0; attempt++) {
			if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
			refused = await api<{ decisions: { name: string; rule: string }[] }>("/api/decisions?allowed=false");
		}
		expect(refused.decisions).toContainEqual(
			expect.objectContaining({ name: "Casino night", rule: 'names.banned[0] "casino"' }),
		);
	});

	it.each(readdirSync(`${root}examples/callbacks`).map((file) => file.replace(/\.json$/, "")))(
		"sends the %s sample signed, and the Worker accepts it",
		async (command) => {
			const { code, stdout } = await send([command]);
			expect(stdout).toContain("(signed, SdkAppid 1400000000)");
			expect(stdout).toMatch(/← 200 \{"ActionStatus":"OK","ErrorCode":0/);
			expect(code).toBe(0);
		},
	);

	it("is refused with 401 and exits 1 when the token is wrong", async () => {
		const { code, stdout } = await send(["AfterCreateTopic"], "not-the-token");
		expect(stdout).toMatch(/← 401 /);
		expect(code).toBe(1);
	});

	it("answers a usage error with exit status 2 and the known commands", async () => {
		const { code, stdout } = await send(["NoSuchCommand"]);
		expect(code).toBe(2);
		expect(stdout).toContain("Group.CallbackBeforeCreateTopic");
	});
});
