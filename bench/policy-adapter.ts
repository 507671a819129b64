// What the policy micro-benchmark calls: one compile and one decide function over the policy module's pure
// functions (src/policy/compile.ts and src/policy/evaluate.ts), exactly as the Worker uses them once the
// document is loaded from KV: compilePolicyText once per policy text, evaluateCreation per callback.
import { type CompiledPolicy, compilePolicyText } from "../src/policy/compile";
import { evaluateCreation } from "../src/policy/evaluate";

/** Which engine this adapter measures, printed with the results. */
export const ENGINE = "src/policy: compilePolicyText once, evaluateCreation per decision";

/** Whether `compile` does real work; false means the engine pays its setup on every decision. */
export const HAS_COMPILE_STEP = true;

/** Parses, validates and compiles the policy document `text` (JSON); throws when it is not valid. */
export function compile(text: string): CompiledPolicy {
	const outcome = compilePolicyText(text);
	if (!outcome.ok) throw new Error(`the benchmark policy is invalid: ${JSON.stringify(outcome.problem)}`);
	return outcome.value;
}

/** Decides a topic creation; true when it is allowed. */
export function decide(policy: CompiledPolicy, operatorAccount: string, name: string): boolean {
	return evaluateCreation(policy, "topic", { operatorAccount, name }).allowed;
}
