// Parsing and validating a policy text: JSON → a document the schema accepts and the limits allow, or the
// problems that prevent it, each naming its rule and position.
import * as v from "valibot";
import { jsonDepthExceeds } from "../../json";
import { errorMessage } from "../../log";
import { POLICY_LIMITS, regexGroupDepth, regexProgramSize } from "./limits";
import {
	jsonSyntaxErrorOffset,
	lineAndColumn,
	locateJsonPath,
	type Outcome,
	type PathSegment,
	type PolicyProblem,
	problem,
	rulePath,
} from "./positions";
import { type BannedEntry, MATCH_MODES, type PolicyDocument, PolicyDocumentSchema } from "./schema";

/**
 * Parses and validates a policy text. Never throws: a bad text gives a problem naming the rule and its
 * line and column (JSON syntax errors give the position of the error).
 */
export function parsePolicyText(text: string): Outcome<PolicyDocument> {
	if (jsonDepthExceeds(text, POLICY_LIMITS.jsonDepth)) {
		return problem(
			`document: nests arrays and objects more than ${POLICY_LIMITS.jsonDepth} levels deep (the limit; a valid policy needs 5)`,
			null,
			null,
		);
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch (error) {
		const message = errorMessage(error);
		const offset = jsonSyntaxErrorOffset(text);
		const where = offset === null ? null : lineAndColumn(text, offset);
		return problem(`invalid JSON: ${message}`, null, where);
	}
	const fast = parseWithCheckedBannedLists(json);
	if (fast !== null) return { ok: true, value: fast };
	const result = v.safeParse(PolicyDocumentSchema, json);
	if (result.success) return { ok: true, value: result.output };
	return { ok: false, problem: issueProblem(result.issues[0], text) };
}

/**
 * Every schema problem of a policy text at once (the CLI lists them all), each with its rule path and
 * position; a JSON syntax error is the only problem of a text that is not JSON. Empty: the schema accepts
 * the document (compiling it may still find a bad regex: see compilePolicyText).
 */
export function policyProblems(text: string): PolicyProblem[] {
	const parsed = parsePolicyText(text);
	if (parsed.ok) return [];
	if (parsed.problem.message.startsWith("invalid JSON")) return [parsed.problem];
	const result = v.safeParse(PolicyDocumentSchema, JSON.parse(text), { abortEarly: false });
	if (result.success) return [parsed.problem];
	const problems = new Map<string, PolicyProblem>();
	for (const issue of result.issues) {
		const found = issueProblem(issue, text);
		problems.set(found.message, found);
	}
	// In the text's order, so the list reads top to bottom like the file.
	return [...problems.values()].sort(
		(a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
	);
}

/** The problem a valibot issue describes, worded with its rule path and placed in the text. */
function issueProblem(first: AnyIssue | undefined, text: string): PolicyProblem {
	const issue = mostSpecificIssue(first);
	const path = (issue.path ?? []).map((item) => item.key as PathSegment);
	const unknownKey = issue.expected === "never" && issue.path !== undefined;
	const rule = path.length > 0 ? rulePath(path) : null;
	const message = unknownKey
		? `${rule}: unknown key (allowed keys are listed in docs/policy.md; a typo here must not disable a rule)`
		: `${rule ?? "document"}: ${issue.message}`;
	return problem(message, rule, locateJsonPath(text, path, unknownKey)).problem;
}

const BANNED_ENTRY_KEYS = new Set([
	"match",
	"value",
	"errorCode",
	"errorInfo",
	"normalize",
	"fold",
	"pinyin",
	"note",
]);
const MATCH_MODE_SET: ReadonlySet<unknown> = new Set(MATCH_MODES);

/**
 * Whether `entry` is certainly valid under BannedEntrySchema: the same conditions, written out, so a
 * list of 100,000 entries is checked without one valibot run (and one output object) per entry.
 * False does not mean invalid: the caller then lets valibot decide and word the problem.
 */
function isPlainValidBannedEntry(entry: unknown): boolean {
	if (typeof entry === "string") return entry.length >= 1 && entry.length <= 1000;
	if (typeof entry !== "object" || entry === null || Object.getPrototypeOf(entry) !== Object.prototype) {
		return false;
	}
	const record = entry as Record<string, unknown>;
	for (const key in record) if (!BANNED_ENTRY_KEYS.has(key)) return false;
	const { match, value, errorCode, errorInfo, normalize, fold, pinyin, note } = record;
	return (
		typeof value === "string" &&
		value.length >= 1 &&
		value.length <= 1000 &&
		(match === undefined || MATCH_MODE_SET.has(match)) &&
		(errorCode === undefined ||
			errorCode === 1 ||
			(typeof errorCode === "number" &&
				Number.isInteger(errorCode) &&
				errorCode >= 10100 &&
				errorCode <= 10200)) &&
		(errorInfo === undefined || (typeof errorInfo === "string" && errorInfo.length <= 1000)) &&
		(normalize === undefined || typeof normalize === "boolean") &&
		(fold === undefined || typeof fold === "boolean") &&
		(pinyin === undefined || typeof pinyin === "boolean" || pinyin === "initials") &&
		(note === undefined || typeof note === "string")
	);
}

/** `value[key]` when `value` is a plain JSON object, else undefined. */
function member(value: unknown, key: string): unknown {
	return typeof value === "object" && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)[key]
		: undefined;
}

/**
 * Validates a parsed document whose `names.banned` lists (top level and `groupCreation`) pass
 * {@link isPlainValidBannedEntry}: valibot checks the rest of the document, the lists are kept as they
 * are. Null when a list has an entry the direct check does not vouch for, or when the document is
 * invalid: the caller then validates the whole document with valibot, which words the problem.
 */
function parseWithCheckedBannedLists(json: unknown): PolicyDocument | null {
	const holders: Record<string, unknown>[] = [];
	for (const section of [json, member(json, "groupCreation")]) {
		const names = member(section, "names");
		const banned = member(names, "banned");
		if (!Array.isArray(banned)) continue;
		for (const entry of banned) if (!isPlainValidBannedEntry(entry)) return null;
		holders.push(names as Record<string, unknown>);
	}
	if (holders.length === 0) return null;
	const lists = holders.map((names) => names.banned as BannedEntry[]);
	for (const names of holders) names.banned = [];
	const result = v.safeParse(PolicyDocumentSchema, json);
	holders.forEach((names, i) => {
		names.banned = lists[i];
	});
	if (!result.success) return null;
	const output = result.output;
	// valibot's output has a copy of each `names` holding the empty list: put the checked lists there.
	const outputs = [output.names, output.groupCreation?.names];
	let next = 0;
	for (const names of outputs) {
		if (names?.banned !== undefined) names.banned = lists[next++] as BannedEntry[];
	}
	return next === lists.length ? output : null;
}

/**
 * The first {@link POLICY_LIMITS} a validated document breaks, as a problem naming the entry and the limit;
 * null when it keeps them all. Cheap checks (counts, lengths, nesting) come before any regex is compiled.
 * A regex that is not valid RE2 is left to the compiler, which names the syntax error.
 */
export function policyLimitProblem(document: PolicyDocument, text = ""): Outcome<null> {
	const regexes: { path: PathSegment[]; value: string; caseInsensitive: boolean }[] = [];
	const textsBanned = document.texts?.banned;
	for (const [sectionPath, banned] of [
		[["names"], document.names?.banned],
		[["groupCreation", "names"], document.groupCreation?.names?.banned],
		[["texts"], Array.isArray(textsBanned) ? textsBanned : undefined],
	] as const) {
		(banned ?? []).forEach((entry, index) => {
			if (typeof entry !== "string" && entry.match === "regex") {
				const path = [...sectionPath, "banned", index];
				regexes.push({ path, value: entry.value, caseInsensitive: entry.normalize !== false });
			}
		});
	}
	const at = (path: readonly PathSegment[]) => (text === "" ? null : locateJsonPath(text, path));
	const refuse = (path: readonly PathSegment[], why: string) => {
		const rule = rulePath(path);
		return problem(`${rule}: ${why}`, rule, at(path));
	};
	const limits = POLICY_LIMITS;
	if (regexes.length > limits.regexCount) {
		const first = regexes[limits.regexCount] as (typeof regexes)[number];
		return refuse(
			first.path,
			`the document has ${regexes.length} regex entries, more than the limit of ${limits.regexCount}`,
		);
	}
	for (const { path, value } of regexes) {
		if (value.length > limits.patternLength)
			return refuse(
				path,
				`regex pattern is ${value.length} characters, more than the limit of ${limits.patternLength}`,
			);
		const depth = regexGroupDepth(value);
		if (depth > limits.regexGroupDepth)
			return refuse(
				path,
				`regex nests groups ${depth} deep, more than the limit of ${limits.regexGroupDepth}`,
			);
	}
	let total = 0;
	for (const { path, value, caseInsensitive } of regexes) {
		const size = regexProgramSize(value, caseInsensitive);
		if (size === null) continue;
		if (size > limits.regexProgramSize)
			return refuse(
				path,
				`regex compiles to ${size} RE2 instructions, more than the limit of ${limits.regexProgramSize} (large counted repetitions such as {1000} cost the most)`,
			);
		total += size;
		if (total > limits.totalProgramSize)
			return refuse(
				path,
				`the regexes up to this one compile to ${total} RE2 instructions together, more than the document's limit of ${limits.totalProgramSize}`,
			);
	}
	return { ok: true, value: null };
}

type AnyIssue = v.BaseIssue<unknown> & { issues?: AnyIssue[] };

/**
 * In a union (a banned entry is a string or an object) valibot reports the union; the alternative that
 * got furthest says more. Sub-issue paths are relative to the union's, so they are joined here.
 */
function mostSpecificIssue(issue: AnyIssue | undefined): AnyIssue {
	if (issue === undefined) return { kind: "schema", type: "unknown", input: null, expected: null } as never;
	let best: AnyIssue | null = null;
	for (const sub of issue.issues ?? []) {
		const inner = mostSpecificIssue(sub);
		if ((inner.path?.length ?? 0) > (best?.path?.length ?? 0)) best = inner;
	}
	if (best === null) return issue;
	return { ...best, path: [...(issue.path ?? []), ...(best.path ?? [])] as AnyIssue["path"] };
}
