// What to do about a live name or text, decided from the policy alone: pure functions, no I/O. The queue
// consumer (actions.ts) gathers the facts (which topic, its earlier values) and carries the plan out.
import { fitsInUtf8Bytes } from "../crypto";
import {
	type CompiledPolicy,
	type CompiledRules,
	evaluateCreation,
	evaluateName,
	evaluateText,
	type JudgedField,
	TENCENT_NAME_MAX_BYTES,
	type TextKey,
	textRules,
	type Verdict,
} from "../policy";
import type { Plan } from "../store/enforcement-actions";

export type { Plan };

/** How a name went live: renamed, or created without a working before-callback check. */
export type NameEvent = "rename" | "create";

/** A live name (or text: introduction, notification, face URL) to judge. */
export interface LiveName {
	target: "topic" | "group";
	event: NameEvent;
	/** Which field `name` holds: the name itself, or one of the texts. */
	field: JudgedField;
	/** The field's value. */
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
	if (live.field !== "name") {
		// A text is judged on its value alone, like a rename, whichever event brought it.
		const rules = textRules(policy, live.target);
		if (rules === null || rules.bypass.has(live.operatorAccount ?? "")) return null;
		const verdict = evaluateText(policy, live.target, live.field, live.name);
		return verdict.allowed ? null : verdict;
	}
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
	if (live.field !== "name") return planText(policy, live, live.field, refusal, history, canAct);
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

/**
 * Plans the enforcement of a refused text (`enforcement.texts`): revert to the newest earlier value the
 * policy allows now, else "", or clear it to "". `history` holds the field's earlier values, newest first.
 */
function planText(
	policy: CompiledPolicy,
	live: LiveName,
	field: TextKey,
	refusal: Verdict,
	history: readonly string[],
	canAct: boolean,
): Plan {
	const action = policy.enforcement.texts;
	const rule = refusal.rule;
	let newName: string | null = null;
	if (action === "clear") newName = "";
	if (action === "revert") newName = lastAllowedText(policy, live, field, history) ?? "";
	const skipped = (reason: string): Plan => ({ action, newName, status: "skipped", reason, rule });
	if (action === "log") return skipped('enforcement.texts is "log"');
	if (refusal.dryRun) return skipped(`dry-run: would ${action}`);
	if (!canAct) return skipped("no TENCENT_SECRET_KEY for this SdkAppid: enforcement stays log");
	return { action, newName, status: "pending", reason: null, rule };
}

/** The newest earlier value of a text that the policy allows now, other than the refused one. Pure. */
export function lastAllowedText(
	policy: CompiledPolicy,
	live: LiveName,
	field: TextKey,
	history: readonly string[],
): string | null {
	for (const value of history) {
		if (value === live.name) continue;
		if (evaluateText(policy, live.target, field, value).allowed) return value;
	}
	return null;
}

/**
 * The newest earlier name that the policy allows now, other than the refused one. History comes from
 * callback bodies, which Tencent's Sign does not cover: a name Tencent could never have held (over its
 * 30 bytes) is passed over, so a planted one can neither be written nor make the revert fail with 10004.
 */
export function lastAllowedName(
	rules: CompiledRules | null,
	refused: string,
	history: readonly string[],
): string | null {
	if (rules === null) return null;
	for (const name of history) {
		if (name === refused || !fitsInUtf8Bytes(name, TENCENT_NAME_MAX_BYTES)) continue;
		if (evaluateName(rules, name).allowed) return name;
	}
	return null;
}

/** What Tencent reports of the target right before an action: its current name, texts and who owns it. */
export interface ReportedTarget {
	name: string;
	/** The current introduction, notification and face URL. */
	texts: Record<TextKey, string>;
	/** The owner Tencent reports (`get_group_info`'s `Owner_Account`); null for topics: get_topic has none. */
	ownerAccount: string | null;
}

/** What is known of a recorded action when Tencent's report comes back. */
export interface RecordedAction {
	target: LiveName["target"];
	/** `create` for an unchecked creation, `rename` for a rename or a backtest. */
	event: NameEvent;
	/** The rule that refused the name the callback (or the backtest) claimed. */
	rule: string | null;
	operatorAccount: string | null;
	/** Which field was refused ("name" for a name). */
	field: JudgedField;
}

/** Whether a rule refuses on who the operator is (deny list or allowlist), not on the name. */
export function restsOnOperator(rule: string | null): boolean {
	return rule !== null && /(^|\.)operators\.(deny|allow)$/.test(rule);
}

/**
 * Whether Tencent's report confirms the refusal: act only when the name Tencent reports is still refused
 * by the live policy. A callback body is not signed, so its name and operator are claims; Tencent's answer
 * is the fact. Operator rules count only when Tencent itself names the account (a group's owner): get_topic
 * reports no creator or owner, so a topic refused for its operator alone is recorded and never acted on.
 * Returns null to act, or the reason to skip. Pure.
 */
export function unconfirmedReason(
	policy: CompiledPolicy,
	action: RecordedAction,
	reported: ReportedTarget | null,
): string | null {
	const kind = action.target === "topic" ? "topic" : "group";
	if (reported === null) return `Tencent does not list the ${kind}: it is gone`;
	if (action.field !== "name") return unconfirmedText(policy, action, action.field, reported);
	const rules = rulesFor(policy, action.target);
	if (rules === null) return `the live policy has no rules for ${kind}s`;
	if (action.operatorAccount !== null && rules.bypass.has(action.operatorAccount))
		return `${action.operatorAccount} is in ${rules.operatorsPath}.bypass`;
	const verdict =
		action.event === "create" && reported.ownerAccount !== null
			? evaluateCreation(policy, action.target, {
					operatorAccount: reported.ownerAccount,
					name: reported.name,
				})
			: evaluateName(rules, reported.name);
	if (!verdict.allowed)
		return verdict.dryRun ? `dry-run: the live policy would refuse ${verdict.rule}` : null;
	if (restsOnOperator(action.rule))
		return `the refusal rests on ${action.rule} alone, and Tencent does not confirm the operator${
			action.target === "topic" ? " (get_topic reports no creator or owner)" : ""
		}: recorded, not acted on`;
	return `Tencent reports the name ${JSON.stringify(reported.name)}, which the live policy allows`;
}

/** {@link unconfirmedReason} for a text: act only when the live policy refuses the value Tencent reports. */
function unconfirmedText(
	policy: CompiledPolicy,
	action: RecordedAction,
	field: TextKey,
	reported: ReportedTarget,
): string | null {
	const rules = textRules(policy, action.target);
	if (rules === null) return "the live policy has no texts section";
	if (action.operatorAccount !== null && rules.bypass.has(action.operatorAccount))
		return `${action.operatorAccount} is in ${rules.operatorsPath}.bypass`;
	const value = reported.texts[field];
	const verdict = evaluateText(policy, action.target, field, value);
	if (!verdict.allowed)
		return verdict.dryRun ? `dry-run: the live policy would refuse ${verdict.rule}` : null;
	return `Tencent reports the ${field} ${JSON.stringify(value)}, which the live policy allows`;
}
