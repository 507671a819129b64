// What the policy micro-benchmark calls: one compile and one decide function over the policy module's pure
// functions (src/policy/engine/compile.ts and src/policy/engine/evaluate.ts), exactly as the Worker uses them once the
// document is loaded from KV: compilePolicyText once per policy text, evaluateCreation per callback.
import { sha256Hex } from "../src/crypto";
import { compilePolicyText } from "../src/policy/engine/compile";
import { decodeCompiledPolicy, encodeCompiledPolicy } from "../src/policy/engine/compiled-cache";
import { evaluateCreation } from "../src/policy/engine/evaluate";
import { evaluateText } from "../src/policy/engine/texts";
import type { CompiledPolicy } from "../src/policy/engine/types";

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

/** Judges a topic's notification as enforcement does (the policy's `texts` section); true when it is allowed. */
export function decideText(policy: CompiledPolicy, text: string): boolean {
	return evaluateText(policy, "topic", "notification", text).allowed;
}

/** The compiled form of `text` as the Worker stores it in KV (compiled-cache.ts). */
export async function compiledForm(text: string): Promise<Uint8Array> {
	return encodeCompiledPolicy(compile(text), await sha256Hex(text));
}

/**
 * What a cold isolate does with a policy before its first answer when the compiled form is in KV: hash
 * the document, read the compiled form, decide once (its digest is checked after the answer, see
 * src/policy/loader.ts). Throws when the form is refused.
 */
export async function firstDecisionFromCache(
	text: string,
	form: ArrayBuffer,
	name: string,
): Promise<boolean> {
	const read = decodeCompiledPolicy(form, await sha256Hex(text));
	if (!read.ok)
		throw new Error(`the compiled form was refused: ${read.problem.reason} ${read.problem.detail}`);
	return evaluateCreation(read.value, "topic", { operatorAccount: "leckie", name }).allowed;
}

/** What a cold isolate does without the compiled form: hash the document, compile it, decide once. */
export async function firstDecisionCompiling(text: string, name: string): Promise<boolean> {
	await sha256Hex(text);
	return decide(compile(text), "leckie", name);
}
