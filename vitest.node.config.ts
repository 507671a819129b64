// The real-socket tests: Node drives the real Worker (started by test/node/support/worker.ts) over HTTP on
// 127.0.0.1, so what they see is what a client sees. Run by `npm test` beside the workerd suite.

import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that take longest, longest first. vitest orders files by their last duration, but a fresh clone
 * has none and it falls back to the file's size, which would start these late and leave them running alone
 * at the end.
 */
const LONGEST_FIRST = [
	"sustained-load",
	"readme-commands",
	"policy-cli",
	"deploy-cli",
	"quality-cases",
	"scunthorpe-exceptions",
];

class LongestFirst extends BaseSequencer {
	override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
		const rank = (file: TestSpecification) => {
			const index = LONGEST_FIRST.findIndex((name) => file.moduleId.endsWith(`/${name}.test.ts`));
			return index === -1 ? LONGEST_FIRST.length : index;
		};
		return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
	}
}

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
		sequence: { sequencer: LongestFirst },
	},
});
