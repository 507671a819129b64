#!/usr/bin/env node
// `npm run bench`: bundle size, policy micro-benchmark, and the HTTP benchmark of the built Worker against a
// floor Worker, both served by workerd through Miniflare on 127.0.0.1 with local KV and D1. Prints the
// results with PASS/MISS per target and keeps them in bench/results/last-run.json (untracked); with --write
// it also records them in docs/benchmarks.md and bench/results/latest.json (tracked).
//
// Options (each also as an environment variable BENCH_<NAME>, e.g. BENCH_SECONDS=10):
//   --seconds N     length of each measured load run (default 5)
//   --warmup N      unmeasured load before each scenario (default 2)
//   --rounds N      rounds of every scenario; the best round of each is kept (default 3)
//   --only LIST     some of: size,micro,cold,http,stages (default all): bundle size, policy micro-benchmark,
//                   cold start with a 10,000-entry policy, HTTP against the floor, CPU profile by stage
//   --write         record the results in docs/benchmarks.md and bench/results/latest.json
//   --no-write      print only; write no file at all
//   --cold-runs N   fresh processes per path of the cold-start measurement (default 7)
//   --cold-profiles DIR  also writes each cold run's CPU profile there (DevTools' .cpuprofile, plus
//                   answeredAtUs: when the answer reached the client, on the profile's clock)
//   --references 0  leave out the reference Workers (the floor plus one D1 or KV call; bench/floor/reference.js)
//   --state-dir DIR where the temporary build, KV and D1 go (default /dev/shm, a tmpfs, when there is one)
//   --profile LIST  instead of measuring: CPU-profile the Worker isolate through the workerd inspector during
//                   a 16-connection run of each scenario listed (floor,before,after); prints where the time
//                   goes and saves bench/results/profile-<scenario>.cpuprofile (open it in Chrome DevTools)
//   --calls LIST    with --profile: functions of the Worker's bundle whose calls per request are counted
//                   (default refresh,compilePolicyText,logDecision,recordEvent)
//   --profile-connections N  connections of the profiled run (default 16)
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { policyDocument } from "../tools/lib/policy-fixture.mjs";
import { callbackQuery } from "../tools/lib/tencent-callback.mjs";
import { buildWorker, bundleSize, run } from "./lib/build.mjs";
import { runLoad } from "./lib/load-run.mjs";
import { profileDuring, sliceProfile, stagesOfProfile, summarizeProfile } from "./lib/profile.mjs";
import { evaluateTargets, printProfile, printReport, writeReport } from "./lib/report.mjs";
import {
	applyMigrations,
	freePort,
	projectWorkerOptions,
	serveBundle,
	serveFloor,
	stateRoot,
} from "./lib/servers.mjs";

if (Number(process.versions.node.split(".")[0]) < 22) {
	console.error(
		`The bench needs Node 22 (wrangler and workerd do); this is ${process.version}. Run it with npm run.`,
	);
	process.exit(1);
}

const { values: flags } = parseArgs({
	options: {
		seconds: { type: "string", default: process.env.BENCH_SECONDS ?? "5" },
		warmup: { type: "string", default: process.env.BENCH_WARMUP ?? "2" },
		rounds: { type: "string", default: process.env.BENCH_ROUNDS ?? "3" },
		only: { type: "string", default: process.env.BENCH_ONLY ?? "size,micro,cold,http,stages" },
		write: { type: "boolean", default: process.env.BENCH_WRITE === "1" },
		"no-write": { type: "boolean", default: process.env.BENCH_NO_WRITE === "1" },
		profile: { type: "string", default: process.env.BENCH_PROFILE },
		"profile-connections": { type: "string", default: process.env.BENCH_PROFILE_CONNECTIONS ?? "16" },
		calls: {
			type: "string",
			default: process.env.BENCH_CALLS ?? "refresh,compilePolicyText,logDecision,recordEvent",
		},
		references: { type: "string", default: process.env.BENCH_REFERENCES ?? "1" },
		"cold-runs": { type: "string", default: process.env.BENCH_COLD_RUNS ?? "7" },
		"cold-profiles": { type: "string" },
		"state-dir": { type: "string", default: process.env.BENCH_STATE_DIR },
	},
});
const settings = {
	seconds: Number(flags.seconds),
	warmup: Number(flags.warmup),
	rounds: Number(flags.rounds),
	connections: 16,
	policyEntries: 10_000,
	references: flags.references !== "0",
	only: new Set(flags.only.split(",").map((part) => part.trim())),
};
const ROOT = process.cwd();
const CONFIG = join(ROOT, "wrangler.toml");
const REFERENCE_CONFIG = join(ROOT, "bench", "floor", "reference.wrangler.toml");
const REFERENCE_SCHEMA =
	"CREATE TABLE IF NOT EXISTS reference_rows (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL)";

