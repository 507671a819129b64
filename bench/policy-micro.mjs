#!/usr/bin/env node
// Policy micro-benchmark: decisions per second for policies of 10 to 100,000 banned entries, against a plain
// loop over the entries (lowercased `includes`), and the compile time per size. The policy module is bundled
// for Node from bench/policy-adapter.ts, so it measures the module's own code, not a copy. Each size runs in
// a fresh Node process, as a Worker isolate only ever holds its one policy (a 100,000-entry policy left in
// the heap slows the next sizes down).
// Usage: node bench/policy-micro.mjs [--json FILE] [--sizes 10,1000,10000,100000] [--time-ms 200] [--repeats 5]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { do_not_optimize, measure } from "mitata";
import { ALLOWED_NAMES, policyDocument } from "./lib/policy-fixture.mjs";

if (Number(process.versions.node.split(".")[0]) < 22) {
	console.error(
		`The bench needs Node 22 (wrangler and workerd do); this is ${process.version}. Run it with npm run.`,
	);
	process.exit(1);
}

const { values: args } = parseArgs({
	options: {
		json: { type: "string" },
		sizes: { type: "string", default: "10,1000,10000,100000" },
		"time-ms": { type: "string", default: "200" },
		repeats: { type: "string", default: "5" },
		"keep-bundle": { type: "string" },
		bundle: { type: "string" }, // internal: measure one size with this bundle, write the row to --json
	},
});
const sizes = args.sizes.split(",").map(Number);
const minCpuTime = Number(args["time-ms"]) * 1e6;
const repeats = Number(args.repeats);

/** Bundles the adapter (and the policy module it imports) into one ES module for Node at `outfile`. */
async function bundleAdapter(outfile) {
	await build({
		entryPoints: [fileURLToPath(new URL("./policy-adapter.ts", import.meta.url))],
		bundle: true,
		platform: "node",
		format: "esm",
		target: "node22",
		outfile,
		external: ["cloudflare:*"],
		logLevel: "error",
	});
}

/** The baseline: what a rule engine without an index does, one `includes` per entry. */
function loopMatcher(entries) {
	const lowered = entries.map((entry) => entry.toLowerCase());
	return (name) => {
		const text = name.toLowerCase();
		for (let i = 0; i < lowered.length; i++) if (text.includes(lowered[i])) return i;
		return -1;
	};
}

/** Nanoseconds per call of `fn` (mitata's average), cycling through the benchmark names. */
async function nsPerDecision(fn) {
	let i = 0;
	const stats = await measure(
		fn.constructor.name === "AsyncFunction"
			? async () => fn(ALLOWED_NAMES[i++ % ALLOWED_NAMES.length])
			: () => fn(ALLOWED_NAMES[i++ % ALLOWED_NAMES.length]),
		{
			min_cpu_time: minCpuTime,
			min_samples: 8,
		},
	);
	return stats.avg;
}

