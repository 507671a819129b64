// The README's commands as a newcomer types them: every line of its shell blocks that runs locally is run here,
// as written and in order, in a fresh copy of the project (so `npm start` gets its own .wrangler/state and no
// .dev.vars): `npm start` in the background, then the rest against it. `npm install` is what set this machine
// up; the lines that need a Cloudflare account are named and left out.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const copy = mkdtempSync(join(tmpdir(), "readme-commands-"));
let port = 0;
let start: ChildProcess | undefined;
let startLog = "";

/** Every command line of the README's ```sh blocks, without comment-only and empty lines. */
function shellLines(markdown: string): string[] {
	const lines: string[] = [];
	let inShell = false;
	for (const line of markdown.split("\n")) {
		if (line.startsWith("```")) inShell = line === "```sh";
		else if (inShell && line.trim() !== "" && !line.trimStart().startsWith("#")) lines.push(line.trim());
	}
	return lines;
}

/** Lines that act on a Cloudflare account: logging in, --remote, and a real deploy. */
function needsCloudflare(line: string): boolean {
	return (
		/--remote\b|\bwrangler login\b|\bsecret put\b/.test(line) ||
		(/^npm run deploy\b/.test(line) && !line.includes("--dry-run"))
	);
}

/** The statements of the README's ```sql blocks. */
function sqlBlocks(markdown: string): string[] {
	return [...markdown.matchAll(/^```sql\n([\s\S]*?)^```$/gm)].map((match) => (match[1] ?? "").trim());
}

const readme = readFileSync(join(root, "README.md"), "utf8");
const lines = shellLines(readme);
const local = lines.filter((line) => !needsCloudflare(line) && line !== "npm install");

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port: free } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return free;
}

beforeAll(async () => {
	cpSync(root, copy, {
		recursive: true,
		filter: (source) => !/[\\/](node_modules|\.git|\.wrangler|test-results)$|[\\/]\.dev\.vars$/.test(source),
	});
	symlinkSync(join(root, "node_modules"), join(copy, "node_modules"), "dir");
	port = await freePort();
});

afterAll(async () => {
	if (start?.pid !== undefined && start.exitCode === null) {
		const exited = new Promise((resolve) => start?.once("exit", resolve));
		process.kill(-start.pid, "SIGTERM");
		await exited;
	}
	rmSync(copy, { recursive: true, force: true });
});

/** Runs one README line as written through bash in the copy; `npm start` goes to the background. */
async function runLine(line: string): Promise<{ status: number; output: string }> {
	const env = { ...process.env, PORT: String(port), WRANGLER_SEND_METRICS: "false" };
	if (line.startsWith("npm start")) {
		start = spawn("bash", ["-c", line], {
			cwd: copy,
			env,
			detached: true,
			stdio: ["ignore", "pipe", "pipe"],
		});
		start.stdout?.on("data", (chunk) => {
			startLog += chunk;
		});
		start.stderr?.on("data", (chunk) => {
			startLog += chunk;
		});
		// Ready when /healthz answers; bounded, and failing with npm start's own output.
		for (let attempt = 0; attempt < 600; attempt++) {
			if (start.exitCode !== null) return { status: start.exitCode, output: startLog };
			const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
				(response) => response.status < 500,
				() => false,
			);
			if (ok) return { status: 0, output: startLog };
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		return { status: 1, output: `npm start did not answer within 120 s:\n${startLog}` };
	}
	const result = spawnSync("bash", ["-c", line], { cwd: copy, env, encoding: "utf8", timeout: 120_000 });
	return { status: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

describe("the README's commands", () => {
	it("leaves out only npm install and the lines that need a Cloudflare account", () => {
		expect(lines).toContain("npm install");
		const left = lines.filter((line) => !local.includes(line));
		expect(left.filter((line) => line !== "npm install").every(needsCloudflare)).toBe(true);
		expect(left.some((line) => line.startsWith("npm run deploy -- --env staging"))).toBe(true);
		expect(local.some((line) => line.startsWith("npm start"))).toBe(true);
		expect(local.some((line) => line.startsWith("npx wrangler d1 execute DB --local"))).toBe(true);
	});

	it("run as written, in order, in a fresh copy: npm start, the sample callbacks, D1, its SQL and the policy CLI", async () => {
		const outputs = new Map<string, string>();
		for (const line of local) {
			let { status, output } = await runLine(line);
			// Decision rows are written in batches after the answer: ask again (bounded) until the refusal is there.
			for (
				let again = 0;
				again < 10 && line.includes("FROM decisions") && !output.includes("casino");
				again++
			)
				({ status, output } = await runLine(line));
			expect({ line, status, output: status === 0 ? "" : output }).toEqual({ line, status: 0, output: "" });
			outputs.set(line, output);
		}
		const find = (prefix: string, text: string) =>
			[...outputs].find(([line]) => line.startsWith(prefix) && line.includes(text))?.[1] ?? "";
		// The SQL recipes, on the database npm start migrated (through the README's own d1 command).
		const recipes = sqlBlocks(readme);
		expect(recipes.length).toBeGreaterThan(0);
		for (const sql of recipes) {
			const { status, output } = await runLine(
				`npx wrangler d1 execute DB --local --command ${JSON.stringify(sql.replace(/\s+/g, " "))}`,
			);
			expect({ sql, status, output: status === 0 ? "" : output }).toEqual({ sql, status: 0, output: "" });
		}
		expect(find("npm start", "")).toContain("Put examples/policy.json into local KV");
		expect(find("npm run send -- BeforeCreateTopic", "Book club")).toMatch(
			/← 200 \{"ActionStatus":"OK","ErrorCode":0/,
		);
		expect(find("npm run send -- BeforeCreateTopic", "Casino night")).toMatch(/refused \(ErrorCode 1\)/);
		expect(find("npx wrangler d1 execute DB --local", "FROM topics")).toContain(
			"@TGS#_@TGS#2J4SZEAEL@TOPIC#_bookclub",
		);
		expect(find("npx wrangler d1 execute DB --local", "FROM decisions")).toContain(
			'names.banned[0] \\"casino\\"',
		);
		expect(find("npm run policy -- check", "")).toContain("examples/policy.json: valid policy");
		expect(find("npm run policy -- test-name", "")).toContain('"c4s1no night": refused (ErrorCode 1)');
	}, 300_000); // about twenty wrangler and npm starts, one after another
});
