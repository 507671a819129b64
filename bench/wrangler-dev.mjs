#!/usr/bin/env node
// The HTTP comparison made the simple way, as an outside reviewer would: the project and the floor Worker
// (bench/floor, which only reads the body and answers OK) each under their own `wrangler dev`, loaded in
// turn with autocannon (bench/lib/load.mjs, signed requests, 16 connections). wrangler dev puts its own
// proxy in front of every request, which costs both Workers the same and so narrows the gap between them:
// these ratios are higher than `npm run bench`'s, which serves the built bundles directly. Reported in
// docs/benchmarks.md beside the main bench, never instead of it. Writes nothing.
// Usage: npm run bench:wrangler-dev [-- --queue] [--rounds 3] [--seconds 8]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { policyDocument } from "../tools/lib/policy-fixture.mjs";
import { WRANGLER_JS, wrangler } from "./lib/build.mjs";
import { runLoad } from "./lib/load-run.mjs";
import { freePort } from "./lib/servers.mjs";

const { values: flags } = parseArgs({
	options: {
		queue: { type: "boolean", default: false },
		rounds: { type: "string", default: "3" },
		seconds: { type: "string", default: "8" },
	},
});
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TOKEN = "bench-callback-token-0123456789";
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" };
const state = mkdtempSync(join(tmpdir(), "bench-wrangler-dev-"));
const children = [];

/** Starts `wrangler dev` for `config` on a free port; resolves to its URL once it says it is ready. */
async function dev(config, extra = []) {
	const port = await freePort();
	const args = ["dev", "-c", config, "--ip", "127.0.0.1", "--port", String(port)];
	args.push("--inspector-port", String(await freePort()), "--persist-to", state);
	args.push("--env-file", join(state, ".dev.vars"), ...extra);
	const child = spawn(process.execPath, [WRANGLER_JS, ...args], {
		cwd: ROOT,
		env,
		stdio: ["ignore", "pipe", "pipe"],
	});
	children.push(child);
	let output = "";
	await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`wrangler dev did not start:\n${output}`)), 120_000);
		const read = (chunk) => {
			output += chunk;
			if (/Ready on/.test(output)) {
				clearTimeout(timer);
				resolve();
			}
		};
		child.stdout.on("data", read);
		child.stderr.on("data", read);
		child.on("exit", (code) => reject(new Error(`wrangler dev exited (${code}):\n${output}`)));
	});
	return `http://127.0.0.1:${port}/`;
}

/** One autocannon run (bench/lib/load.mjs); its result line. `runId` keeps each run's topic ids its own. */
function load(url, body, seconds, runId) {
	return runLoad({ url, body, seconds, token: TOKEN, runId });
}

try {
	writeFileSync(join(state, "policy.json"), JSON.stringify(policyDocument(10_000)));
	writeFileSync(join(state, ".dev.vars"), `CALLBACK_TOKEN=${TOKEN}\nADMIN_TOKEN=${"a".repeat(40)}\n`);
	await wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], { env });
	const put = ["kv", "key", "put", "policy", "--binding", "POLICY", "--local", "--persist-to", state];
	await wrangler([...put, "--path", join(state, "policy.json")], { env });
	const project = await dev("wrangler.toml", flags.queue ? ["--var", "EVENT_WRITES:queue"] : []);
	const floor = await dev(join("bench", "floor", "wrangler.toml"));
	for (const [i, url] of [project, floor].entries()) {
		for (const body of ["before", "after"]) await load(url, body, 2, `w${i}`);
	}
	const seconds = Number(flags.seconds);
	console.log(
		`wrangler dev, 16 connections, ${seconds} s per run, EVENT_WRITES=${flags.queue ? "queue" : "direct"}`,
	);
	for (let round = 1; round <= Number(flags.rounds); round++) {
		for (const body of ["before", "after"]) {
			const base = await load(floor, body, seconds, `f${round}`);
			const run = await load(project, body, seconds, `p${round}`);
			const ratio = Math.floor((run.rps / base.rps) * 100) / 100;
			console.log(
				`round ${round} ${body}: floor ${Math.floor(base.rps)} req/s, project ${Math.floor(run.rps)} req/s, ` +
					`${ratio}x; project non-2xx ${run.non2xx}, errors ${run.errors + run.timeouts}`,
			);
		}
	}
} finally {
	for (const child of children) child.kill("SIGTERM");
	rmSync(state, { recursive: true, force: true, maxRetries: 5 });
}
