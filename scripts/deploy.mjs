#!/usr/bin/env node
// `npm run deploy [-- --env staging|production] [--dry-run] [--state-file FILE] [--save-state FILE]`: one
// command from an empty Cloudflare account to a running Worker, and from a running one to the next version.
// Reads the account with wrangler's list commands, plans with scripts/deploy-plan.mjs (pure), then creates
// what is missing, writes the KV and D1 ids into wrangler.toml, applies the D1 migrations, pushes the example
// policy where KV has none, deploys, and prints the callback URL and the secrets still missing.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { WRANGLER_BIN } from "../tools/lib/wrangler.mjs";
import {
	callbackUrl,
	formatPlan,
	formatSecrets,
	parseQueuesTable,
	parseR2BucketList,
	planDeploy,
	resolveResources,
	targetOf,
	withIds,
} from "./deploy-plan.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const configPath = join(root, "wrangler.toml");

const HELP = `usage: npm run deploy -- [--env NAME] [--dry-run] [--state-file FILE] [--save-state FILE] [--policy FILE]

Deploys the Worker of a wrangler.toml target (the top level, or --env staging / --env production):
creates the queues, R2 bucket, D1 database and KV namespace that do not exist yet, writes the KV and D1
ids into wrangler.toml, applies the pending D1 migrations, pushes the example policy when KV has none,
deploys, then prints the callback URL for Tencent's console and the secrets still missing. A second run
creates nothing and only deploys the code. Log in first: npx wrangler login (or CLOUDFLARE_API_TOKEN).

  --env NAME         a wrangler.toml environment (staging, production); without it the top level
  --dry-run          print the plan and stop; calls nothing (plans for an empty account without --state-file)
  --state-file FILE  plan against the account state recorded in FILE (--save-state) instead of reading it
  --save-state FILE  read the account's state (read-only calls), write it to FILE as JSON and stop
  --policy FILE      the policy pushed to a KV namespace without one (default examples/policy.json)`;

/** An empty account: what --dry-run plans against when no state is given. */
const EMPTY_ACCOUNT = {
	kvNamespaces: [],
	d1Databases: [],
	r2Buckets: [],
	queues: [],
	appliedMigrations: {},
	policyPresent: {},
	secrets: null,
};

function fail(message, code = 1) {
	console.error(message);
	process.exit(code);
}

/** Runs wrangler (the project's own) with `args`; returns its status and output. Never throws. */
function wrangler(args, { inherit = false, env = {}, cwd = root } = {}) {
	const result = spawnSync(WRANGLER_BIN, args, {
		cwd,
		encoding: "utf8",
		env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...env },
		stdio: inherit ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
		maxBuffer: 64 * 1024 * 1024,
	});
	return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** wrangler with `args`, its output piped, without blocking: the account's reads run side by side. */
