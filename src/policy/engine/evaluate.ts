// The evaluator: a pure function from (compiled policy, creation request) to a verdict, and the same
// decision with its explanation (what the name was compared as, what matched where, what excused it).
// Decision order: deny list, allow list, bypass, length, `allowed` names, banned entries (minus matches
// inside `allowed` patterns).
import { POLICY_LIMITS } from "../document/limits";
import type { AllowedEntry, MatchMode } from "../document/schema";
import { findFirstBanned, type NameForms } from "./banned";
import { characterCount, foldedLengthBound, foldText } from "./folding";
import { newSearch, searchReading, windowMargin } from "./matcher";
import { matchedPinyin } from "./pinyin";
import { partsThatMayMatch, readInParts } from "./prefilter";
import { foldedValue, nameReadings, partsReadAlike, windowed } from "./readings";
import type { CompiledPolicy, CompiledRules, CreationKind, CreationRequest, Verdict } from "./types";

/** A span of the name as received: UTF-16 offsets (end exclusive) and the text there. */
export interface NameSpan {
	start: number;
	end: number;
	text: string;
}

/** Why a name was refused or allowed by the name rules (documented in docs/policy.md). */
export interface Explanation {
	/** The name's text form (lengths, `allowed` names and regexes without `fold` compare it). */
	text: string;
	/** The name's folded form as written. */
	normalized: string;
	/** Every reading of the folded form the patterns were compared with. */
	readings: { reading: string; folded: string }[];
	/** The banned entry that refuses the name, or null. */
	match: {
		rule: string;
		entry: number;
		match: MatchMode;
		value: string;
		/** The reading it was found in, or `text form` / `exactly as received`. */
		reading: string;
		/** Where in the name (a regex without `fold` matches the text form: its span is the whole name). */
		span: NameSpan;
		/** For a `pinyin` entry matched through its pinyin: what the span spelled (`du 博` for 赌博). */
		pinyin?: string;
	} | null;
	/** `allowed` entries that excused a banned match, each with the match it excused. */
	exceptions: {
		rule: string;
		/** The part of the name the allowed entry covers (the whole name for a string entry). */
		span: NameSpan;
		excused: { rule: string; span: NameSpan };
	}[];
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
	return evaluateRules(rules, request, null);
}

/**
 * The same decision as {@link evaluateCreation}, with its explanation (null when no name rule was
 * reached: operator rules decided, or groups are not governed).
 */
export function explainCreation(
	policy: CompiledPolicy,
	kind: CreationKind,
	request: CreationRequest,
): { verdict: Verdict; explanation: Explanation | null } {
	const rules = kind === "topic" ? policy.topic : policy.group;
	if (rules === null) return { verdict: allow(null, false), explanation: null };
	const explanation: { value: Explanation | null } = { value: null };
	const verdict = evaluateRules(rules, request, explanation);
	return { verdict, explanation: explanation.value };
}

function evaluateRules(
	rules: CompiledRules,
	{ operatorAccount, name }: CreationRequest,
	explain: { value: Explanation | null } | null,
): Verdict {
	const dryRun = rules.mode === "dry-run";
	if (rules.deny.has(operatorAccount)) return refuse(rules, `${rules.operatorsPath}.deny`);
	if (rules.allow !== null && !rules.allow.has(operatorAccount))
		return refuse(rules, `${rules.operatorsPath}.allow`);
	if (rules.bypass.has(operatorAccount)) return allow(`${rules.operatorsPath}.bypass`, dryRun);
	return judgeName(rules, name, explain);
}

/**
 * Judges a name alone (length, `allowed`, `banned`), without the operator rules: for names already live,
 * where who created the topic no longer decides. With `inParts`, a long text is first read through the
 * prefilter (prefilter.ts): for the texts judged after the fact, not a callback's name, since a policy's
 * first such text builds the prefilter (tens of milliseconds for 10,000 entries). Pure.
 */
export function evaluateName(rules: CompiledRules, name: string, inParts = false): Verdict {
	return judgeName(rules, name, null, inParts);
}

/** Judges a name alone, with its explanation (what explainCreation gives past the operator rules). Pure. */
export function explainName(
	rules: CompiledRules,
	name: string,
): { verdict: Verdict; explanation: Explanation | null } {
	const explanation: { value: Explanation | null } = { value: null };
	const verdict = judgeName(rules, name, explanation);
	return { verdict, explanation: explanation.value };
}

