// What to do about a live name, decided from the policy alone: pure functions, no I/O. The queue consumer
// (actions.ts) gathers the facts (which topic, its earlier names) and carries the plan out.
import {
	type CompiledPolicy,
	type CompiledRules,
	evaluateCreation,
	evaluateName,
	type Verdict,
} from "../policy";

/** How a name went live: renamed, or created without a working before-callback check. */
export type NameEvent = "rename" | "create";

/** A live name to judge. */
export interface LiveName {
	target: "topic" | "group";
	event: NameEvent;
	name: string;
	/** Who set it (`Operator_Account`), when known. */
	operatorAccount: string | null;
}

/** The rules that judge a target, or null when the policy has none for it (groups without groupCreation). */
function rulesFor(policy: CompiledPolicy, target: LiveName["target"]): CompiledRules | null {
	return target === "topic" ? policy.topic : policy.group;
}

/**
 * The verdict on a live name, or null when the policy lets it stand. Renames are judged on the name alone
 * (plus `bypass`); creations as the before-callback would have judged them, operator rules included.
 */
export function refusalOf(policy: CompiledPolicy, live: LiveName): Verdict | null {
	const rules = rulesFor(policy, live.target);
	if (rules === null) return null;
	const operator = live.operatorAccount ?? "";
	let verdict: Verdict;
	if (live.event === "create") {
		verdict = evaluateCreation(policy, live.target, { operatorAccount: operator, name: live.name });
	} else {
		if (rules.bypass.has(operator)) return null;
		verdict = evaluateName(rules, live.name);
	}
	return verdict.allowed ? null : verdict;
}

/** What the ledger records and the consumer carries out. */
export interface Plan {
	action: "log" | "revert" | "rename" | "destroy";
	/** The name revert/rename sets; null for log and destroy. */
	newName: string | null;
	/** `pending` is carried out; `skipped` is only recorded, with the reason. */
	status: "pending" | "skipped";
	reason: string | null;
	rule: string | null;
}

/**
 * Plans the enforcement of a refused live name. `history` holds the target's earlier names, newest first;
 * `canAct` is false when no key is configured (enforcement then stays "log").
 * @example planAction(policy, live, refusal, ["Weekly chat"], true) // { action: "revert", newName: "Weekly chat", … }
 */
export function planAction(
	policy: CompiledPolicy,
	live: LiveName,
	refusal: Verdict,
	history: readonly string[],
	canAct: boolean,
): Plan {
	const settings = policy.enforcement;
	const action = live.event === "rename" ? settings.renames : settings.creates;
	const rule = refusal.rule;
	const setting = `enforcement.${live.event === "rename" ? "renames" : "creates"}`;
	const rules = rulesFor(policy, live.target);
	let newName: string | null = null;
	if (action === "rename") newName = settings.fallbackName;
	if (action === "revert") newName = lastAllowedName(rules, live.name, history) ?? settings.fallbackName;
	const skipped = (reason: string): Plan => ({ action, newName, status: "skipped", reason, rule });
	if (action === "log") return skipped(`${setting} is "log"`);
	if (refusal.dryRun) return skipped(`dry-run: would ${action}`);
	if (live.target === "group" && action === "destroy")
		return skipped("groups are never destroyed by enforcement; use revert to restore a group's name");
	if (!canAct) return skipped("no TENCENT_SECRET_KEY for this SdkAppid: enforcement stays log");
	return { action, newName, status: "pending", reason: null, rule };
}

/** The newest earlier name that the policy allows now, other than the refused one. */
export function lastAllowedName(
	rules: CompiledRules | null,
	refused: string,
	history: readonly string[],
): string | null {
	if (rules === null) return null;
	for (const name of history) {
		if (name !== refused && evaluateName(rules, name).allowed) return name;
	}
	return null;
}