/** What each scenario sends to which server. The order is the order of the runs in a round. */
const SCENARIOS = {
	floor: { server: "floor", body: "before" },
	before: { server: "worker", body: "before" },
	"d1-background": { server: "reference", body: "before", query: { reference: "d1-background" } },
	"kv-background": { server: "reference", body: "before", query: { reference: "kv-background" } },
	after: { server: "worker", body: "after" },
	"after-queued": { server: "workerQueued", body: "after" },
	"d1-awaited": { server: "reference", body: "after", query: { reference: "d1-awaited" } },
	"queue-first": { server: "reference", body: "after", query: { reference: "queue-first" } },
};
const CALLBACK_TOKEN = "bench-callback-token";
const SDK_APP_ID = "1400000000";

// Local KV and D1 live in memory (tmpfs) unless told otherwise: on disk, every D1 write waits for this
// machine's fsync, which measures the shared virtual disk rather than the Worker (see docs/benchmarks.md).
const stateDir = flags["state-dir"] ?? stateRoot();
const work = mkdtempSync(join(stateDir, "tencent-webhooks-bench-"));
const servers = [];
/** The load generators and micro-benchmark running now, stopped with the servers. */
const children = new Set();
let stopping = null;
const entries = {};

/** Stops every server and removes the temporary folder; safe to call more than once. */
function cleanUp() {
	stopping ??= (async () => {
		for (const child of children) child.kill("SIGKILL");
		await Promise.allSettled(servers.map((server) => server.dispose()));
		rmSync(work, { recursive: true, force: true });
	})();
	return stopping;
}
// Whoever ends the process (Miniflare's own signal handling included), the temporary folder goes with it.
process.on("exit", () => {
	for (const child of children) child.kill("SIGKILL");
	rmSync(work, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"]) {
	process.on(signal, () => {
		console.error(`\n${signal}: stopping the servers`);
		cleanUp().finally(() => process.exit(130));
	});
}

/** Runs a Node script with the current Node (22 under npm) and resolves to its stdout. */
function node(script, args, timeoutMs) {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
		children.add(child);
		let stdout = "";
		child.stdout.on("data", (chunk) => {
			stdout += chunk;
		});
		const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
		child.on("error", reject);
		child.on("close", (code, signal) => {
			clearTimeout(timer);
			children.delete(child);
			if (code === 0) resolve(stdout);
			else reject(new Error(`${script} failed (${signal ?? code})`));
		});
	});
}

/** One autocannon run in a child process. */
function load(url, scenario, connections, seconds, runId) {
	const options = {
		url: url.href,
		scenario,
		body: SCENARIOS[scenario].body,
		query: SCENARIOS[scenario].query,
		connections,
		seconds,
		token: CALLBACK_TOKEN,
		sdkAppId: SDK_APP_ID,
		runId,
	};
	return runLoad(options, children);
}

/** Sends one request as Tencent would and returns the status and JSON answer, to check the setup. */
async function probe(url, command, body) {
	const query = callbackQuery({ command, sdkAppId: SDK_APP_ID, token: CALLBACK_TOKEN });
	const response = await fetch(new URL(`/?${query}`, url), {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(30_000),
	});
	return { status: response.status, json: await response.json() };
}