/** Length past which a name is read in windows when it may be (readings.ts): names stay as they were. */
const LONG_TEXT = 64;

function judgeName(
	rules: CompiledRules,
	name: string,
	explain: { value: Explanation | null } | null,
	inParts = false,
): Verdict {
	const dryRun = rules.mode === "dry-run";
	// Over the hard limit, refused before any folding or matching: the cost of a decision stays bounded.
	if (name.length > POLICY_LIMITS.nameLength) return refuse(rules, `${rules.namesPath}.maxLength`);
	const maxLength = rules.maxLength ?? POLICY_LIMITS.nameLength;
	// A long text judged after the fact is read through the prefilter first (see searchParts).
	const read =
		inParts && explain === null && name.length > LONG_TEXT
			? partsThatMayMatch(rules.banned.normalized, name, rules.allowedPatterns)
			: null;
	// Its text form is made only when a rule looks at it: a minimum length, an exact `allowed` name, a regex
	// on the text form, or a maximum length the pass's count of units outside ASCII leaves open.
	const text =
		read !== null &&
		rules.minLength === null &&
		rules.allowed.size === 0 &&
		rules.banned.normalized.regexes === null &&
		foldedLengthBound(name.length, read.outside) <= maxLength
			? null
			: foldText(name);
	// Counted only when the UTF-16 length (one or two units a character) leaves the answer open.
	const minLength = rules.minLength;
	if (text !== null && ((minLength !== null && text.length < 2 * minLength) || text.length > maxLength)) {
		const length = characterCount(text);
		if (minLength !== null && length < minLength) return refuse(rules, `${rules.namesPath}.minLength`);
		if (length > maxLength) return refuse(rules, `${rules.namesPath}.maxLength`);
	}

	// A look-up hashes the whole text: not made when there is nothing to look up.
	const exception = text === null || rules.allowed.size === 0 ? undefined : rules.allowed.get(text);
	// Without an explanation, a long text's other readings are read in windows (readings.ts), which find the
	// same entries as long as no match is excused.
	// Asked only when needed (each side's margin is kept once worked out): a policy's first decision would
	// otherwise pay for reading its every value.
	const sound = () => marginOf(rules);
	const long = explain === null && exception === undefined && name.length > LONG_TEXT;
	const margin = long ? sound() : -1;
	let best = long && read !== null ? searchParts(rules, name, text ?? "", read.parts, sound) : undefined;
	if (exception !== undefined && text !== null) {
		if (explain !== null) {
			const forms = { name, text, readings: nameReadings(name, text, margin, sound) };
			explain.value = explainWholeNameException(rules, forms, exception);
		}
		return allow(allowedRule(rules, exception), dryRun);
	}
	best ??= searchName(rules, name, text ?? foldText(name), margin, sound, explain, false);
	if (best !== Number.POSITIVE_INFINITY) {
		const banned = rules.banned.ruleAt(best);
		return refuse(rules, banned.rule, banned.errorCode, banned.errorInfo);
	}
	return allow(null, dryRun);
}

/**
 * The first banned entry (in document order) that refuses a name or a part of a long text (`part`: its
 * text form, then unused, and raw name are left to the caller), Infinity when none, explained when asked.
 * Without `excusable` (no `allowed` pattern can match the part), exceptions are not looked for.
 */
function searchName(
	rules: CompiledRules,
	name: string,
	text: string,
	margin: number,
	sound: () => number,
	explain: { value: Explanation | null } | null,
	part: boolean,
	excusable = true,
): number {
	// A word's own mixes are read in windows in every search of the name (readings.ts), where they may be.
	const forms: NameForms = {
		name,
		text,
		readings: nameReadings(name, part ? undefined : text, margin, sound, part),
	};
	// Most names hold no banned match at all: the `allowed` patterns are only searched for once one does.
	let search = explain === null ? findFirstBanned(rules.banned, forms, [], null, part) : null;
	if (
		search === null ||
		(search.best !== Number.POSITIVE_INFINITY && rules.allowedPatterns !== null && excusable)
	) {
		const inWindows = margin >= 0 && windowed(forms.readings);
		// Allowed patterns that match nowhere in the windows match nowhere in the whole readings either (when
		// they are needles alone, see allowedInWindows): nothing is excused, and the search in windows stands.
		const excusesNothing =
			inWindows && allowedInWindows(rules, margin) && allowedSpans(rules, forms).excused.length === 0;
		if (search === null || !excusesNothing) {
			if (inWindows) forms.readings = nameReadings(name, part ? undefined : text, -1, sound, part);
			const spans = allowedSpans(rules, forms);
			const saved = explain === null ? null : [];
			search = findFirstBanned(rules.banned, forms, spans.excused, saved, part);
			if (explain !== null) explain.value = explanation(rules, forms, search, spans, saved ?? []);
		}
	}
	return search.best;
}

