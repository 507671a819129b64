// The evaluator: a pure function from (compiled policy, creation request) to a verdict.
// Decision order: deny list, allow list, bypass, length, `allowed` exceptions, banned entries.
import { findFirstBanned } from "./banned";
import type { CompiledPolicy, CompiledRules } from "./compile";
import { characterCount, foldText, skeleton } from "./normalize";

/** Which creation callback asks. */
export type CreationKind = "topic" | "group";

/** The fields of a BeforeCreateTopic/BeforeCreateGroup callback the policy looks at. */
export interface CreationRequest {
	operatorAccount: string;
	name: string;
	type?: string | undefined;
}

/** What the policy says, before dry-run is applied: `allowed` false means enforce mode would refuse. */
export interface Verdict {
	allowed: boolean;
	errorCode: number;
	errorInfo: string;
	/** The rule that decided, as text; null when nothing matched and the creation is allowed. */
	rule: string | null;
	/** The rules decide in dry-run mode: a refusal is logged, the callback still answers 0. */
	dryRun: boolean;
}

/**
 * Decides one creation with a compiled policy. Pure and total: never throws, never does I/O.
 * @example evaluateCreation(policy, "topic", { operatorAccount: "leckie", name: "c4s1no" })
 * // { allowed: false, errorCode: 1, errorInfo: "", rule: 'names.banned[0] "casino"', dryRun: false }
 */
export function evaluateCreation(
	policy: CompiledPolicy,
	kind: CreationKind,
	request: CreationRequest,
): Verdict {
	const rules = kind === "topic" ? policy.topic : policy.group;
	if (rules === null) return allow(null, false);
	return evaluateRules(rules, request);
}

function evaluateRules(rules: CompiledRules, { operatorAccount, name }: CreationRequest): Verdict {
	const dryRun = rules.mode === "dry-run";
	if (rules.deny.has(operatorAccount)) return refuse(rules, `${rules.operatorsPath}.deny`);
	if (rules.allow !== null && !rules.allow.has(operatorAccount))
		return refuse(rules, `${rules.operatorsPath}.allow`);
	if (rules.bypass.has(operatorAccount)) return allow(`${rules.operatorsPath}.bypass`, dryRun);
	return evaluateName(rules, name);
}

/**
 * Judges a name alone (length, `allowed`, `banned`), without the operator rules: for names already live,
 * where who created the topic no longer decides. Pure.
 */
export function evaluateName(rules: CompiledRules, name: string): Verdict {
	const dryRun = rules.mode === "dry-run";
	const text = foldText(name);
	const length = characterCount(text);
	if (rules.minLength !== null && length < rules.minLength) {
		return refuse(rules, `${rules.namesPath}.minLength`);
	}
	if (rules.maxLength !== null && length > rules.maxLength) {
		return refuse(rules, `${rules.namesPath}.maxLength`);
	}

	const exception = rules.allowed.get(text);
	if (exception !== undefined) {
		const allowedName = JSON.stringify(rules.allowedNames[exception]);
		return allow(`${rules.namesPath}.allowed[${exception}] ${allowedName}`, dryRun);
	}
	const entry = findFirstBanned(rules.banned, name, text, skeleton(text));
	if (entry >= 0) {
		const banned = rules.banned.ruleAt(entry);
		return refuse(rules, banned.rule, banned.errorCode, banned.errorInfo);
	}
	return allow(null, dryRun);
}

function refuse(rules: CompiledRules, rule: string, errorCode?: number, errorInfo?: string): Verdict {
	return {
		allowed: false,
		errorCode: errorCode ?? rules.refusal.errorCode,
		errorInfo: errorInfo ?? rules.refusal.errorInfo,
		rule,
		dryRun: rules.mode === "dry-run",
	};
}

function allow(rule: string | null, dryRun: boolean): Verdict {
	return { allowed: true, errorCode: 0, errorInfo: "", rule, dryRun };
}
