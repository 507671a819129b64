// The answer when no policy can decide: the var POLICY_FAIL_MODE, not the document, because it applies
// exactly when the document is unusable.
import { failModeOf } from "../config";
import { log } from "../log";

/** The answer to one BeforeCreateTopic/BeforeCreateGroup callback, and why. */
export interface PolicyDecision {
	allowed: boolean;
	/** 0 when allowed; 1 or 10100–10200 when refused. */
	errorCode: number;
	errorInfo: string;
	/** Which rule decided, as text, e.g. 'operators.deny', 'names.banned[3] "casino"'. */
	rule: string | null;
	policyVersion: string | null;
	/** dry-run: a refusal is logged but the answer is 0. */
	dryRun: boolean;
	source: "policy" | "last-known-good" | "fail-mode";
}

/**
 * The answer when no policy can decide (the callback body itself is unusable, or no good policy was
 * ever seen): POLICY_FAIL_MODE open → allow, closed → refuse with 1. Logs loudly.
 */
export function failModeDecision(env: Env, reason: string): PolicyDecision {
	const closed = failModeOf(env) === "closed";
	log("error", "policy.fail_mode", { mode: closed ? "closed" : "open", answer: closed ? 1 : 0, reason });
	return {
		allowed: !closed,
		errorCode: closed ? 1 : 0,
		errorInfo: "",
		rule: `POLICY_FAIL_MODE=${closed ? "closed" : "open"}`,
		policyVersion: null,
		dryRun: false,
		source: "fail-mode",
	};
}
