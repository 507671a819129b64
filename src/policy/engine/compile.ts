// The compiler: a validated document becomes the structures the evaluator needs (sets, maps, automata),
// built once per policy text per isolate. Semantic checks the schema cannot express live here too.
import { parsePolicyText, policyLimitProblem } from "../document/parse";
import { locateJsonPath, type Outcome, type PathSegment, problem } from "../document/positions";
import {
	type AllowedEntry,
	ENFORCEMENT_DEFAULTS,
	type PolicyDocument,
	type RuleSection,
	TEXT_FIELDS,
} from "../document/schema";
import { addPattern, compileBanned } from "./banned";
import { evaluateName } from "./evaluate";
import { foldText } from "./folding";
import { type Side, SideBuilder } from "./matcher";
import { canonicalHost } from "./texts";
import type { CompiledPolicy, CompiledRules, CompiledTexts, EnforcementSettings } from "./types";

/**
 * Parses, validates and compiles a policy text. Never throws; a problem names the rule and position.
 * @example compilePolicyText('{"names":{"banned":["casino"]}}') // { ok: true, value: CompiledPolicy }
 */
export function compilePolicyText(text: string): Outcome<CompiledPolicy> {
	const parsed = parsePolicyText(text);
	if (!parsed.ok) return parsed;
	return compilePolicy(parsed.value, text);
}

/** Compiles a validated document; `text` (its source, when there is one) only serves to locate problems. */
export function compilePolicy(document: PolicyDocument, text = ""): Outcome<CompiledPolicy> {
	const limits = policyLimitProblem(document, text);
	if (!limits.ok) return limits;
	const topic = compileRules(document, {}, [], text);
	if (!topic.ok) return topic;
	let group: CompiledRules | null = null;
	if (document.groupCreation !== undefined) {
		const rules = compileRules(document, document.groupCreation, ["groupCreation"], text);
		if (!rules.ok) return rules;
		group = rules.value;
	}
	const texts = compileTexts(document, text);
	if (!texts.ok) return texts;
	const enforcement: EnforcementSettings = { ...ENFORCEMENT_DEFAULTS, ...document.enforcement };
	// The name enforcement writes must be one the policy allows, or a revert would itself be refused.
	for (const rules of [topic.value, group]) {
		if (rules === null || document.enforcement === undefined) continue;
		const verdict = evaluateName(rules, enforcement.fallbackName);
		if (!verdict.allowed) {
			const rule = "enforcement.fallbackName";
			const stated = document.enforcement.fallbackName !== undefined;
			const where =
				text === "" ? null : locateJsonPath(text, stated ? ["enforcement", "fallbackName"] : ["enforcement"]);
			return problem(
				`${rule}: ${JSON.stringify(enforcement.fallbackName)}${stated ? "" : " (the default)"} is refused by ${verdict.rule}; choose a name the policy allows`,
				rule,
				where,
			);
		}
	}
	return {
		ok: true,
		value: {
			version: document.version ?? null,
			enforcement,
			topic: topic.value,
			group,
			texts: texts.value,
		},
	};
}

/** Compiles `texts`: its own banned list (or none, for "names"), its exceptions and the FaceUrl hosts. */
function compileTexts(document: PolicyDocument, text: string): Outcome<CompiledTexts | null> {
	const texts = document.texts;
	if (texts === undefined) return { ok: true, value: null };
	const where = (...rest: PathSegment[]) => (text === "" ? null : locateJsonPath(text, ["texts", ...rest]));
	const ownBanned = texts.banned === undefined || texts.banned === "names" ? null : texts.banned;
	const borrowed = ownBanned === null ? (document.names?.allowed ?? []) : [];
	const allowedNames = [...borrowed, ...(texts.allowed ?? [])];
	// texts.allowed alone first, so that a problem names its own index; names.allowed compiled already.
	const own = compileAllowed(texts.allowed ?? [], "texts.allowed", (index) => where("allowed", index));
	if (!own.ok) return own;
	const allowed = borrowed.length === 0 ? own : compileAllowed(allowedNames, "texts.allowed", () => null);
	if (!allowed.ok) return allowed;
	let banned: CompiledTexts["banned"] = null;
	if (ownBanned !== null) {
		const compiled = compileBanned(ownBanned, "texts.banned", (index) => where("banned", index));
		if (!compiled.ok) return compiled;
		banned = compiled.value;
	}
	let faceUrl: CompiledTexts["faceUrl"] = null;
	if (texts.faceUrl !== undefined) {
		const hosts: string[] = [];
		for (const [index, entry] of (texts.faceUrl.hosts ?? []).entries()) {
			const host = canonicalHost(entry);
			const rule = `texts.faceUrl.hosts[${index}]`;
			if (host === null)
				return problem(
					`${rule}: ${JSON.stringify(entry)} is not a host name (write the host alone, without scheme, port or path)`,
					rule,
					where("faceUrl", "hosts", index),
				);
			hosts.push(host);
		}
		faceUrl = { hosts, https: texts.faceUrl.https ?? false };
	}
	return {
		ok: true,
		value: {
			fields: texts.fields ?? TEXT_FIELDS,
			maxLength: texts.maxLength ?? null,
			banned,
			allowed: allowed.value.names,
			allowedNames,
			allowedPatterns: allowed.value.patterns,
			allowedBorrowed: borrowed.length,
			faceUrl,
		},
	};
}

