// The deploy planner (scripts/deploy-plan.mjs) against recorded and faked account states: an empty account,
// a complete one, a partial one, ids wrangler.toml names but the account lacks. The targets come from the real
// wrangler.toml, read by wrangler's own config reader; nothing here calls Cloudflare.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import {
	type Account,
	callbackUrl,
	isPlaceholderId,
	missingSecrets,
	parseQueuesTable,
	parseR2BucketList,
	planDeploy,
	SECRETS,
	type Target,
	targetOf,
	withIds,
} from "../../scripts/deploy-plan.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deploy-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const migrations = readdirSync(join(root, "migrations"))
	.filter((file) => file.endsWith(".sql"))
	.sort();
const options = { migrations };

function state(name: "empty" | "complete" | "partial"): Account {
	return JSON.parse(readFileSync(join(root, "test/node/deploy-states", `${name}.json`), "utf8"));
}

/** The complete account with every migration of the tree applied (the recording lists those of its day). */
function complete(): Account {
	const account = state("complete");
	account.appliedMigrations["tencent-chat-webhooks-staging"] = [...migrations];
	return account;
}

function target(configFile: string, env?: string): Target {
	return targetOf(unstable_readConfig({ config: configFile, env }, { hideWarnings: true }), env);
}

/** A copy of wrangler.toml in the temporary folder (paths in it resolve against the copy's folder). */
function tomlCopy(name: string, text = readFileSync(join(root, "wrangler.toml"), "utf8")): string {
	const file = join(dir, `${name}.toml`);
	writeFileSync(file, text);
	return file;
}

const staging = target(join(root, "wrangler.toml"), "staging");
const kinds = (steps: { kind: string }[]) => steps.map((step) => step.kind);

