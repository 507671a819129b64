// The `texts` section: the texts members read in a topic's or group's profile (Introduction, Notification)
// judged with the name matcher, and FaceUrl judged by its scheme and host. Pure: no I/O.
import type { TextField } from "../document/schema";
import { allow, type Explanation, evaluateName, explainName, refuse } from "./evaluate";
import type { CompiledPolicy, CompiledRules, CompiledTexts, JudgedField, Verdict } from "./types";

/** The profile field behind each judged text, as Tencent spells it. */
export const TENCENT_FIELD: Record<JudgedField, "Name" | TextField | "FaceUrl"> = {
	name: "Name",
	introduction: "Introduction",
	notification: "Notification",
	face_url: "FaceUrl",
};

/** The text fields (not the name), in the order a profile change is judged. */
export const TEXT_KEYS = ["introduction", "notification", "face_url"] as const;
export type TextKey = (typeof TEXT_KEYS)[number];

/**
 * The rules a target's texts are judged by, or null when the document has no `texts`: operators, mode and
 * refusal of the target's rules (a group without `groupCreation` uses the topic rules), the banned list and
 * exceptions of `texts`, no minimum length (clearing a text to "" is always allowed).
 */
export function textRules(policy: CompiledPolicy, target: "topic" | "group"): CompiledRules | null {
	const texts = policy.texts;
	if (texts === null) return null;
	let made = madeRules.get(policy);
	if (made === undefined) {
		made = { topic: textRulesOf(policy, texts, "topic"), group: textRulesOf(policy, texts, "group") };
		madeRules.set(policy, made);
	}
	return made[target];
}

/** The text rules of each policy judged so far (a compiled policy never changes): made once, not per text. */
const madeRules = new WeakMap<CompiledPolicy, Record<"topic" | "group", CompiledRules>>();

function textRulesOf(policy: CompiledPolicy, texts: CompiledTexts, target: "topic" | "group"): CompiledRules {
	const base = target === "group" ? (policy.group ?? policy.topic) : policy.topic;
	return {
		...base,
		namesPath: "texts",
		minLength: null,
		maxLength: texts.maxLength,
		banned: texts.banned ?? policy.topic.banned,
		allowed: texts.allowed,
		allowedNames: texts.allowedNames,
		allowedPatterns: texts.allowedPatterns,
		allowedBorrowed: texts.allowedBorrowed,
	};
}

/** Whether the policy judges `field` at all (names always; a text only when `texts` lists it). */
export function judgesField(policy: CompiledPolicy, field: JudgedField): boolean {
	if (field === "name") return true;
	const texts = policy.texts;
	if (texts === null) return false;
	if (field === "face_url") return texts.faceUrl !== null;
	return texts.fields.includes(TENCENT_FIELD[field] as TextField);
}

/**
 * Judges one text of a live topic or group on its value alone (no operator rules: `bypass` is the
 * caller's, as for renames). A field the policy does not judge is allowed. Pure and total.
 * @example
 * evaluateText(policy, "topic", "notification", "Play at c4s1no tonight");
 * // { allowed: false, rule: 'names.banned[0] "casino"', … }
 */
export function evaluateText(
	policy: CompiledPolicy,
	target: "topic" | "group",
	field: TextKey,
	value: string,
): Verdict {
	return judgeText(policy, target, field, value, false).verdict;
}

/** The same decision as {@link evaluateText}, with the matcher's explanation for Introduction and Notification. */
export function explainText(
	policy: CompiledPolicy,
	target: "topic" | "group",
	field: TextKey,
	value: string,
): { verdict: Verdict; explanation: Explanation | null } {
	return judgeText(policy, target, field, value, true);
}

/**
 * A text of a live profile set by `operatorAccount`, as enforcement judges it: allowed for the target's
 * `operators.bypass`, else as {@link explainText}. For the check API and the CLI. Pure.
 */
export function explainTextBy(
	policy: CompiledPolicy,
	target: "topic" | "group",
	field: TextKey,
	operatorAccount: string,
	value: string,
): { verdict: Verdict; explanation: Explanation | null } {
	const rules = textRules(policy, target);
	if (rules?.bypass.has(operatorAccount))
		return { verdict: allow(`${rules.operatorsPath}.bypass`, rules.mode === "dry-run"), explanation: null };
	return explainText(policy, target, field, value);
}

/** The decision, explained only when asked: the explanation costs a second search of the text. */
function judgeText(
	policy: CompiledPolicy,
	target: "topic" | "group",
	field: TextKey,
	value: string,
	explain: boolean,
): { verdict: Verdict; explanation: Explanation | null } {
	const rules = textRules(policy, target);
	const texts = policy.texts;
	if (rules === null || texts === null || !judgesField(policy, field))
		return { verdict: allow(null, rules?.mode === "dry-run"), explanation: null };
	if (field === "face_url") return { verdict: judgeFaceUrl(rules, texts, value), explanation: null };
	return explain
		? explainName(rules, value)
		: { verdict: evaluateName(rules, value, true), explanation: null };
}

/**
 * A FaceUrl is allowed when it is "" (no photo), or an http(s) URL (https only with `https: true`) whose
 * host is one of `hosts` or a subdomain of one (any host when `hosts` is empty or absent).
 */
function judgeFaceUrl(rules: CompiledRules, texts: CompiledTexts, value: string): Verdict {
	const faceUrl = texts.faceUrl;
	if (faceUrl === null || value === "") return allow(null, rules.mode === "dry-run");
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return refuse(rules, "texts.faceUrl: not a URL");
	}
	if (faceUrl.https && url.protocol !== "https:") return refuse(rules, "texts.faceUrl.https");
	if (url.protocol !== "https:" && url.protocol !== "http:")
		return refuse(rules, "texts.faceUrl: not an http(s) URL");
	if (faceUrl.hosts.length > 0 && !hostAllowed(url.hostname, faceUrl.hosts))
		return refuse(rules, "texts.faceUrl.hosts");
	return allow(null, rules.mode === "dry-run");
}

/** Whether `host` is one of `hosts` or a subdomain of one (both in lower case, as URL spells hosts). */
export function hostAllowed(host: string, hosts: readonly string[]): boolean {
	const bare = host.endsWith(".") ? host.slice(0, -1) : host;
	return hosts.some((allowed) => bare === allowed || bare.endsWith(`.${allowed}`));
}

/** A `texts.faceUrl.hosts` entry as URL spells hosts (lower case, punycode), or null when it is not a host. */
export function canonicalHost(entry: string): string | null {
	if (/[/:@?#\s]/.test(entry)) return null;
	try {
		const host = new URL(`https://${entry}/`).hostname;
		return host === "" ? null : host.replace(/\.$/, "");
	} catch {
		return null;
	}
}
