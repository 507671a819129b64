// docs/sync.md's change-feed follower, run as written (bash, curl, jq) against the real Worker, with an
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

/** The follower loop of docs/sync.md, exactly as the page shows it. */
function documentedLoop(): string {
	const page = readFileSync(`${root}docs/sync.md`, "utf8");
	const section = page.slice(page.indexOf("## Following the change feed"));
	const match = /```sh\n([\s\S]*?)```/.exec(section);
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
		// The importer: reads the page's events; the first time, fails without applying any of them.
		const importer = join(dir, "importer.sh");
		writeFileSync(
			importer,
			`#!/usr/bin/env bash
set -euo pipefail
events=$(cat)
if [ ! -e "${failedOnce}" ]; then touch "${failedOnce}"; exit 1; fi
printf '%s\\n' "$events" | jq -r '.id' >> "${imported}"
`,
			{ mode: 0o755 },
		);
		// Only the importer's name and the poll interval change; everything else runs as documented.
		const script = documentedLoop()
			.replaceAll("your-importer", `"${importer}"`)
			.replaceAll("sleep 10", "sleep 0.3");
		let follower: ChildProcess | undefined;
		try {
			follower = spawn("bash", ["-c", script], {
				cwd: dir,
				env: {
					...process.env,
					WORKER: worker.url.href.replace(/\/$/, ""),
					AUTH: `Authorization: Bearer ${ADMIN_TOKEN}`,
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
