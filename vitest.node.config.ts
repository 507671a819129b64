// The real-socket tests: Node drives the real Worker (started by test/node/support/worker.ts) over HTTP on
// 127.0.0.1, so what they see is what a client sees. Run by `npm test` after the workerd suite.
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/node/**/*.test.ts"],
		environment: "node",
		// Starting a Worker (workerd, bundling, fresh state) takes seconds on a loaded machine.
		hookTimeout: 120_000,
		testTimeout: 60_000,
		// One Worker at a time: each is a workerd process.
		fileParallelism: false,
		silent: "passed-only",
	},
});
