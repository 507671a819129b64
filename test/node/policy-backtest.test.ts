// `npm run policy -- backtest FILE`: the live topics of a local D1 (wrangler's own migrations and execute, in
// a temporary state folder) that a draft policy refuses, read page by page.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "policy-backtest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" };

function wrangler(...args: string[]) {
	return exec("npx", ["--no-install", "wrangler", ...args, "--local", "--persist-to", dir], {
		cwd: root,
		env,
	});
}

describe("npm run policy -- backtest", () => {
	it("lists the live topics of local D1 whose name the draft refuses, with the rule, and a count", async () => {
		await wrangler("d1", "migrations", "apply", "DB");
		await wrangler(
			"d1",
			"execute",
			"DB",
			"--command",
			`INSERT INTO topics (topic_id, group_id, name, deleted_at) VALUES
			 ('@TGS#_g@TOPIC#_a', '@TGS#_g', 'Weekly chat', NULL),
			 ('@TGS#_g@TOPIC#_b', '@TGS#_g', 'Casino night', NULL),
			 ('@TGS#_g@TOPIC#_c', '@TGS#_g', 'casino (deleted)', 5),
			 ('@TGS#_g@TOPIC#_d', '@TGS#_g', 'It''s a c4sino', NULL)`,
		);
		const draft = join(dir, "draft.json");
		writeFileSync(draft, JSON.stringify({ names: { banned: ["casino"] } }));
		const { stdout, stderr } = await exec(
			process.execPath,
			["scripts/policy.mjs", "backtest", draft, "--persist-to", dir],
			{ cwd: root, env },
		);
		expect(stdout.trim().split("\n")).toEqual([
			'@TGS#_g@TOPIC#_b\t"Casino night"\tnames.banned[0] "casino"',
			'@TGS#_g@TOPIC#_d\t"It\'s a c4sino"\tnames.banned[0] "casino"',
		]);
		expect(stderr).toContain("2 live topics would be refused (4 topics read");
	});
});
