// The real-socket tests: Node drives the real Worker (started by test/node/support/worker.ts) over HTTP on
// 127.0.0.1, so what they see is what a client sees. Run by `npm test` beside the workerd suite.
import { defineConfig } from "vitest/config";
import { longestFirst } from "./test/support/longest-first";

/** The files that take longest, longest first (see test/support/longest-first.ts). */
const LONGEST_FIRST = [
	"sustained-load",
	"policy-cli",
	"readme-commands",
	"deploy-cli",
	"quality-cases",
	"enforcement",
	"console",
	"scunthorpe-exceptions",
];

export default defineConfig({
	test: {
		include: ["test/node/**/*.test.ts"],
		environment: "node",
		// Starting a Worker (workerd, bundling, fresh state) takes seconds on a loaded machine.
		hookTimeout: 120_000,
		testTimeout: 60_000,
		// The files are independent: each starts its own Worker on its own free port (port 0) with its own
		// state in a fresh temporary folder, so they run side by side. They mostly wait (on workerd, sockets,
		// a browser), hence more at once than the machine has cores; NODE_TEST_WORKERS changes it.
		fileParallelism: true,
		maxWorkers: Number(process.env.NODE_TEST_WORKERS) || 4,
		// A test process runs several files one after another (they keep no state in Node's modules), so
		// wrangler, miniflare and playwright are loaded once per process rather than once per file.
		isolate: false,
		silent: "passed-only",
		sequence: { sequencer: longestFirst(LONGEST_FIRST) },
	},
});