async function measureSize() {
	const outdir = join(work, "dist");
	const built = await buildWorker(CONFIG, outdir);
	return { ...bundleSize(outdir, built.meta), uploadLine: built.uploadLine, entry: built.entry };
}

async function measureMicro() {
	const file = join(work, "micro.json");
	await node(join(ROOT, "bench", "policy-micro.mjs"), ["--json", file], 15 * 60 * 1000);
	return JSON.parse(readFileSync(file, "utf8"));
}

async function measureColdStart() {
	const file = join(work, "cold.json");
	await node(
		join(ROOT, "bench", "policy-micro.mjs"),
		["--cold", "--cold-runs", flags["cold-runs"], "--json", file],
		10 * 60 * 1000,
	);
	return JSON.parse(readFileSync(file, "utf8"));
}

/** How long a cold start's profile runs on after the answer, for the work the Worker left for after it. */
const AFTER_ANSWER_MS = 300;

/**
 * The CPU a fresh Worker isolate spends on its first before-callback with the 10,000-entry policy, sampled
 * by workerd's own profiler (the isolate's thread, not the process): once with the policy's compiled form
 * in KV, once without it (the isolate compiles). Each run boots a new workerd on the same persisted KV and
 * D1, so the isolate has loaded its module and nothing else; the profile covers the request until its
 * answer reaches the client, and {@link AFTER_ANSWER_MS} more. Returns, for every run, the busy time to the
 * answer (uncapped and with samples capped) and after it, the stages, and which path the Worker logged.
 */
async function measureColdIsolates(workerEntry, runs) {
	const project = projectWorkerOptions(CONFIG);
	const state = join(work, "cold-state");
	await applyMigrations(CONFIG, state);
	const boot = async () => {
		const server = await serveBundle({
			name: "worker",
			entry: workerEntry,
			options: { ...project, bindings: { ...project.bindings, CALLBACK_TOKEN } },
			stateDir: state,
			inspectorPort: await freePort(),
		});
		servers.push(server);
		return server;
	};
	const body = {
		CallbackCommand: "Group.CallbackBeforeCreateTopic",
		Operator_Account: "leckie",
		Type: "Community",
		Name: "MyFirstTopic",
	};
	const compiledKeys = async (kv) => (await kv.list({ prefix: "policy:compiled:" })).keys.map((k) => k.name);
	// Seed: the policy, and one request whose isolate compiles it and writes the compiled form.
	let server = await boot();
	let kv = await server.mf.getKVNamespace("POLICY");
	await kv.put("policy", JSON.stringify(policyDocument(settings.policyEntries)));
	await probe(server.url, body.CallbackCommand, body);
	for (let i = 0; i < 100 && (await compiledKeys(kv)).length === 0; i++)
		await new Promise((resolve) => setTimeout(resolve, 100));
	const [formKey] = await compiledKeys(kv);
	if (!formKey) throw new Error("cold start: the Worker wrote no compiled form");
	const form = await kv.get(formKey, "arrayBuffer");
	await stopServers();

	const results = { cache: [], compile: [], formBytes: form.byteLength, afterAnswerMs: AFTER_ANSWER_MS };
	for (let run = 0; run < runs; run++) {
		for (const path of ["cache", "compile"]) {
			server = await boot();
			kv = await server.mf.getKVNamespace("POLICY");
			for (const key of await compiledKeys(kv)) await kv.delete(key);
			if (path === "cache") await kv.put(formKey, form);
			// The profile runs on for a while after the answer, to see the work the Worker left for after it
			// (the log line, the last-known-good check, encoding the form when it compiled).
			let answeredAtUs = Number.POSITIVE_INFINITY;
			const { profile, result } = await profileDuring(
				await server.mf.getInspectorURL(),
				"worker",
				async () => {
					const answer = await probe(server.url, body.CallbackCommand, body);
					answeredAtUs = Number(process.hrtime.bigint() / 1000n);
					await new Promise((resolve) => setTimeout(resolve, AFTER_ANSWER_MS));
					return answer;
				},
			);
			if (result.status !== 200 || result.json.ErrorCode !== 0)
				throw new Error(`cold start: unexpected answer ${JSON.stringify(result)}`);
			const from = server.output.tail.match(/"event":"policy\.loaded"[^\n]*"from":"(\w+)"/)?.[1] ?? "?";
			const bundle = entries.worker ?? workerEntry;
			if (flags["cold-profiles"]) {
				mkdirSync(flags["cold-profiles"], { recursive: true });
				writeFileSync(
					join(flags["cold-profiles"], `${path}-${run}.cpuprofile`),
					JSON.stringify({ ...profile, answeredAtUs }),
				);
			}
			const toAnswer = sliceProfile(profile, Number.NEGATIVE_INFINITY, answeredAtUs);
			const afterAnswer = summarizeProfile(
				sliceProfile(profile, answeredAtUs, Number.POSITIVE_INFINITY),
				bundle,
				1,
			);
			const summary = summarizeProfile(toAnswer, bundle, 1);
			// The Worker's log lines on their own: workerd run locally prints every console call through its
			// JS formatter (node-internal:internal_inspect), which the isolate instantiates on its first
			// call, so the first line costs milliseconds here whatever it says. Counted when it comes before the
			// answer (the Worker writes it after), shown apart.
			const stages = stagesOfProfile(toAnswer, bundle, 1, { capped: true });
			const logMs = (stages.find((s) => s.stage === "log lines")?.usPerRequest ?? 0) / 1000;
			results[path].push({
				busyMs: summary.busyMs,
				busyCappedMs: summary.busyCappedMs,
				busySamplesMs: summary.busySamplesMs,
				logMs,
				afterAnswerMs: afterAnswer.busyMs,
				afterAnswerCappedMs: afterAnswer.busyCappedMs,
				from,
				top: summary.functions,
				stages: stages.map((s) => ({ stage: s.stage, ms: s.usPerRequest / 1000 })),
			});
			await stopServers();
		}
	}
	return results;
}