/**
 * A long text read only where a folded pattern may match it (prefilter.ts): the first banned entry that
 * refuses it, Infinity when none, or undefined when it must be read whole. Each part is read as the whole
 * text reads it: no match of a banned or `allowed` pattern reaches across the spaces between parts, the
 * patterns look at nothing outside their match (no exact value, glob, prefix or suffix), and the
 * text's characters read alike in a part (readings.ts, `partsReadAlike`). The text form's regexes and the
 * raw side are searched in the whole text; a match there is judged in full (an `allowed` pattern may excuse
 * it).
 */
function searchParts(
	rules: CompiledRules,
	name: string,
	text: string,
	parts: readonly number[],
	sound: () => number,
): number | undefined {
	const excuses = rules.allowedPatterns;
	// Parts that cannot be read alone: the whole text is read, and its text form with it.
	if (
		parts.length > 0 &&
		(!readInParts(rules.banned.normalized, false) ||
			(excuses !== null && !readInParts(excuses, true)) ||
			!partsReadAlike(name))
	)
		return undefined;
	if (findFirstBanned(rules.banned, { name, text, readings: [] }).best !== Number.POSITIVE_INFINITY)
		return undefined;
	if (parts.length === 0) return Number.POSITIVE_INFINITY;
	let best = Number.POSITIVE_INFINITY;
	for (let i = 0; i < parts.length; i += 3) {
		const part = name.slice(parts[i], parts[i + 1]);
		// A part is short: its readings are made whole, not in windows (which find the same entries). Its text
		// form is not needed: the text form's regexes were searched in the whole text.
		best = Math.min(best, searchName(rules, part, "", -1, sound, null, true, parts[i + 2] === 1));
	}
	return best;
}

/**
 * The margin of a long text's windows (readings.ts): wide enough for the banned entries, and for the
 * `allowed` patterns when they can be looked for in windows too; -1 when the banned entries cannot be.
 */
function marginOf(rules: CompiledRules): number {
	const banned = windowMargin(rules.banned.normalized);
	const side = rules.allowedPatterns;
	if (banned < 0 || side === null) return banned;
	return Math.max(banned, windowMargin(side));
}

/**
 * Whether the `allowed` patterns find a match in the windows of a long text read with `margin` exactly
 * when they find one in its whole readings: they compare no whole reading and hold no folded regex (a
 * regex reports only its first match in each reading), and the margin is wide enough for them.
 */
function allowedInWindows(rules: CompiledRules, margin: number): boolean {
	const side = rules.allowedPatterns;
	if (side === null || side.foldedRegexes !== null) return false;
	const needed = windowMargin(side);
	return needed >= 0 && needed <= margin;
}

/** No `allowed` patterns, no spans: shared, so that a policy without them allocates nothing for them. */
const NO_SPANS: { excused: readonly number[]; entries: readonly number[] } = Object.freeze({
	excused: Object.freeze([]),
	entries: Object.freeze([]),
});

/** The spans of the name the `allowed` patterns match (flat [start, end, …]) and the entry of each. */
function allowedSpans(
	rules: CompiledRules,
	forms: NameForms,
): { excused: readonly number[]; entries: readonly number[] } {
	const side = rules.allowedPatterns;
	if (side === null) return NO_SPANS;
	const search = newSearch();
	search.all = [];
	forms.readings.forEach((reading, index) => {
		searchReading(side, reading, index, search);
	});
	const excused: number[] = [];
	const entries: number[] = [];
	const { all } = search;
	for (let i = 0; i < all.length; i += 3) {
		const entry = all[i] as number;
		const start = all[i + 1] as number;
		const end = all[i + 2] as number;
		if (!writtenAlike(rules, entry, forms.name.slice(start, end))) continue;
		entries.push(entry);
		excused.push(start, end);
	}
	return { excused, entries };
}

