#!/usr/bin/env node
// `npm run fuzz:sweep`: the battery's property-based fuzzing over many seeds and cases (npm test runs one
// fixed seed). FUZZ_SEED (first seed, default 1), FUZZ_SEEDS (default 10), FUZZ_RUNS (cases per property
// and seed, default 200). A failure prints fast-check's seed and path, which replay it exactly:
//   FUZZ_SEED=<seed> FUZZ_SEEDS=1 FUZZ_RUNS=<runs> npx vitest run test/battery/fuzz.test.ts
import { spawn } from "node:child_process";

const settings = {
	FUZZ_SEED: process.env.FUZZ_SEED ?? "1",
	FUZZ_SEEDS: process.env.FUZZ_SEEDS ?? "10",
	FUZZ_RUNS: process.env.FUZZ_RUNS ?? "200",
};
console.log(
	`fuzz sweep: seeds ${settings.FUZZ_SEED}..+${settings.FUZZ_SEEDS}, ${settings.FUZZ_RUNS} cases per property and seed`,
);

const started = Date.now();
const child = spawn("npx", ["--no-install", "vitest", "run", "test/battery/fuzz.test.ts", "--silent=false"], {
	env: { ...process.env, ...settings },
	stdio: ["ignore", "pipe", "pipe"],
});
let summary = null;
/** Passes on test results and failures; drops the Worker's per-request log lines. */
function filter(stream, out) {
	let buffered = "";
	stream.on("data", (chunk) => {
		buffered += chunk;
		let newline = buffered.indexOf("\n");
		while (newline >= 0) {
			const line = buffered.slice(0, newline);
			buffered = buffered.slice(newline + 1);
			const at = line.indexOf('{"event":"battery.fuzz"');
			if (at >= 0) summary = JSON.parse(line.slice(at));
			else if (!line.includes('"level":') && !/std(out|err) \|/.test(line) && line.trim() !== "")
				out.write(`${line}\n`);
			newline = buffered.indexOf("\n");
		}
	});
}
filter(child.stdout, process.stdout);
filter(child.stderr, process.stderr);
child.on("exit", (code) => {
	const seconds = ((Date.now() - started) / 1000).toFixed(0);
	if (summary) {
		const total = summary.bodies + summary.queries;
		console.log(
			`fuzz sweep: ${total} cases (${summary.bodies} bodies incl. ${summary.redeliveries} redelivered, ${summary.queries} query strings/paths), ${summary.seeds} seeds from ${summary.firstSeed}, ${seconds} s, ${code === 0 ? "all properties held" : "FAILED"}`,
		);
	} else {
		console.log(`fuzz sweep: no summary (vitest exited ${code}) after ${seconds} s`);
	}
	process.exit(code ?? 1);
});