/**
 * Where a cold isolate's first request spends its time, on stderr: the median over the runs of each stage
 * and of each function's self time (0 in a run where it does not appear), the busy time without the log
 * lines, and the busy time with each sample capped (see summarizeProfile).
 */
function printColdBreakdown(runs) {
	const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
	const medians = (lists) => {
		const names = new Set(lists.flatMap((list) => list.map((entry) => entry.name)));
		return [...names]
			.map((name) => ({ name, ms: median(lists.map((list) => list.find((e) => e.name === name)?.ms ?? 0)) }))
			.sort((a, b) => b.ms - a.ms)
			.slice(0, 15);
	};
	const write = (line) => process.stderr.write(`${line}\n`);
	const busy = median(runs.map((r) => r.busyMs));
	const capped = median(runs.map((r) => r.busyCappedMs));
	const withoutLog = median(runs.map((r) => r.busyCappedMs - r.logMs));
	const after = median(runs.map((r) => r.afterAnswerCappedMs));
	write(
		`cold start from the compiled form, to the answer (medians): ${busy.toFixed(2)} ms busy; ${capped.toFixed(2)} ms with each sample capped at two intervals (waits left out, see bench/lib/profile.mjs), ${withoutLog.toFixed(2)} ms of it outside the log lines; after the answer ${after.toFixed(2)} ms (capped)`,
	);
	write("  by stage, samples capped (median of the runs):");
	for (const row of medians(runs.map((r) => r.stages.map((s) => ({ name: s.stage, ms: s.ms })))))
		write(`  ${row.ms.toFixed(2).padStart(6)} ms  ${row.name}`);
	write("  by function, self time (median of the runs):");
	for (const row of medians(runs.map((r) => r.top)))
		write(`  ${row.ms.toFixed(2).padStart(6)} ms  ${row.name}`);
}