/** Digits and punctuation that a reading may take for letters (`f1ck`, `f!ck`, `f*ck` read as `fick`). */
const READ_AS_LETTERS = /[0-9!|(/+*$@€]/;

/**
 * Whether the `allowed` entry `index` matched where the name writes it: an exception protects a word as its
 * letters spell it, not a digit or punctuation read as one of them (`fick` does not excuse `f!ck`), unless
 * the entry itself holds such characters.
 */
function writtenAlike(rules: CompiledRules, index: number, span: string): boolean {
	if (!READ_AS_LETTERS.test(span)) return true;
	const entry = rules.allowedNames[index] as AllowedEntry;
	return READ_AS_LETTERS.test(typeof entry === "string" ? entry : entry.value);
}

function allowedRule(rules: CompiledRules, index: number): string {
	const entry = rules.allowedNames[index] as AllowedEntry;
	const shown =
		typeof entry === "string" ? JSON.stringify(entry) : `${entry.match} ${JSON.stringify(entry.value)}`;
	const borrowed = rules.allowedBorrowed ?? 0;
	if (index < borrowed) return `names.allowed[${index}] ${shown}`;
	return `${rules.namesPath}.allowed[${index - borrowed}] ${shown}`;
}

function nameSpan(name: string, start: number, end: number): NameSpan {
	return { start, end, text: name.slice(start, end) };
}

function readingLabel(forms: NameForms, reading: number, entryIsRaw: boolean): string {
	if (reading >= 0) return (forms.readings[reading] as { label: string }).label;
	return entryIsRaw ? "exactly as received" : "text form";
}

function baseExplanation(forms: NameForms): Explanation {
	return {
		text: forms.text,
		normalized: forms.readings[0]?.written ?? "",
		readings: forms.readings.map((reading) => ({ reading: reading.label, folded: reading.written })),
		match: null,
		exceptions: [],
	};
}

function explanation(
	rules: CompiledRules,
	forms: NameForms,
	search: ReturnType<typeof findFirstBanned>,
	spans: { excused: readonly number[]; entries: readonly number[] },
	saved: number[],
): Explanation {
	const out = baseExplanation(forms);
	if (search.best !== Number.POSITIVE_INFINITY) {
		const { match, value } = rules.banned.entryAt(search.best);
		const raw = search.reading < 0 && match !== "regex";
		out.match = {
			rule: rules.banned.ruleAt(search.best).rule,
			entry: search.best,
			match,
			value,
			reading: readingLabel(forms, search.reading, raw),
			span: nameSpan(forms.name, search.start, search.end),
		};
		const pinyin = raw
			? null
			: matchedPinyin(foldedValue(value).written, foldedValue(out.match.span.text).written);
		if (pinyin !== null) out.match.pinyin = pinyin;
	}
	const seen = new Set<string>();
	for (let i = 0; i < saved.length; i += 4) {
		const [entry, start, end, span] = saved.slice(i, i + 4) as [number, number, number, number];
		const rule = allowedRule(rules, spans.entries[span] as number);
		const excusedRule = rules.banned.ruleAt(entry).rule;
		const key = `${rule} ${excusedRule} ${start}`;
		if (seen.has(key)) continue;
		seen.add(key);
		out.exceptions.push({
			rule,
			span: nameSpan(forms.name, spans.excused[2 * span] as number, spans.excused[2 * span + 1] as number),
			excused: { rule: excusedRule, span: nameSpan(forms.name, start, end) },
		});
	}
	return out;
}

/** A name allowed as a whole: which banned entry it would otherwise have met. */
function explainWholeNameException(rules: CompiledRules, forms: NameForms, index: number): Explanation {
	const out = baseExplanation(forms);
	const search = findFirstBanned(rules.banned, forms);
	if (search.best !== Number.POSITIVE_INFINITY) {
		out.exceptions.push({
			rule: allowedRule(rules, index),
			span: nameSpan(forms.name, 0, forms.name.length),
			excused: {
				rule: rules.banned.ruleAt(search.best).rule,
				span: nameSpan(forms.name, search.start, search.end),
			},
		});
	}
	return out;
}

export function refuse(rules: CompiledRules, rule: string, errorCode?: number, errorInfo?: string): Verdict {
	return {
		allowed: false,
		errorCode: errorCode ?? rules.refusal.errorCode,
		errorInfo: errorInfo ?? rules.refusal.errorInfo,
		rule,
		dryRun: rules.mode === "dry-run",
	};
}

export function allow(rule: string | null, dryRun: boolean): Verdict {
	return { allowed: true, errorCode: 0, errorInfo: "", rule, dryRun };
}
