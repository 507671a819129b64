#!/usr/bin/env node
// `npm start`: local D1 migrated, an example policy in local KV when none is there, then `wrangler dev`
// on http://127.0.0.1:8787. Everything stays in .wrangler/state; nothing touches Cloudflare's network.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** The placeholder .dev.vars.example carries; `npm start` swaps it for a generated token. */
const ADMIN_TOKEN_PLACEHOLDER = "generated-by-npm-start";

// The Worker refuses a weak ADMIN_TOKEN (docs/security.md), so the copied example gets a real one: 43
// random base64url characters, written into .dev.vars where docs/development.md's curl examples read it.
if (existsSync(".dev.vars")) {
	const vars = readFileSync(".dev.vars", "utf8");
	const placeholder = new RegExp(`^ADMIN_TOKEN=${ADMIN_TOKEN_PLACEHOLDER}[ \\t]*$`, "m");
	if (placeholder.test(vars)) {
		writeFileSync(
			".dev.vars",
			vars.replace(placeholder, `ADMIN_TOKEN=${randomBytes(32).toString("base64url")}`),
		);
		console.log("Generated ADMIN_TOKEN in .dev.vars (the /api and /admin token).");
	}
}

// Local only: no usage metrics sent from developer machines.
const localEnv = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const wrangler = (args, opts = {}) =>
	spawnSync("npx", ["--no-install", "wrangler", ...args], { stdio: "inherit", env: localEnv, ...opts });

const migrate = wrangler(["d1", "migrations", "apply", "DB", "--local"], {
	env: { ...localEnv, CI: "true" }, // answers wrangler's "apply these migrations?" prompt with yes
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const existing = wrangler(["kv", "key", "get", "policy", "--binding", "POLICY", "--local"], {
	stdio: ["ignore", "pipe", "pipe"],
});
const hasPolicy = existing.status === 0 && !/not found/i.test(`${existing.stdout}${existing.stderr}`);
if (hasPolicy) {
	console.log("Local KV already holds a policy; leaving it as it is.");
} else {
	const put = wrangler([
		"kv",
		"key",
		"put",
		"policy",
		"--binding",
		"POLICY",
		"--local",
		"--path",
		"examples/policy.json",
	]);
	if (put.status !== 0) process.exit(put.status ?? 1);
	console.log("Put examples/policy.json into local KV under the key `policy`.");
}

// The console's files are built into the Worker: pick up any edit of src/console/public/admin/.
const files = spawnSync(process.execPath, ["scripts/console-files.mjs"], { stdio: "inherit" });
if (files.status !== 0) process.exit(files.status ?? 1);

// Local play without a token: the deployed default (ALLOW_UNSIGNED_CALLBACKS="false") refuses unsigned
// callbacks. With CALLBACK_TOKEN set in .dev.vars, callbacks must be signed all the same.
const dev = wrangler([
	"dev",
	"--ip",
	"127.0.0.1",
	"--port",
	process.env.PORT ?? "8787",
	"--var",
	"ALLOW_UNSIGNED_CALLBACKS:true",
	...process.argv.slice(2),
]);
process.exit(dev.status ?? 0);