/** Stops the servers of a previous phase, so the next one has the machine to itself. */
async function stopServers() {
	await Promise.allSettled(servers.splice(0).map((server) => server.dispose()));
}

/**
 * Builds the floor (and reference) Workers, migrates a fresh local D1, serves every Worker, seeds the policy
 * and checks the setup.
 */
async function startServers(workerEntry, { inspect = false } = {}) {
	const project = projectWorkerOptions(CONFIG);
	const policyText = JSON.stringify(policyDocument(settings.policyEntries));
	entries.worker = workerEntry;
	const state = join(work, "state");
	await applyMigrations(CONFIG, state);

	const worker = await serveBundle({
		name: "worker",
		entry: workerEntry,
		options: { ...project, bindings: { ...project.bindings, CALLBACK_TOKEN } },
		stateDir: state,
		inspectorPort: inspect ? await freePort() : undefined,
	});
	servers.push(worker);
	// The same bundle with EVENT_WRITES = "queue" (answer once the queue holds the event), on its own state.
	const queuedState = join(work, "state-queued");
	await applyMigrations(CONFIG, queuedState);
	const workerQueued = await serveBundle({
		name: "worker",
		entry: workerEntry,
		options: { ...project, bindings: { ...project.bindings, CALLBACK_TOKEN, EVENT_WRITES: "queue" } },
		stateDir: queuedState,
		inspectorPort: inspect ? await freePort() : undefined,
	});
	servers.push(workerQueued);
	await (await workerQueued.mf.getKVNamespace("POLICY")).put("policy", policyText);
	const floor = await serveFloor(work, project, inspect ? await freePort() : undefined);
	entries.floor = floor.entry;
	servers.push(floor);
	let reference = null;
	if (settings.references) {
		const referenceBuild = await buildWorker(REFERENCE_CONFIG, join(work, "reference-dist"));
		entries.reference = referenceBuild.entry;
		const referenceOptions = projectWorkerOptions(REFERENCE_CONFIG);
		reference = await serveBundle({
			name: "reference",
			entry: referenceBuild.entry,
			options: {
				...referenceOptions,
				compatibilityDate: project.compatibilityDate,
				compatibilityFlags: project.compatibilityFlags,
			},
			stateDir: join(work, "reference-state"),
			inspectorPort: inspect ? await freePort() : undefined,
		});
		servers.push(reference);
		await (await reference.mf.getD1Database("DB")).prepare(REFERENCE_SCHEMA).run();
		await (await reference.mf.getKVNamespace("POLICY")).put("policy", policyText);
	}

	// The 10,000-entry policy under the KV key `policy`, then one request of each kind to check the setup.
	const kv = await worker.mf.getKVNamespace("POLICY");
	await kv.put("policy", policyText);
	const checks = {
		floor: await probe(floor.url, "Group.CallbackBeforeCreateTopic", {
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
		}),
		before: await probe(worker.url, "Group.CallbackBeforeCreateTopic", {
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
			Operator_Account: "leckie",
			Type: "Community",
			Name: "MyFirstTopic",
		}),
		beforeRefused: await probe(worker.url, "Group.CallbackBeforeCreateTopic", {
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
			Operator_Account: "leckie",
			Type: "Community",
			Name: `My ${policyDocument(settings.policyEntries).names.banned.at(-1)} topic`,
		}),
	};
	const expectOk = (name, check, code) => {
		if (check.status !== 200 || check.json.ActionStatus !== "OK" || check.json.ErrorCode !== code)
			throw new Error(
				`setup check ${name}: expected 200 OK with ErrorCode ${code}, got ${check.status} ${JSON.stringify(check.json)}`,
			);
	};
	expectOk("floor", checks.floor, 0);
	expectOk("before (allowed name)", checks.before, 0);
	expectOk("before (name holding the last banned entry)", checks.beforeRefused, 1);
	return { servers: { worker, workerQueued, floor, reference }, checks };
}

