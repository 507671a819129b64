#!/usr/bin/env node
// `npm test`: `npm run check`, the workerd suite (vitest.config.ts) and the real-socket suite
// (vitest.node.config.ts). The three are independent and mostly wait (on workerd, sockets, a browser), so
// they run side by side; each one's output is printed whole when it ends, then the wall time of each, so
// that a slower suite shows. Fails when any of them fails.
import { loadavg } from "node:os";
import { runJobs, secondsSince } from "./run-jobs.mjs";

const SUITES = [
	{ name: "check (npm run check)", command: "node scripts/check.mjs" },
	{ name: "workerd suite (vitest run)", command: "vitest run" },
	{
		name: "Node suite (vitest run -c vitest.node.config.ts)",
		command: "vitest run -c vitest.node.config.ts",
	},
];

const start = performance.now();
const results = await runJobs(SUITES, Number(process.env.TEST_JOBS) || SUITES.length);
console.log("\nTime per suite (wall, side by side):");
for (const result of results)
	console.log(`  ${result.seconds.padStart(6)} s  ${result.ok ? "ok    " : "FAILED"}  ${result.name}`);
const load = loadavg()
	.map((value) => value.toFixed(2))
	.join(", ");
console.log(`  ${secondsSince(start).padStart(6)} s  in all (load average now ${load})`);
if (results.some((result) => !result.ok)) process.exit(1);