function compileRules(
	top: PolicyDocument,
	section: RuleSection,
	sectionPath: PathSegment[],
	text: string,
): Outcome<CompiledRules> {
	// A key the section leaves out falls back to the top-level one; rules report where they came from.
	const own = <K extends keyof RuleSection>(key: K): PathSegment[] =>
		section[key] !== undefined ? [...sectionPath, key] : [key];
	const operators = section.operators ?? top.operators ?? {};
	const names = section.names ?? top.names ?? {};
	const refusal = section.refusal ?? top.refusal ?? {};
	const namesPath = own("names");
	const where = (...rest: PathSegment[]) =>
		text === "" ? null : locateJsonPath(text, [...namesPath, ...rest]);
	const label = (path: PathSegment[]) => path.join(".");

	const minLength = names.minLength ?? null;
	const maxLength = names.maxLength ?? null;
	if (minLength !== null && maxLength !== null && minLength > maxLength) {
		const rule = `${label(namesPath)}.minLength`;
		return problem(`${rule}: ${minLength} is more than maxLength ${maxLength}`, rule, where("minLength"));
	}
	const allowed = compileAllowed(names.allowed ?? [], `${label(namesPath)}.allowed`, (index) =>
		where("allowed", index),
	);
	if (!allowed.ok) return allowed;
	const banned = compileBanned(names.banned ?? [], `${label(namesPath)}.banned`, (index) =>
		where("banned", index),
	);
	if (!banned.ok) return banned;

	return {
		ok: true,
		value: {
			mode: section.mode ?? top.mode ?? "enforce",
			refusal: { errorCode: refusal.errorCode ?? 1, errorInfo: refusal.errorInfo ?? "" },
			operatorsPath: label(own("operators")),
			allow: operators.allow !== undefined && operators.allow.length > 0 ? new Set(operators.allow) : null,
			deny: new Set(operators.deny ?? []),
			bypass: new Set(operators.bypass ?? []),
			namesPath: label(namesPath),
			minLength,
			maxLength,
			allowed: allowed.value.names,
			allowedNames: names.allowed ?? [],
			allowedPatterns: allowed.value.patterns,
			banned: banned.value,
		},
	};
}

/**
 * Compiles `names.allowed`: string entries become a map of whole names (text form), pattern entries one
 * side of the matcher, compared like banned entries (`contains` as `plain`).
 */
function compileAllowed(
	entries: readonly AllowedEntry[],
	path: string,
	at: (index: number) => { line: number; column: number } | null,
): Outcome<{ names: Map<string, number>; patterns: Side | null }> {
	const names = new Map<string, number>();
	const patterns = new SideBuilder(true, 0);
	let patternCount = 0;
	for (const [index, entry] of entries.entries()) {
		const rule = `${path}[${index}]`;
		if (typeof entry === "string") {
			const folded = foldText(entry);
			if (folded === "") return problem(`${rule}: empty once normalized`, rule, at(index));
			if (!names.has(folded)) names.set(folded, index);
			continue;
		}
		const match = entry.match === "contains" ? "plain" : entry.match;
		const trouble = addPattern(patterns, index, {
			value: entry.value,
			mode: match,
			normalize: true,
			fold: false,
		});
		if (trouble !== null) return problem(`${rule}: ${trouble}`, rule, at(index));
		patternCount++;
	}
	return { ok: true, value: { names, patterns: patternCount === 0 ? null : patterns.build() } };
}

/** A one-line-per-section summary of what a policy does, for the CLI's `check` and /healthz. */
export function summarizePolicy(policy: CompiledPolicy): Record<string, unknown> {
	const rules = (r: CompiledRules) => ({
		mode: r.mode,
		refusal: r.refusal,
		operators: { allow: r.allow?.size ?? 0, deny: r.deny.size, bypass: r.bypass.size },
		names: {
			minLength: r.minLength,
			maxLength: r.maxLength,
			allowed: r.allowedNames.length,
			banned: r.banned.size,
			bannedByMode: r.banned.counts,
		},
	});
	const texts = policy.texts;
	return {
		version: policy.version,
		topics: rules(policy.topic),
		groups: policy.group === null ? "always allowed (no groupCreation)" : rules(policy.group),
		texts:
			texts === null
				? "not judged (no texts)"
				: {
						fields: texts.fields,
						maxLength: texts.maxLength,
						banned: texts.banned === null ? "names" : texts.banned.size,
						allowed: texts.allowedNames.length - texts.allowedBorrowed,
						faceUrl: texts.faceUrl,
					},
	};
}