async function measureHttp(workerEntry) {
	const { servers: running, checks } = await startServers(workerEntry);
	const { worker, floor } = running;
	const scenarios = Object.entries(SCENARIOS)
		.filter(([, scenario]) => running[scenario.server] !== null)
		.map(([key, scenario]) => ({ key, url: running[scenario.server].url }));
	const rounds = [];
	let acknowledgedTopics = 0;
	let acknowledgedQueued = 0;
	for (let round = 1; round <= settings.rounds; round++) {
		const results = {};
		for (const { key, url } of scenarios) {
			const id = `r${round}`;
			process.stderr.write(`round ${round}/${settings.rounds}: ${key}…\n`);
			if (settings.warmup > 0) {
				const warm = await load(url, key, settings.connections, settings.warmup, `${id}w`);
				if (key === "after") acknowledgedTopics += warm.ok;
				if (key === "after-queued") acknowledgedQueued += warm.ok;
			}
			const many = await load(url, key, settings.connections, settings.seconds, `${id}m`);
			const one = await load(url, key, 1, settings.seconds, `${id}s`);
			if (key === "after") acknowledgedTopics += many.ok + one.ok;
			if (key === "after-queued") acknowledgedQueued += many.ok + one.ok;
			results[key] = { many, one };
		}
		rounds.push(results);
	}

	// Nothing acknowledged may be missing: every 2xx after-callback left its topic row in D1.
	const db = await worker.mf.getD1Database("DB");
	const stored = await db.prepare("SELECT count(*) AS n FROM topics").first("n");
	// The queued copy's consumer writes behind the answers: wait until it has caught up (or stops moving).
	const queuedDb = await running.workerQueued.mf.getD1Database("DB");
	const countQueued = () => queuedDb.prepare("SELECT count(*) AS n FROM topics").first("n");
	let storedQueued = await countQueued();
	for (let still = 0, waited = 0; storedQueued < acknowledgedQueued && still < 10 && waited < 120; waited++) {
		await new Promise((resolve) => setTimeout(resolve, 500));
		const now = await countQueued();
		still = now === storedQueued ? still + 1 : 0;
		storedQueued = now;
	}
	const output = {
		worker: { ...worker.output, tail: undefined },
		floor: { ...floor.output, tail: undefined },
	};
	if (running.reference) {
		const referenceDb = await running.reference.mf.getD1Database("DB");
		output.referenceRows = await referenceDb.prepare("SELECT count(*) AS n FROM reference_rows").first("n");
	}
	return {
		rounds,
		checks,
		topics: { acknowledged: acknowledgedTopics, stored },
		queuedTopics: { acknowledged: acknowledgedQueued, stored: storedQueued },
		output,
	};
}

/**
 * CPU profiles of the Worker isolates under a 16-connection load, one per scenario. `countCalls`: functions
 * whose calls per request are counted with logpoints (none for the stage breakdown: they slow it down).
 */
async function profileHttp(workerEntry, scenarios, countCalls) {
	const profileConnections = Number(flags["profile-connections"]);
	const { servers: running } = await startServers(workerEntry, { inspect: true });
	const profiles = {};
	for (const key of scenarios) {
		if (!SCENARIOS[key])
			throw new Error(`--profile: no scenario ${key} (${Object.keys(SCENARIOS).join(", ")})`);
		const serverName = SCENARIOS[key].server;
		const server = running[serverName];
		process.stderr.write(`profiling ${key}…\n`);
		if (settings.warmup > 0) await load(server.url, key, settings.connections, settings.warmup, `p${key}w`);
		const before = { ...server.output.calls };
		// Both project servers run the bundle as the Worker named "worker" (workerQueued differs in one var).
		const isProject = serverName === "worker" || serverName === "workerQueued";
		const workerName = isProject ? "worker" : serverName;
		const { profile, result } = await profileDuring(
			await server.mf.getInspectorURL(),
			workerName,
			() => load(server.url, key, profileConnections, settings.seconds, `p${key}`),
			{ bundlePath: entries[workerName], countCalls: isProject ? countCalls : [] },
		);
		await new Promise((resolve) => setTimeout(resolve, 500)); // the last log lines
		const calls = Object.entries(server.output.calls).map(([name, count]) => ({
			name,
			perRequest: (count - (before[name] ?? 0)) / result.requests,
		}));
		mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
		writeFileSync(join(ROOT, "bench", "results", `profile-${key}.cpuprofile`), JSON.stringify(profile));
		profiles[key] = {
			load: result,
			summary: summarizeProfile(profile, entries[workerName], result.requests),
			stages: isProject ? stagesOfProfile(profile, entries[workerName], result.requests) : [],
			calls,
		};
	}
	return profiles;
}

