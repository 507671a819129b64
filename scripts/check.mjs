#!/usr/bin/env node
// `npm run check`: generated files up to date, types, style, the import rule and a dry-run deploy. The checks
// are independent of each other: they run side by side (two at a time on two cores, or CHECK_JOBS), each
// printed with its wall time; the command fails when one of them fails. (Whether the Scunthorpe exceptions
// are what their generator makes today is checked by test/node/scunthorpe-exceptions.test.ts, which runs
// `node scripts/scunthorpe-exceptions.mjs --check`: not twice.)
import { availableParallelism } from "node:os";
import { runJobs, secondsSince } from "./run-jobs.mjs";

// The type checks run on TypeScript's native compiler (tsgo, @typescript/native-preview): the same checks
// as tsc, in about a fifth of the time (3.9 s against 18.0 s for the Worker and its tests, measured alone),
// which a fresh clone, with no incremental state to start from, pays in full.
const tsc = (project) => `tsgo -p ${project} --noEmit`;

const CHECKS = [
	// The slowest first, so that the others fill in beside them.
	{ name: "types: Worker and workerd tests (tsgo)", command: tsc("tsconfig.json") },
	{ name: "types: Node tests (tsgo)", command: tsc("tsconfig.node.json") },
	{ name: "types: console script (tsgo)", command: tsc("src/console/tsconfig.json") },
	{ name: "dry-run deploy", command: "wrangler deploy --dry-run --outdir .wrangler/dry-run", quiet: true },
	{ name: "style (biome)", command: "biome check ." },
	{ name: "import directions", command: "node scripts/check-imports.mjs" },
	{
		name: "worker-configuration.d.ts up to date",
		command: "npm run --silent typegen:check",
		quiet: true,
	},
	{ name: "package-lock.json complete", command: "node scripts/complete-lockfile.mjs --check" },
	{ name: "Han table up to date", command: "node scripts/generate-han-table.mjs --check" },
	{ name: "pinyin table up to date", command: "node scripts/generate-pinyin-table.mjs --check" },
	{ name: "console files up to date", command: "node scripts/console-files.mjs --check" },
];

const start = performance.now();
const jobs = Number(process.env.CHECK_JOBS) || Math.max(2, availableParallelism());
const results = await runJobs(CHECKS, jobs);
const failed = results.filter((result) => !result.ok);
console.log(
	`check: ${results.length - failed.length} of ${results.length} passed in ${secondsSince(start)} s (${jobs} at a time)`,
);
if (failed.length > 0) {
	console.log(`check failed: ${failed.map((result) => result.name).join(", ")}`);
	process.exit(1);
}
