// What the policy micro-benchmark calls: one compile and one decide function over the policy module.
// This version adapts the first policy module (src/policy/index.ts), which has no compile step: it reads
// and validates the whole document from KV on every decision. `compile` therefore only keeps the text, and
// `decide` runs decideCreation with a KV namespace that answers that text, as the Worker would see it.
import { decideCreation } from "../src/policy";

/** Which engine this adapter measures, printed with the results. */
export const ENGINE = "first policy module: the document is parsed and validated on every decision";

/** Whether `compile` does real work; false means the engine pays its setup on every decision. */
export const HAS_COMPILE_STEP = false;

/** A policy ready to decide with. */
export interface Prepared {
	env: Env;
	ctx: ExecutionContext;
}

/** Prepares the policy document `text` (JSON) for `decide`. */
export function compile(text: string): Prepared {
	const namespace = { get: async (key: string) => (key === "policy" ? text : null) };
	return {
		env: { POLICY: namespace, POLICY_FAIL_MODE: "open" } as unknown as Env,
		ctx: { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext,
	};
}

/** Decides a topic creation; resolves to true when it is allowed. */
export async function decide(prepared: Prepared, operatorAccount: string, name: string): Promise<boolean> {
	const decision = await decideCreation(prepared.env, prepared.ctx, "topic", { operatorAccount, name });
	return decision.allowed;
}
