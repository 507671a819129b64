#!/usr/bin/env node
// Compares the after-callback (or before-callback) throughput of Worker versions side by side: each git
// ref is built as `wrangler deploy` would and served by its own Miniflare with fresh local KV, D1 and
// Queues (the 10,000-entry policy seeded), and in every round each version's run follows a floor run, so
// its ratio is to a floor measured seconds before rather than minutes. Prints each round and the median
// ratio per version; writes nothing. For telling whether a change moved a path, not for the targets
// (those are `npm run bench`'s).
// Usage: npm run bench:compare -- [--queue] [--body after|before] [--rounds 6] [--seconds 4] <ref> [<ref> …]
//   e.g. npm run bench:compare -- --queue main~3 main
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { policyDocument } from "../tools/lib/policy-fixture.mjs";
import { buildWorker } from "./lib/build.mjs";
import { runLoad } from "./lib/load-run.mjs";
import { applyMigrations, projectWorkerOptions, serveBundle, serveFloor, stateRoot } from "./lib/servers.mjs";

const { values: flags, positionals: refs } = parseArgs({
	allowPositionals: true,
	options: {
		queue: { type: "boolean", default: false },
		body: { type: "string", default: "after" },
		rounds: { type: "string", default: "6" },
		seconds: { type: "string", default: "4" },
	},
});
const seconds = Number(flags.seconds);
const rounds = Number(flags.rounds);
if (refs.length === 0 || !["after", "before"].includes(flags.body) || !(seconds > 0) || !(rounds >= 1)) {
	console.error(
		"usage: npm run bench:compare -- [--queue] [--body after|before] [--rounds N] [--seconds S] <ref> [<ref> …]",
	);
	process.exit(2);
}
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TOKEN = "bench-callback-token";
const work = mkdtempSync(join(stateRoot(), "tencent-webhooks-compare-"));
const servers = [];
const worktrees = [];
const children = new Set();

const git = (...args) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: "pipe" }).trim();

let stopping = null;
/** Stops the load, the servers and the worktrees, and removes the temporary folder; safe to call twice. */
function cleanUp() {
	stopping ??= (async () => {
		for (const child of children) child.kill("SIGKILL");
		await Promise.allSettled(servers.map((server) => server.dispose()));
		for (const dir of worktrees) {
			try {
				git("worktree", "remove", "--force", dir);
			} catch {
				// Already gone: `git worktree prune` forgets it.
			}
		}
		rmSync(work, { recursive: true, force: true });
		git("worktree", "prune");
	})();
	return stopping;
}
for (const signal of ["SIGINT", "SIGTERM"])
	process.on(signal, () => cleanUp().finally(() => process.exit(130)));

/** A run of `body` callbacks against `url`: requests/s answered 2xx, and what was not. */
async function measure(url, body, runId) {
	const result = await runLoad({ url: url.href, body, seconds, token: TOKEN, runId }, children);
	return { rps: result.ok / seconds, failed: result.non2xx + result.errors + result.timeouts };
}

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
const ratio = (value) => (Math.floor(value * 1000) / 1000).toFixed(3);

try {
	const policyText = JSON.stringify(policyDocument(10_000));
	const project = projectWorkerOptions(join(ROOT, "wrangler.toml"));
	const floor = await serveFloor(work, project);
	servers.push(floor);
	const versions = [];
	for (const [index, ref] of refs.entries()) {
		const commit = git("rev-parse", "--short", ref);
		const dir = join(work, `tree-${index}`);
		git("worktree", "add", "--detach", dir, commit);
		worktrees.push(dir);
		symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
		const config = join(dir, "wrangler.toml");
		process.stderr.write(`building ${ref} (${commit})…\n`);
		const built = await buildWorker(config, join(work, `dist-${index}`));
		const state = join(work, `state-${index}`);
		await applyMigrations(config, state);
		const options = projectWorkerOptions(config);
		const bindings = {
			...options.bindings,
			CALLBACK_TOKEN: TOKEN,
			EVENT_WRITES: flags.queue ? "queue" : "direct",
		};
		const server = await serveBundle({
			name: "worker",
			entry: built.entry,
			options: { ...options, bindings },
			stateDir: state,
		});
		servers.push(server);
		await (await server.mf.getKVNamespace("POLICY")).put("policy", policyText);
		versions.push({ ref, commit, url: server.url, ratios: [], failed: 0 });
	}
	for (const version of versions) await measure(version.url, flags.body, "warm");
	await measure(floor.url, "before", "warm");
	console.log(
		`${flags.body}-callbacks, EVENT_WRITES=${flags.queue ? "queue" : "direct"}, 16 connections, ${seconds} s per run, each run after a floor run`,
	);
	for (let round = 1; round <= rounds; round++) {
		for (const version of versions) {
			const base = await measure(floor.url, "before", `f${round}`);
			const run = await measure(version.url, flags.body, `r${round}`);
			version.ratios.push(run.rps / base.rps);
			version.failed += run.failed;
			console.log(
				`round ${round} ${version.ref}: floor ${Math.floor(base.rps)} req/s, worker ${Math.floor(run.rps)} req/s, ${ratio(run.rps / base.rps)}x`,
			);
		}
	}
	for (const version of versions)
		console.log(
			`${version.ref} (${version.commit}): median ${ratio(median(version.ratios))}x of the floor (rounds ${version.ratios.map(ratio).join(", ")}); ${version.failed} non-2xx or failed requests`,
		);
} finally {
	await cleanUp();
}
