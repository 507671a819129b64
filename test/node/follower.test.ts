// docs/sync.md's change-feed follower (follow.mjs, plain Node), run as written against the real Worker, with an
// importer that fails once: the cursor must not move past a page that was not applied, and every event
// must end up applied.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "./support/worker";

const root = fileURLToPath(new URL("../..", import.meta.url));
const ADMIN_TOKEN = "admin-token-for-follower-tests-0123456789";
let worker: RunningWorker;
let dir: string;

beforeAll(async () => {
	// The follower is fed unsigned callbacks, as under `npm start`.
	worker = await startWorker({ secrets: { ADMIN_TOKEN }, vars: { ALLOW_UNSIGNED_CALLBACKS: "true" } });
	dir = mkdtempSync(join(tmpdir(), "follower-"));
});
afterAll(async () => {
	await worker?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The follower of docs/sync.md (follow.mjs), exactly as the page shows it. */
function documentedLoop(): string {
	const page = readFileSync(`${root}docs/sync.md`, "utf8");
	const section = page.slice(page.indexOf("## Following the change feed"));
	const match = /```js\n([\s\S]*?)```/.exec(section);
	if (!match?.[1]) throw new Error("docs/sync.md has no follower loop");
	return match[1];
}

async function sendEvent(i: number): Promise<void> {
	const params = new URLSearchParams({
		SdkAppid: "1400000000",
		CallbackCommand: "Group.CallbackAfterCreateTopic",
		contenttype: "json",
		ClientIP: "127.0.0.1",
		OptPlatform: "RESTAPI",
	});
	const response = await worker.fetch(`/?${params}`, {
		method: "POST",
		body: JSON.stringify({
			CallbackCommand: "Group.CallbackAfterCreateTopic",
			GroupId: "@TGS#follow",
			TopicId: `@TGS#follow@TOPIC#_${i}`,
			Operator_Account: "leckie",
			Type: "Community",
			Name: `Topic ${i}`,
		}),
	});
	expect(response.status).toBe(200);
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (condition()) return true;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	return condition();
}

describe("docs/sync.md follower loop", () => {
	it("replays a page its importer failed on, and applies every event", async () => {
		for (let i = 1; i <= 5; i++) await sendEvent(i);
		const imported = join(dir, "imported");
		const failedOnce = join(dir, "failed-once");
		// The importer: reads the page's events (a JSON object a line); the first time, fails without applying
		// any of them.
		const importer = join(dir, "importer.mjs");
		writeFileSync(
			importer,
			`import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
const events = readFileSync(0, "utf8").split("\\n").filter(Boolean).map((line) => JSON.parse(line));
if (!existsSync(${JSON.stringify(failedOnce)})) { writeFileSync(${JSON.stringify(failedOnce)}, ""); process.exit(1); }
for (const event of events) appendFileSync(${JSON.stringify(imported)}, \`\${event.id}\\n\`);
`,
		);
		// Only the poll interval changes; everything else runs as documented, as `node follow.mjs <importer>`.
		const follow = join(dir, "follow.mjs");
		const documented = documentedLoop();
		expect(documented).toContain("const POLL_MS = 10_000;");
		writeFileSync(follow, documented.replace("const POLL_MS = 10_000;", "const POLL_MS = 300;"));
		let follower: ChildProcess | undefined;
		try {
			follower = spawn(process.execPath, [follow, process.execPath, importer], {
				cwd: dir,
				env: {
					...process.env,
					WORKER: worker.url.href.replace(/\/$/, ""),
					ADMIN_TOKEN,
				},
				stdio: "ignore",
				detached: true,
			});
			const lines = () => (existsSync(imported) ? readFileSync(imported, "utf8").trim().split("\n") : []);
			expect(await until(() => lines().length >= 5, 30_000)).toBe(true);
			expect(existsSync(failedOnce)).toBe(true);
			await sendEvent(6);
			expect(await until(() => lines().length >= 6, 30_000)).toBe(true);
			const ids = lines().map(Number);
			expect(ids).toEqual([...ids].sort((a, b) => a - b));
			expect(new Set(ids).size).toBe(6);
			// The cursor follows once the page is applied (the importer finishes before the loop saves it).
			const cursor = () =>
				existsSync(join(dir, "cursor")) ? Number(readFileSync(join(dir, "cursor"), "utf8")) : 0;
			expect(await until(() => cursor() === ids.at(-1), 10_000)).toBe(true);
		} finally {
			if (follower?.pid) process.kill(-follower.pid, "SIGKILL");
		}
	});
});
