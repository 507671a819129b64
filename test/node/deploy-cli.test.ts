// `npm run deploy`: --dry-run prints the plan for a recorded account state (--state-file) and for an empty account
// with wrangler pointed at a local stand-in for Cloudflare's API, which must see no request; --save-state reads an
// account through wrangler's own list commands from that stand-in.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Account } from "../../scripts/deploy-plan.mjs";
import { runScript } from "./support/script";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deploy-cli-"));

/**
 * A stand-in for Cloudflare's API at the network edge, answering wrangler's read calls from the recorded
 * partial account (test/node/deploy-states/partial.json) and recording every request it gets.
 */
const account: Account = JSON.parse(readFileSync(join(root, "test/node/deploy-states/partial.json"), "utf8"));
const standIn = { requests: [] as { method: string; path: string; body: string }[], failing: false };
const requests = () => standIn.requests.map((request) => `${request.method} ${request.path}`);
const created = "2026-11-30T09:12:44.120Z";

/** The `result` Cloudflare's API gives for a path (below /accounts/<id>), or undefined for an unknown one. */
function result(path: string, page: number): unknown {
	if (page > 1) return [];
	if (path === "/storage/kv/namespaces") return account.kvNamespaces;
	if (path === "/d1/database")
		return account.d1Databases.map((db) => ({ ...db, created_at: created, version: "production" }));
	if (path === "/r2/buckets")
		return { buckets: account.r2Buckets.map((name) => ({ name, creation_date: created })) };
	if (path === "/queues")
		return account.queues.map((queue_name, index) => ({
			queue_id: `0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5${index}`,
			queue_name,
			created_on: created,
			modified_on: created,
			producers_total_count: 1,
			consumers_total_count: 1,
		}));
	if (/^\/workers\/scripts\/tencent-chat-topic-webhooks-staging\/secrets$/.test(path))
		return (account.secrets ?? []).map((name) => ({ name, type: "secret_text" }));
	const keys = /^\/storage\/kv\/namespaces\/([^/]+)\/keys$/.exec(path);
	if (keys)
		return account.policyPresent[keys[1] ?? ""] ? [{ name: "policy" }] : [{ name: "policy:compiled:0a1b" }];
	const query = /^\/d1\/database\/([^/]+)\/query$/.exec(path);
	const db = account.d1Databases.find((database) => database.uuid === query?.[1]);
	if (db)
		return [
			{
				results: (account.appliedMigrations[db.name] ?? []).map((name) => ({ name })),
				success: true,
				meta: {},
			},
		];
	return undefined;
}

let server: Server;
let apiBase = "";

beforeAll(async () => {
	server = createServer(async (request, response) => {
		let body = "";
		for await (const chunk of request) body += chunk;
		const url = new URL(request.url ?? "/", "http://stand-in");
		standIn.requests.push({ method: request.method ?? "", path: url.pathname, body });
		const path = url.pathname.replace(/^\/client\/v4\/accounts\/[^/]+/, "");
		const answer = standIn.failing ? undefined : result(path, Number(url.searchParams.get("page") ?? "1"));
		response.writeHead(answer === undefined ? 400 : 200, { "content-type": "application/json" });
		response.end(
			answer === undefined
				? JSON.stringify({
						success: false,
						errors: [{ code: 10000, message: `no ${path} here` }],
						messages: [],
					})
				: JSON.stringify({
						success: true,
						errors: [],
						messages: [],
						result: answer,
						result_info: { cursor: "" },
					}),
		);
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
		expect(requests()).toEqual([]);
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
		expect(requests()).toEqual([]);
	});

	it("plans the top level (no --env) for an empty account, and says so, without a state file", async () => {
		const { code, out } = await deploy("--dry-run");
		expect(code).toBe(0);
		expect(out).toContain("No --state-file: planning for an empty account");
		expect(out).toContain("Plan for the Worker tencent-chat-topic-webhooks (top level):");
		expect(out).toContain("npx wrangler d1 create tencent-chat-webhooks\n");
		expect(out).toMatch(/npx wrangler deploy\n/);
		expect(out).not.toContain("--env");
		expect(requests()).toEqual([]);
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
		expect(requests()).toEqual([]);
	});
});

describe("npm run deploy -- --save-state", () => {
	it("reads the account through wrangler's list commands, read-only, into the state --state-file takes", async () => {
		const file = join(dir, "saved.json");
		const { code, out, err } = await deploy("--env", "staging", "--save-state", file);
		expect({ code, err }).toEqual({ code: 0, err: expect.any(String) });
		expect(out).toContain(`wrote the account's state for tencent-chat-topic-webhooks-staging to ${file}`);
		expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(account);
		// Reads only: GETs, and the one D1 query is a SELECT of the migrations table.
		for (const request of standIn.requests)
			if (request.method !== "GET")
				expect(request).toEqual({
					...request,
					method: "POST",
					body: expect.stringMatching(/^\{"sql":"SELECT name FROM d1_migrations/),
				});
		expect(requests()).toContain("GET /client/v4/accounts/0123456789abcdef0123456789abcdef/r2/buckets");
		const planned = await deploy("--env", "staging", "--dry-run", "--state-file", file);
		expect(planned.out).toContain("npx wrangler queues create tencent-chat-enforcement-staging\n");
		// Every migration file the recorded account has not applied yet (the partial account stopped at 0005).
		const applied = account.appliedMigrations["tencent-chat-webhooks-staging"] ?? [];
		const pending = readdirSync(join(root, "migrations")).filter(
			(name) => name.endsWith(".sql") && !applied.includes(name),
		);
		expect(pending.length).toBeGreaterThan(0);
		expect(planned.out).toContain(`apply ${pending.length} migrations to tencent-chat-webhooks-staging`);
	}, 180_000); // nine wrangler processes, two at a time on a loaded machine

	it("stops with wrangler's error when the account cannot be read", async () => {
		standIn.failing = true;
		try {
			const { code, err } = await deploy("--env", "staging", "--save-state", join(dir, "failed.json"));
			expect(code).toBe(1);
			// The reads run side by side: whichever fails first is named.
			expect(err).toMatch(
				/^wrangler (kv namespace list|d1 list|r2 bucket list|queues list|secret list) failed:/m,
			);
		} finally {
			standIn.failing = false;
		}
	});

	it("--help explains the command", async () => {
		const { code, out } = await deploy("--help");
		expect(code).toBe(0);
		expect(out).toContain("usage: npm run deploy -- [--env NAME] [--dry-run]");
	});
});