/** Compile time and decision time of one policy size, engine and loop. */
async function measureSize(adapter, size) {
	const document = policyDocument(size);
	const text = JSON.stringify(document);

	// Compile: the best of a few runs (the first one also pays for warming the code up).
	const compileRuns = size >= 100_000 ? 3 : 5;
	let compileMs = Number.POSITIVE_INFINITY;
	let prepared;
	for (let run = 0; run < compileRuns; run++) {
		const start = performance.now();
		prepared = adapter.compile(text);
		compileMs = Math.min(compileMs, performance.now() - start);
	}

	// Every benchmark name must be allowed by both, or the two would not be doing the same work.
	const loop = loopMatcher(document.names.banned);
	for (const name of ALLOWED_NAMES) {
		if (loop(name) !== -1) throw new Error(`the loop refuses ${name} with ${size} entries`);
		if ((await adapter.decide(prepared, "leckie", name)) !== true)
			throw new Error(`the policy module refuses ${name} with ${size} entries`);
	}

	// An engine that answers with a promise is awaited per decision (mitata measures async functions so).
	// Engine and loop are measured in turn, a few times; the fastest of each counts (noise only slows down).
	const isAsync = adapter.decide(prepared, "leckie", ALLOWED_NAMES[0]) instanceof Promise;
	const engine = isAsync
		? async (name) => do_not_optimize(await adapter.decide(prepared, "leckie", name))
		: (name) => do_not_optimize(adapter.decide(prepared, "leckie", name));
	let engineNs = Number.POSITIVE_INFINITY;
	let loopNs = Number.POSITIVE_INFINITY;
	for (let repeat = 0; repeat < repeats; repeat++) {
		engineNs = Math.min(engineNs, await nsPerDecision(engine));
		loopNs = Math.min(loopNs, await nsPerDecision((name) => do_not_optimize(loop(name))));
	}
	return {
		entries: size,
		policyBytes: text.length,
		compileMs: adapter.HAS_COMPILE_STEP ? compileMs : null,
		engineNs,
		enginePerSecond: 1e9 / engineNs,
		loopNs,
		loopPerSecond: 1e9 / loopNs,
		speedupOverLoop: loopNs / engineNs,
	};
}

if (args.bundle) {
	// One size, in this fresh process.
	const adapter = await import(pathToFileURL(args.bundle).href);
	const row = await measureSize(adapter, sizes[0]);
	writeFileSync(
		args.json,
		JSON.stringify({ row, engine: adapter.ENGINE, hasCompileStep: adapter.HAS_COMPILE_STEP }),
	);
	process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "policy-bench-"));
const bundle = args["keep-bundle"] ?? join(dir, "policy-adapter.mjs");
const rows = [];
let engine = null;
let hasCompileStep = null;
try {
	await bundleAdapter(bundle);
	for (const size of sizes) {
		const out = join(dir, `size-${size}.json`);
		const child = spawnSync(
			process.execPath,
			[
				fileURLToPath(import.meta.url),
				"--bundle",
				bundle,
				"--sizes",
				String(size),
				"--json",
				out,
				"--time-ms",
				args["time-ms"],
				"--repeats",
				args.repeats,
			],
			{ stdio: ["ignore", "inherit", "inherit"], timeout: 10 * 60 * 1000 },
		);
		if (child.status !== 0) throw new Error(`the ${size}-entry run failed (${child.signal ?? child.status})`);
		const measured = JSON.parse(readFileSync(out, "utf8"));
		rows.push(measured.row);
		engine = measured.engine;
		hasCompileStep = measured.hasCompileStep;
		process.stderr.write(`policy micro-benchmark: ${size} entries done\n`);
	}
} finally {
	rmSync(dir, { recursive: true, force: true });
}

const smallest = rows.find((row) => row.entries === 10);
const largest = rows.find((row) => row.entries === 100_000);
const at10k = rows.find((row) => row.entries === 10_000);
const result = {
	engine,
	hasCompileStep,
	node: process.version,
	names: ALLOWED_NAMES.length,
	rows,
	flatness: smallest && largest ? largest.engineNs / smallest.engineNs : null,
	speedupAt10k: at10k ? at10k.speedupOverLoop : null,
};

const fmt = (n, digits = 0) =>
	n === null
		? "n/a"
		: n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(`\nPolicy micro-benchmark (${result.engine}; Node ${process.version})`);
console.table(
	rows.map((row) => ({
		entries: row.entries,
		"compile ms": row.compileMs === null ? "none" : fmt(row.compileMs, 2),
		"engine µs/decision": fmt(row.engineNs / 1000, 3),
		"engine decisions/s": fmt(row.enginePerSecond),
		"loop decisions/s": fmt(row.loopPerSecond),
		"engine / loop": `${fmt(row.speedupOverLoop, row.speedupOverLoop < 10 ? 2 : 1)}x`,
	})),
);
if (args.json) writeFileSync(args.json, `${JSON.stringify(result, null, "\t")}\n`);