describe("deploy plan", () => {
	it("reads the staging target from wrangler.toml: every queue, dead-letter queues included, and no ids", () => {
		expect(staging.worker).toBe("tencent-chat-topic-webhooks-staging");
		expect([...staging.queues].sort()).toEqual([
			"tencent-chat-enforcement-staging",
			"tencent-chat-enforcement-staging-dlq",
			"tencent-chat-events-staging",
			"tencent-chat-events-staging-dlq",
		]);
		expect(staging.kv).toEqual([
			{ binding: "POLICY", id: null, title: "tencent-chat-topic-webhooks-staging-policy" },
		]);
		expect(staging.d1.map((db) => [db.name, db.id])).toEqual([["tencent-chat-webhooks-staging", null]]);
		expect(staging.r2).toEqual([{ binding: "ARCHIVE", name: "tencent-chat-archive-staging" }]);
	});

	it("creates everything in an empty account, then writes ids, migrates, pushes the policy and deploys", () => {
		const plan = planDeploy(staging, state("empty"), options);
		expect(plan.problems).toEqual([]);
		expect(kinds(plan.steps)).toEqual([
			...Array(7).fill("create"),
			"write-ids",
			"migrate",
			"policy",
			"deploy",
		]);
		const commands = plan.steps.map((step) => step.command?.join(" "));
		for (const queue of staging.queues) expect(commands).toContain(`npx wrangler queues create ${queue}`);
		expect(commands).toContain("npx wrangler r2 bucket create tencent-chat-archive-staging");
		expect(commands).toContain("npx wrangler d1 create tencent-chat-webhooks-staging");
		// No --env: wrangler would put "staging-" before the title, and the next run would not find it.
		expect(commands).toContain("npx wrangler kv namespace create tencent-chat-topic-webhooks-staging-policy");
		expect(plan.steps.find((step) => step.kind === "write-ids")?.ids?.map((entry) => entry.id)).toEqual([
			null,
			null,
		]);
		const migrate = plan.steps.find((step) => step.kind === "migrate");
		expect(migrate?.command?.join(" ")).toBe("npx wrangler d1 migrations apply DB --remote --env staging");
		for (const file of migrations) expect(migrate?.what).toContain(file);
		expect(plan.steps.find((step) => step.kind === "policy")?.command?.join(" ")).toBe(
			"npm run policy -- push examples/policy.json --remote --env staging",
		);
		expect(plan.steps.at(-1)?.command?.join(" ")).toBe("npx wrangler deploy --env staging");
		expect(plan.missingSecrets.map((secret) => secret.name)).toEqual([
			"CALLBACK_TOKEN",
			"ADMIN_TOKEN",
			"TENCENT_SECRET_KEY",
		]);
	});

	it("creates nothing in a complete account: writes the ids found by name into wrangler.toml, then deploys", () => {
		const plan = planDeploy(staging, complete(), options);
		expect(kinds(plan.steps)).toEqual(["write-ids", "deploy"]);
		expect(plan.steps[0]?.ids).toEqual([
			{
				section: "kv_namespaces",
				binding: "POLICY",
				field: "id",
				id: "5f0c1d2e3a4b4c6d8e9fa0b1c2d3e4f5",
				of: "tencent-chat-topic-webhooks-staging-policy",
			},
			{
				section: "d1_databases",
				binding: "DB",
				field: "database_id",
				id: "7d3f2c1b-0a9e-4d8c-b7a6-5f4e3d2c1b0a",
				of: "tencent-chat-webhooks-staging",
			},
		]);
		expect(plan.missingSecrets).toEqual([]);
	});

	it("a second run, with the ids written, changes nothing but the code", () => {
		const first = planDeploy(staging, complete(), options);
		const ids = first.steps[0]?.ids?.map((entry) => ({ ...entry, id: entry.id ?? "" })) ?? [];
		const original = readFileSync(join(root, "wrangler.toml"), "utf8");
		const written = withIds(original, "staging", ids);
		expect(written).not.toBe(original);
		expect(withIds(written, "staging", ids)).toBe(written);
		const second = target(tomlCopy("second-run", written), "staging");
		expect(second.kv[0]?.id).toBe("5f0c1d2e3a4b4c6d8e9fa0b1c2d3e4f5");
		expect(second.d1[0]?.id).toBe("7d3f2c1b-0a9e-4d8c-b7a6-5f4e3d2c1b0a");
		const plan = planDeploy(second, complete(), options);
		expect(plan.steps.map((step) => step.command?.join(" "))).toEqual(["npx wrangler deploy --env staging"]);
		// The other targets keep what they had: production still has no ids, the top level its placeholders.
		const production = target(tomlCopy("second-run-production", written), "production");
		expect([production.kv[0]?.id, production.d1[0]?.id]).toEqual([null, null]);
		const top = target(tomlCopy("second-run-top", written));
		expect(isPlaceholderId(top.kv[0]?.id)).toBe(true);
		expect(written.split("\n").filter((line) => line.startsWith("#"))).toEqual(
			original.split("\n").filter((line) => line.startsWith("#")),
		);
	});

	it("creates only what a partial account lacks and applies only the pending migrations", () => {
		const plan = planDeploy(staging, state("partial"), options);
		expect(plan.problems).toEqual([]);
		expect(
			plan.steps.filter((step) => step.kind === "create").map((step) => step.command?.join(" ")),
		).toEqual([
			"npx wrangler queues create tencent-chat-enforcement-staging",
			"npx wrangler queues create tencent-chat-enforcement-staging-dlq",
			"npx wrangler r2 bucket create tencent-chat-archive-staging",
		]);
		const migrate = plan.steps.find((step) => step.kind === "migrate")?.what ?? "";
		const applied = state("partial").appliedMigrations["tencent-chat-webhooks-staging"] ?? [];
		for (const file of migrations) {
			if (applied.includes(file)) expect(migrate).not.toContain(file);
			else expect(migrate).toContain(file);
		}
		expect(migrate).toContain("0006_create_policy_versions.sql");
		expect(kinds(plan.steps).slice(-2)).toEqual(["policy", "deploy"]);
		expect(plan.missingSecrets.map((secret) => secret.name)).toEqual(["ADMIN_TOKEN", "TENCENT_SECRET_KEY"]);
	});

	it("pushes no policy where KV has one, and one where the namespace is new or has none", () => {
		const account = complete();
		expect(kinds(planDeploy(staging, account, options).steps)).not.toContain("policy");
		account.policyPresent["5f0c1d2e3a4b4c6d8e9fa0b1c2d3e4f5"] = false;
		expect(kinds(planDeploy(staging, account, options).steps)).toContain("policy");
		delete account.policyPresent["5f0c1d2e3a4b4c6d8e9fa0b1c2d3e4f5"];
		const unread = planDeploy(staging, account, { ...options, policyFile: "my-policy.json" });
		expect(unread.steps.find((step) => step.kind === "policy")?.command).toContain("my-policy.json");
	});

	it("refuses an id wrangler.toml names that the account does not have, instead of creating another", () => {
		const ids = [
			{ section: "kv_namespaces", binding: "POLICY", field: "id", id: "9999999999999999999999999999aaaa" },
			{
				section: "d1_databases",
				binding: "DB",
				field: "database_id",
				id: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
			},
		];
		const stale = target(
			tomlCopy("stale", withIds(readFileSync(join(root, "wrangler.toml"), "utf8"), "staging", ids)),
			"staging",
		);
		const plan = planDeploy(stale, complete(), options);
		expect(plan.problems).toHaveLength(2);
		expect(plan.problems[0]).toMatch(
			/KV namespace 9999999999999999999999999999aaaa \(POLICY, \[env\.staging\]/,
		);
		// The production database's id under staging's binding: the names disagree.
		expect(plan.problems[1]).toMatch(
			/named "tencent-chat-webhooks-production", not "tencent-chat-webhooks-staging"/,
		);
		expect(kinds(plan.steps)).not.toContain("create");
	});

	it("treats the top level's all-zero ids as placeholders and writes the real ids over them", () => {
		const topFile = join(root, "wrangler.toml");
		const top = target(topFile);
		expect(top.worker).toBe("tencent-chat-topic-webhooks");
		const account: Account = {
			...state("empty"),
			kvNamespaces: [{ id: "c0ffee00c0ffee00c0ffee00c0ffee00", title: "tencent-chat-topic-webhooks-policy" }],
			d1Databases: [{ uuid: "2b7e1516-28ae-4d2a-abf7-158809cf4f3c", name: "tencent-chat-webhooks" }],
		};
		const plan = planDeploy(top, account, options);
		expect(plan.problems).toEqual([]);
		const creates = plan.steps
			.filter((step) => step.kind === "create")
			.map((step) => step.command?.join(" "));
		expect(creates.some((command) => / kv namespace | d1 create /.test(command ?? ""))).toBe(false);
		const ids = plan.steps.find((step) => step.kind === "write-ids")?.ids ?? [];
		const written = withIds(
			readFileSync(topFile, "utf8"),
			null,
			ids.map((entry) => ({ ...entry, id: entry.id ?? "" })),
		);
		const after = target(tomlCopy("top", written));
		expect(after.kv[0]?.id).toBe("c0ffee00c0ffee00c0ffee00c0ffee00");
		expect(after.d1[0]?.id).toBe("2b7e1516-28ae-4d2a-abf7-158809cf4f3c");
		expect(target(tomlCopy("top-staging", written), "staging").kv[0]?.id).toBeNull();
	});

	it("counts TENCENT_SECRET_KEY as set when every SdkAppID has its own key", () => {
		const two = { ...staging, sdkAppIds: ["1400000001", "1400000002"] };
		const base = ["CALLBACK_TOKEN", "ADMIN_TOKEN"];
		const names = (secrets: string[] | null) => missingSecrets(two, secrets).map((secret) => secret.name);
		expect(names([...base, "TENCENT_SECRET_KEY_1400000001", "TENCENT_SECRET_KEY_1400000002"])).toEqual([]);
		expect(names([...base, "TENCENT_SECRET_KEY_1400000001"])).toEqual(["TENCENT_SECRET_KEY"]);
		expect(names([...base, "TENCENT_SECRET_KEY"])).toEqual([]);
		expect(names([...base, "CALLBACK_TOKEN_PREVIOUS"])).toEqual(["TENCENT_SECRET_KEY"]);
	});

	it("knows every secret the Worker reads (src/config.ts), and none of them is a wrangler.toml var", () => {
		const source = readFileSync(join(root, "src/config.ts"), "utf8");
		const variables = [...source.matchAll(/^\t([A-Z][A-Z0-9_]+): /gm)].map((match) => match[1]);
		const secretSchemas = [...source.matchAll(/^\t([A-Z][A-Z0-9_]+): secret\(/gm)].map((match) => match[1]);
		expect(secretSchemas.length).toBeGreaterThan(0);
		const names = SECRETS.map((secret) => secret.name);
		for (const name of secretSchemas) expect(names).toContain(name);
		for (const name of names) expect(variables).toContain(name);
		const vars = unstable_readConfig(
			{ config: join(root, "wrangler.toml"), env: "staging" },
			{ hideWarnings: true },
		).vars;
		for (const name of names) expect(Object.keys(vars)).not.toContain(name);
	});

	it("reads wrangler's r2 bucket list and queues list outputs (recorded)", () => {
		const r2 = `Listing buckets...\nname:           tencent-chat-archive-staging\ncreation_date:  2026-11-30T09:12:44.120Z\n\nname:           \u001b[90mphotos\u001b[39m\ncreation_date:  2026-10-02T17:01:05.777Z\n`;
		expect(parseR2BucketList(r2)).toEqual(["tencent-chat-archive-staging", "photos"]);
		const queues = [
			"┌──────────────────────────────────┬─────────────────────────────────┬─────────────────────────────┬─────────────────────────────┬───────────┬───────────┐",
			"│ id                               │ name                            │ created_on                  │ modified_on                 │ producers │ consumers │",
			"├──────────────────────────────────┼─────────────────────────────────┼─────────────────────────────┼─────────────────────────────┼───────────┼───────────┤",
			"│ 6b1f0e0c1e2d4a4f9b8a7c6d5e4f3a2b │ tencent-chat-events-staging     │ 2026-11-30T09:12:40.000000Z │ 2026-11-30T09:12:40.000000Z │ 1         │ 1         │",
			"├──────────────────────────────────┼─────────────────────────────────┼─────────────────────────────┼─────────────────────────────┼───────────┼───────────┤",
			"│ 0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f │ tencent-chat-events-staging-dlq │ 2026-11-30T09:12:41.000000Z │ 2026-11-30T09:12:41.000000Z │ 0         │ 0         │",
			"└──────────────────────────────────┴─────────────────────────────────┴─────────────────────────────┴─────────────────────────────┴───────────┴───────────┘",
		].join("\n");
		expect(parseQueuesTable(queues)).toEqual([
			"tencent-chat-events-staging",
			"tencent-chat-events-staging-dlq",
		]);
		expect(parseQueuesTable("")).toEqual([]);
	});

	it("chooses the workers.dev address among the deploy's targets as the callback URL", () => {
		expect(callbackUrl(["webhooks.example.com/*", "https://w.acme.workers.dev"], "w")).toBe(
			"https://w.acme.workers.dev/",
		);
		expect(callbackUrl(["webhooks.example.com"], "w")).toBe("https://webhooks.example.com/");
		expect(callbackUrl([], "w")).toBe("https://w.<your-subdomain>.workers.dev/");
	});

	it("writes an id into the binding's table of the named environment only, and refuses a missing table", () => {
		const text = readFileSync(join(root, "wrangler.toml"), "utf8");
		const entry = { section: "kv_namespaces", binding: "POLICY", field: "id", id: "abc" };
		const written = withIds(text, "production", [entry]);
		expect(written.split("\n").length).toBe(text.split("\n").length + 1);
		expect(target(tomlCopy("production-only", written), "production").kv[0]?.id).toBe("abc");
		expect(target(tomlCopy("production-only-staging", written), "staging").kv[0]?.id).toBeNull();
		expect(() => withIds(text, "nowhere", [entry])).toThrow(/\[\[env\.nowhere\.kv_namespaces\]\]/);
		expect(() => withIds(text, "staging", [{ ...entry, binding: "OTHER" }])).toThrow(/binding = "OTHER"/);
	});
});
