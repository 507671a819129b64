// Catastrophic-backtracking patterns, run in a worker thread with a deadline: a regression from RE2 to a
// backtracking engine (RegExp) would take 2^1024 steps on these names; the deadline then ends the thread
// and fails the test, where running them inline would hang the suite. The deadline is a hang detector, far
// above what RE2 needs, not a performance assertion.
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { loadPolicyModule } from "../../scripts/load-policy-module.mjs";

const DEADLINE_MS = 30_000;

/** Runs `decide` (a function body using `compilePolicyText` and `evaluateCreation`) in a thread, or fails at the deadline. */
async function inThread(decide: string): Promise<unknown> {
	await loadPolicyModule(
		"catastrophic",
		'export { compilePolicyText } from "./src/policy/engine/compile"; export { evaluateCreation } from "./src/policy/engine/evaluate";',
	);
	const bundle = new URL("../../.wrangler/tmp/catastrophic.mjs", import.meta.url).href;
	const code = `
		const { parentPort } = require("node:worker_threads");
		import(${JSON.stringify(bundle)}).then(({ compilePolicyText, evaluateCreation }) => {
			parentPort.postMessage((() => { ${decide} })());
		});`;
	const worker = new Worker(code, { eval: true });
	try {
		return await new Promise((resolve, reject) => {
			const timer = setTimeout(
				() => reject(new Error(`no answer within ${DEADLINE_MS} ms: the pattern backtracks`)),
				DEADLINE_MS,
			);
			worker.once("message", (value) => {
				clearTimeout(timer);
				resolve(value);
			});
			worker.once("error", (error) => {
				clearTimeout(timer);
				reject(error);
			});
		});
	} finally {
		await worker.terminate();
	}
}

describe("catastrophic-backtracking patterns", { timeout: DEADLINE_MS + 30_000 }, () => {
	it("are matched in linear time: every pattern over a name at the length limit", async () => {
		const answers = await inThread(`
			const patterns = ["^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "(.*a){20}$", "^(\\\\w+\\\\s?)*$"];
			const policy = compilePolicyText(JSON.stringify({
				names: { banned: patterns.map((value) => ({ match: "regex", value, normalize: false })) },
			}));
			if (!policy.ok) return policy.problem.message;
			const decide = (name) => evaluateCreation(policy.value, "topic", { operatorAccount: "x", name });
			return [
				decide("a".repeat(1023) + "!").allowed,
				decide("a".repeat(40)).rule,
				decide("ab ".repeat(341) + "!").allowed,
			];
		`);
		expect(answers).toEqual([true, 'names.banned[0] regex "^(a+)+$"', true]);
	});
});
