// `npm run deploy -- --dry-run`: the plan printed for a recorded account state (--state-file) and for an empty
// account, with wrangler pointed at a local server standing in for Cloudflare's API, which must see no request.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScript } from "./support/script";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deploy-cli-"));
const requests: string[] = [];
let server: Server;
let apiBase = "";

beforeAll(async () => {
	server = createServer((request, response) => {
		requests.push(`${request.method} ${request.url}`);
		response.writeHead(400, { "content-type": "application/json" });
		response.end('{"success":false,"errors":[{"code":1,"message":"no Cloudflare here"}]}');
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
});
afterAll(async () => {
	await new Promise((resolve) => server.close(resolve));
	rmSync(dir, { recursive: true, force: true });
});

function deploy(...args: string[]) {
	return runScript("scripts/deploy.mjs", args, {
		...process.env,
		HOME: dir,
		CLOUDFLARE_API_BASE_URL: apiBase,
		CLOUDFLARE_API_TOKEN: "not-a-token",
		CLOUDFLARE_ACCOUNT_ID: "0123456789abcdef0123456789abcdef",
		WRANGLER_SEND_METRICS: "false",
	});
}

/** The recorded complete account, with every migration of the tree applied, as a state file. */
function completeStateFile(): string {
	const state = JSON.parse(readFileSync(join(root, "test/node/deploy-states/complete.json"), "utf8"));
	state.appliedMigrations["tencent-chat-webhooks-staging"] = readdirSync(join(root, "migrations")).filter(
		(file) => file.endsWith(".sql"),
	);
	const file = join(dir, "complete.json");
	writeFileSync(file, JSON.stringify(state));
	return file;
}

// Each run is a Node process of its own; they run side by side.
describe.concurrent("npm run deploy -- --dry-run", () => {
	it("plans every create, the migrations, the policy and the deploy for an empty account", async () => {
		const { code, out } = await deploy(
			"--env",
			"staging",
			"--dry-run",
			"--state-file",
			"test/node/deploy-states/empty.json",
		);
		expect(code).toBe(0);
		expect(out).toContain("Plan for the Worker tencent-chat-topic-webhooks-staging (--env staging):");
		for (const queue of ["events", "events-staging-dlq", "enforcement", "enforcement-staging-dlq"])
			expect(out).toMatch(new RegExp(`npx wrangler queues create tencent-chat-${queue}`));
		expect(out).toContain("npx wrangler kv namespace create tencent-chat-topic-webhooks-staging-policy\n");
		expect(out).toContain("npx wrangler d1 create tencent-chat-webhooks-staging\n");
		expect(out).toContain("npx wrangler r2 bucket create tencent-chat-archive-staging\n");
		expect(out).toContain("npx wrangler d1 migrations apply DB --remote --env staging");
		expect(out).toContain("npm run policy -- push examples/policy.json --remote --env staging");
		expect(out).toMatch(
			/\d+\. deploy the Worker tencent-chat-topic-webhooks-staging\n +npx wrangler deploy --env staging/,
		);
		expect(out).toContain("https://tencent-chat-topic-webhooks-staging.<your-subdomain>.workers.dev/");
		expect(out).toMatch(/Secrets still missing[^\n]*--env staging\):\n {2}CALLBACK_TOKEN: /);
		expect(requests).toEqual([]);
	});

	it("plans only the ids and the deploy for a complete account", async () => {
		const { code, out } = await deploy("--env", "staging", "--dry-run", "--state-file", completeStateFile());
		expect(code).toBe(0);
		expect(out).toContain("Everything the Worker binds exists already.");
		expect(out).not.toMatch(/ create |migration|policy -- push/);
		expect(out).toContain(
			"1. write the ids of POLICY (tencent-chat-topic-webhooks-staging-policy = 5f0c1d2e",
		);
		expect(out).toContain("2. deploy the Worker tencent-chat-topic-webhooks-staging");
		expect(out).toContain("Secrets: none missing.");
		expect(requests).toEqual([]);
	});

	it("plans the top level (no --env) for an empty account, and says so, without a state file", async () => {
		const { code, out } = await deploy("--dry-run");
		expect(code).toBe(0);
		expect(out).toContain("No --state-file: planning for an empty account");
		expect(out).toContain("Plan for the Worker tencent-chat-topic-webhooks (top level):");
		expect(out).toContain("npx wrangler d1 create tencent-chat-webhooks\n");
		expect(out).toMatch(/npx wrangler deploy\n/);
		expect(out).not.toContain("--env");
		expect(requests).toEqual([]);
	});

	it("refuses an unknown environment, a state file without --dry-run and an unknown option (exit 2)", async () => {
		const unknown = await deploy("--env", "stagin", "--dry-run");
		expect(unknown.code).toBe(2);
		expect(unknown.err).toContain(
			'wrangler.toml has no environment "stagin" (its environments: staging, production)',
		);
		const stateOnly = await deploy("--state-file", "test/node/deploy-states/empty.json");
		expect(stateOnly.code).toBe(2);
		expect(stateOnly.err).toContain("--state-file only plans");
		const option = await deploy("--dryrun");
		expect(option.code).toBe(2);
		expect(option.err).toContain("usage: npm run deploy");
		expect(requests).toEqual([]);
	});
});

describe("npm run deploy -- --save-state", () => {
	// The stand-in for Cloudflare is reachable: reading the account state goes to it (and fails there).
	it("--save-state reads the account through wrangler, which the stand-in answers with an error", async () => {
		const { code, err } = await deploy("--env", "staging", "--save-state", join(dir, "saved.json"));
		expect(code).toBe(1);
		expect(err).toContain("wrangler kv namespace list failed");
		expect(requests.some((request) => request.includes("/storage/kv/namespaces"))).toBe(true);
	});

	it("--help explains the command", async () => {
		const { code, out } = await deploy("--help");
		expect(code).toBe(0);
		expect(out).toContain("usage: npm run deploy -- [--env NAME] [--dry-run]");
	});
});