const started = new Date();
const load1 = loadavg()[0];
const results = {
	startedAt: started.toISOString(),
	commit: (await run("git", ["rev-parse", "--short", "HEAD"]).catch(() => "unknown")).trim(),
	dirty:
		(
			await run("git", [
				"status",
				"--porcelain",
				"--",
				"src",
				"bench",
				"wrangler.toml",
				"package.json",
			]).catch(() => "")
		).trim() !== "",
	machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", loadBefore: load1 },
	node: process.version,
	workerd: JSON.parse(readFileSync(join(ROOT, "node_modules", "workerd", "package.json"), "utf8")).version,
	settings: { ...settings, only: [...settings.only], stateDir },
};
let failed = false;
try {
	if (flags.profile) {
		results.size = await measureSize();
		const countCalls = flags.calls ? flags.calls.split(",").filter(Boolean) : [];
		results.profiles = await profileHttp(results.size.entry, flags.profile.split(","), countCalls);
	} else if (["size", "http", "stages", "cold"].some((part) => settings.only.has(part))) {
		process.stderr.write("building the Worker (wrangler deploy --dry-run)…\n");
		results.size = await measureSize();
	}
	if (settings.only.has("micro") && !flags.profile) {
		process.stderr.write("policy micro-benchmark…\n");
		results.micro = await measureMicro();
	}
	if (settings.only.has("cold") && !flags.profile) {
		process.stderr.write("cold start…\n");
		results.cold = await measureColdStart();
		results.cold.workerd = await measureColdIsolates(results.size.entry, Number(flags["cold-runs"]));
		printColdBreakdown(results.cold.workerd.cache);
	}
	if (settings.only.has("http") && !flags.profile) {
		process.stderr.write("HTTP benchmark…\n");
		results.http = await measureHttp(results.size.entry);
		await stopServers();
	}
	if (settings.only.has("stages") && !flags.profile) {
		process.stderr.write("CPU profile by stage…\n");
		results.stages = await profileHttp(results.size.entry, ["before", "after"], []);
	}
} catch (error) {
	failed = true;
	console.error(`\nbenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
	for (const server of servers)
		if (server.output.tail)
			console.error(`--- ${server.url} runtime output (last lines) ---\n${server.output.tail}`);
} finally {
	await cleanUp();
}
results.machine.loadAfter = loadavg()[0];
results.seconds = Math.round((Date.now() - started.getTime()) / 1000);
if (!failed && results.profiles) {
	printProfile(results.profiles);
} else if (!failed) {
	results.targets = evaluateTargets(results);
	printReport(results);
	// Tracked files change only when asked, so trying the benchmark leaves a clone's tree clean.
	if (!flags["no-write"]) {
		mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
		writeFileSync(
			join(ROOT, "bench", "results", "last-run.json"),
			`${JSON.stringify(results, null, "\t")}\n`,
		);
		if (flags.write) writeReport(results, ROOT);
		else
			console.log(
				"\nkept in bench/results/last-run.json; `npm run bench -- --write` records it in docs/benchmarks.md",
			);
	}
}
process.exit(failed ? 1 : 0);