function wranglerRead(args, { cwd = root } = {}) {
	return new Promise((resolve) => {
		execFile(
			WRANGLER_BIN,
			args,
			{
				cwd,
				encoding: "utf8",
				env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
				maxBuffer: 64 * 1024 * 1024,
			},
			(error, stdout, stderr) =>
				resolve({ status: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
		);
	});
}

/** wrangler's output as JSON (some commands print a banner or a notice before it). */
function jsonOf(result, what) {
	const text = result.stdout;
	const start = text.search(/^[[{]/m);
	if (result.status !== 0 || start === -1)
		fail(`${what} failed:\n${result.stdout}${result.stderr}`.trimEnd());
	try {
		return JSON.parse(text.slice(start));
	} catch {
		fail(`${what} printed no JSON:\n${text}`);
	}
}

async function listed(args, what) {
	const result = await wranglerRead(args);
	if (result.status !== 0) fail(`${what} failed:\n${result.stdout}${result.stderr}`.trimEnd());
	return result.stdout;
}

/** The queue names, page by page until a page brings none that is new. */
async function readQueues() {
	const names = new Set();
	for (let page = 1; page <= 100; page++) {
		const before = names.size;
		for (const name of parseQueuesTable(
			await listed(["queues", "list", "--page", String(page)], "wrangler queues list"),
		))
			names.add(name);
		if (names.size === before) break;
	}
	return [...names];
}

/**
 * The names in a D1 database's migrations table, read with a throwaway config that binds the database by
 * its id (wrangler.toml's top level holds a placeholder id); [] when the table does not exist yet.
 */
async function readAppliedMigrations(target, db) {
	const dir = mkdtempSync(join(tmpdir(), "deploy-d1-"));
	try {
		const config = join(dir, "wrangler.json");
		writeFileSync(
			config,
			JSON.stringify({
				name: target.worker,
				d1_databases: [{ binding: db.binding, database_name: db.name, database_id: db.id }],
			}),
		);
		const result = await wranglerRead(
			[
				"d1",
				"execute",
				db.binding,
				"--remote",
				"--json",
				"--config",
				config,
				"--command",
				`SELECT name FROM ${db.migrationsTable} ORDER BY id`,
			],
			{ cwd: dir },
		);
		if (result.status !== 0 && /no such table/i.test(result.stdout + result.stderr)) return [];
		return jsonOf(result, `reading ${db.name}'s migrations`).flatMap((statement) =>
			(statement.results ?? []).map((row) => row.name),
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** The Worker's secret names, or null when the Worker does not exist yet. */
async function readSecrets(target) {
	const result = await wranglerRead(["secret", "list", "--format", "json", ...envArgs(target)]);
	if (result.status !== 0 && /does not exist|not found|10007/i.test(result.stdout + result.stderr))
		return null;
	return jsonOf(result, "wrangler secret list").map((secret) => secret.name);
}

function envArgs(target) {
	return target.env ? ["--env", target.env] : [];
}

/** The account's state as the planner takes it (read-only calls, side by side). */
async function readAccount(target) {
	const [kvNamespaces, d1Databases, r2Text, queues, secrets] = await Promise.all([
		wranglerRead(["kv", "namespace", "list"]),
		wranglerRead(["d1", "list", "--json"]),
		listed(["r2", "bucket", "list"], "wrangler r2 bucket list"),
		readQueues(),
		readSecrets(target),
	]);
	const account = {
		kvNamespaces: jsonOf(kvNamespaces, "wrangler kv namespace list").map((ns) => ({
			id: ns.id,
			title: ns.title,
		})),
		d1Databases: jsonOf(d1Databases, "wrangler d1 list").map((db) => ({ uuid: db.uuid, name: db.name })),
		r2Buckets: parseR2BucketList(r2Text),
		queues,
		appliedMigrations: {},
		policyPresent: {},
		secrets,
	};
	const { kv, d1 } = resolveResources(target, account);
	await Promise.all([
		...d1
			.filter((db) => db.exists)
			.map(async (db) => {
				account.appliedMigrations[db.name] = await readAppliedMigrations(target, db);
			}),
		...kv
			.filter((ns) => ns.exists)
			.map(async (ns) => {
				const keys = await wranglerRead([
					"kv",
					"key",
					"list",
					"--namespace-id",
					ns.id,
					"--prefix",
					"policy",
					"--remote",
				]);
				account.policyPresent[ns.id] = jsonOf(keys, `listing the keys of ${ns.title}`).some(
					(key) => key.name === "policy",
				);
			}),
	]);
	return account;
}

/** Runs one step's command (npx wrangler → the project's wrangler); exits when it fails. */
function run(step) {
	console.log(`\n→ ${step.what}`);
	const [program, ...args] = step.command;
	const result =
		program === "npx" && args[0] === "wrangler"
			? wrangler(args.slice(1), { inherit: true })
			: spawnSync(program, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
	if (result.status !== 0) fail(`stopped: ${step.command.join(" ")} failed (exit ${result.status})`);
}

/** `wrangler deploy`, its targets (URLs) read from wrangler's output file. */
function deploy(step) {
	const dir = mkdtempSync(join(tmpdir(), "deploy-output-"));
	try {
		const output = join(dir, "output.ndjson");
		console.log(`\n→ ${step.what}`);
		const result = wrangler(step.command.slice(2), {
			inherit: true,
			env: { WRANGLER_OUTPUT_FILE_PATH: output },
		});
		if (result.status !== 0) fail(`stopped: ${step.command.join(" ")} failed (exit ${result.status})`);
		let targets = [];
		try {
			for (const line of readFileSync(output, "utf8").split("\n"))
				if (line.trim()) {
					const entry = JSON.parse(line);
					if (entry.type === "deploy") targets = entry.targets ?? [];
				}
		} catch {
			// No output file: the URL below falls back to the workers.dev pattern.
		}
		return targets;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

function migrationFiles() {
	return readdirSync(join(root, "migrations"))
		.filter((file) => file.endsWith(".sql"))
		.sort();
}

async function main() {
	let parsed;
	try {
		parsed = parseArgs({
			options: {
				env: { type: "string" },
				"dry-run": { type: "boolean" },
				"state-file": { type: "string" },
				"save-state": { type: "string" },
				policy: { type: "string", default: "examples/policy.json" },
				help: { type: "boolean", short: "h" },
			},
		});
	} catch (error) {
		fail(`${error.message}\n\n${HELP}`, 2);
	}
	const { values } = parsed;
	if (values.help) {
		console.log(HELP);
		return;
	}
	if (values["state-file"] && !values["dry-run"])
		fail("--state-file only plans: add --dry-run, or leave it out to deploy", 2);
	const raw = readFileSync(configPath, "utf8");
	const environments = [...raw.matchAll(/^\[env\.([\w-]+)\]/gm)].map((match) => match[1]);
	if (values.env !== undefined && !environments.includes(values.env))
		fail(
			`wrangler.toml has no environment "${values.env}" (its environments: ${environments.join(", ")})`,
			2,
		);
	const { unstable_readConfig } = await import("wrangler");
	const readTarget = () =>
		targetOf(
			unstable_readConfig({ config: configPath, env: values.env }, { hideWarnings: true }),
			values.env,
		);
	const target = readTarget();
	const options = { migrations: migrationFiles(), policyFile: values.policy };

	if (values["save-state"]) {
		writeFileSync(values["save-state"], `${JSON.stringify(await readAccount(target), null, "\t")}\n`);
		console.log(`wrote the account's state for ${target.worker} to ${values["save-state"]}`);
		return;
	}
	let account;
	if (values["state-file"]) {
		try {
			account = { ...EMPTY_ACCOUNT, ...JSON.parse(readFileSync(values["state-file"], "utf8")) };
		} catch (error) {
			fail(`cannot read the state file ${values["state-file"]}: ${error.message}`, 2);
		}
	} else if (values["dry-run"]) {
		console.log("No --state-file: planning for an empty account (record one with --save-state FILE).");
		account = EMPTY_ACCOUNT;
	} else {
		if (wrangler(["whoami", "--json"]).status !== 0)
			fail("Not logged in to Cloudflare: run npx wrangler login (or set CLOUDFLARE_API_TOKEN) first.");
		account = await readAccount(target);
	}

	const plan = planDeploy(target, account, options);
	for (const line of formatPlan(target, plan)) console.log(line);
	if (plan.problems.length > 0) process.exit(1);
	if (values["dry-run"]) return;

	for (const step of plan.steps.filter((s) => s.kind === "create")) run(step);
	// With everything created, plan again: now every id is known and nothing is left to create.
	const created = plan.steps.some((step) => step.kind === "create");
	const account2 = created ? await readAccount(target) : account;
	const plan2 = planDeploy(target, account2, options);
	const left = plan2.steps.filter((step) => step.kind === "create");
	if (plan2.problems.length > 0 || left.length > 0)
		fail(`after creating, still: ${[...plan2.problems, ...left.map((step) => step.what)].join("; ")}`);
	let targets = [];
	for (const step of plan2.steps) {
		if (step.kind === "write-ids") {
			console.log(`\n→ ${step.what}`);
			const text = readFileSync(configPath, "utf8");
			const updated = withIds(text, target.env, step.ids);
			if (updated !== text) writeFileSync(configPath, updated);
			console.log("  (commit wrangler.toml: the next deploy from another checkout finds them there)");
		} else if (step.kind === "deploy") targets = deploy(step);
		else run(step);
	}
	const after = readTarget();
	console.log(`\nDeployed ${after.worker}.`);
	console.log(
		`Callback URL for Tencent's console (Callback configuration): ${callbackUrl(targets, after.worker)}`,
	);
	for (const line of formatSecrets(after, plan2.missingSecrets)) console.log(line);
}

await main();
