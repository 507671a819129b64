// The policy document: the JSON the user keeps under the KV key `policy`. One strict valibot schema
// (unknown keys are errors, so a typo cannot silently switch a rule off); docs/policy.schema.json is
// generated from it (`npm run policy:schema`).
import { RE2JS } from "re2js";
import * as v from "valibot";
import { jsonDepthExceeds } from "../http/body";
import { errorMessage } from "../log";
import type { Result } from "../result";

/** Key of the live document in the `POLICY` namespace. */
export const POLICY_KEY = "policy";

/**
 * What one policy document may hold, so that deciding one name costs a bounded amount of CPU whoever wrote
 * the policy (docs/policy.md, "Limits"). Regexes are the only entries whose cost grows with their own
 * size: RE2 runs in time proportional to (program size × name length), so the regexes' total program
 * size and the name's length bound the work of a decision (test/policy/limits.test.ts computes it).
 */
export const POLICY_LIMITS = {
	/** Nesting of arrays and objects in the document's JSON (a valid document needs 5). */
	jsonDepth: 16,
	/** `match: "regex"` entries in the whole document (both `names.banned` lists together). */
	regexCount: 50,
	/** Characters of one regex pattern. */
	patternLength: 500,
	/** Nesting of groups `(…)` in one regex. */
	regexGroupDepth: 8,
	/** RE2 program size (instructions, re2js's `programSize()`) of one regex. */
	regexProgramSize: 1_000,
	/** RE2 program size of all the document's regexes together. */
	totalProgramSize: 2_000,
	/**
	 * Characters (UTF-16 units, as received) of a name that is matched at all: a longer name is refused by
	 * `names.maxLength` before any matching, with or without a `maxLength` in the document. Tencent's own
	 * name limits are far below it.
	 */
	nameLength: 1_024,
} as const;

/**
 * A JSON object with exactly these keys. valibot's object schemas take an array for an object with no
 * keys (`[]`, `{"names":[]}`), which would pass as a policy that decides nothing: the check refuses it.
 */
function section<const Entries extends v.ObjectEntries>(entries: Entries) {
	// The check runs first: strictObject's output is a new object, so a later check would never see the array.
	return v.pipe(
		v.unknown(),
		v.check((input) => !Array.isArray(input), NOT_AN_ARRAY),
		v.strictObject(entries),
	);
}
const NOT_AN_ARRAY = "must be an object, not an array";

/** Refusal codes Tencent passes on: 1 (client sees 10016) or a custom code in 10100–10200. */
const ErrorCodeSchema = v.union(
	[v.literal(1), v.pipe(v.number(), v.integer(), v.minValue(10100), v.maxValue(10200))],
	"must be 1 or an integer from 10100 to 10200",
);
const ErrorInfoSchema = v.pipe(
	v.string(),
	v.maxLength(1000),
	v.description("Text passed to the client with a custom errorCode."),
);

const RefusalSchema = v.pipe(
	section({
		errorCode: v.optional(ErrorCodeSchema),
		errorInfo: v.optional(ErrorInfoSchema),
	}),
	v.description("Default refusal: errorCode 1 (client sees 10016) or 10100–10200, with errorInfo."),
);

const AccountListSchema = v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200)));

const OperatorsSchema = v.pipe(
	section({
		allow: v.optional(
			v.pipe(AccountListSchema, v.description("Non-empty: only these Operator_Accounts may create.")),
		),
		deny: v.optional(v.pipe(AccountListSchema, v.description("Always refused."))),
		bypass: v.optional(
			v.pipe(AccountListSchema, v.description("Name rules skipped (admins, the REST API's identity).")),
		),
	}),
	v.description("Rules on Operator_Account, compared exactly."),
);

/** How a banned entry is compared with the name. */
// New modes go last: a compiled form stores each entry's mode as its index here.
export const MATCH_MODES = [
	"plain",
	"exact",
	"word",
	"prefix",
	"suffix",
	"glob",
	"regex",
	"word-start",
	"word-end",
] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

const BannedValueSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(1000));

const BannedEntryObjectSchema = v.strictObject({
	match: v.optional(
		v.pipe(
			v.picklist(MATCH_MODES),
			v.description(
				"plain: contained anywhere (default); exact: the whole name; word: a whole word; word-start/" +
					"word-end: how a word starts/ends (word-start ass: asshole, not class); prefix/suffix: how the " +
					"name starts/ends; glob: the whole name, * = any run of characters; regex: RE2 syntax.",
			),
		),
	),
	value: BannedValueSchema,
	errorCode: v.optional(ErrorCodeSchema),
	errorInfo: v.optional(ErrorInfoSchema),
	normalize: v.optional(
		v.pipe(
			v.boolean(),
			v.description("false: compare with the name exactly as received (no folding of any kind)."),
		),
	),
	fold: v.optional(
		v.pipe(
			v.boolean(),
			v.description(
				"regex only; true: the pattern sees each folded reading of the name (look-alikes, leetspeak, " +
					"Traditional Han folded) instead of its text form.",
			),
		),
	),
	note: v.optional(v.pipe(v.string(), v.description("Free text for the people editing the policy."))),
});

/** How an `allowed` pattern is compared with the name (`contains` is a banned entry's `plain`). */
export const ALLOWED_MATCH_MODES = ["contains", "word", "prefix", "suffix", "exact"] as const;
export type AllowedMatchMode = (typeof ALLOWED_MATCH_MODES)[number];

const AllowedPatternSchema = v.strictObject({
	match: v.pipe(
		v.picklist(ALLOWED_MATCH_MODES),
		v.description(
			"contains: anywhere in the name; word, prefix, suffix, exact: as for banned entries. A banned " +
				"match lying wholly inside the span this pattern matches is ignored.",
		),
	),
	value: BannedValueSchema,
	note: v.optional(v.pipe(v.string(), v.description("Free text for the people editing the policy."))),
});

const AllowedEntrySchema = v.union([
	v.pipe(v.string(), v.minLength(1), v.maxLength(1000)),
	AllowedPatternSchema,
]);

const BannedEntrySchema = v.union([BannedValueSchema, BannedEntryObjectSchema]);

const NamesSchema = v.pipe(
	section({
		minLength: v.optional(
			v.pipe(
				v.number(),
				v.integer(),
				v.minValue(0),
				v.description("Fewest characters, counted after normalization."),
			),
		),
		maxLength: v.optional(
			v.pipe(
				v.number(),
				v.integer(),
				v.minValue(1),
				v.maxValue(POLICY_LIMITS.nameLength, `must be at most ${POLICY_LIMITS.nameLength}`),
				v.description(
					`Most characters, counted after normalization. A name over ${POLICY_LIMITS.nameLength} characters is always refused.`,
				),
			),
		),
		banned: v.optional(
			v.pipe(
				v.array(BannedEntrySchema),
				v.description("Refused names; the first entry that matches, in this order, gives the code."),
			),
		),
		allowed: v.optional(
			v.pipe(
				v.array(AllowedEntrySchema),
				v.description(
					"Exceptions. A string: this exact name (in text form) is never refused by name rules. A pattern " +
						"{match, value}: banned matches inside the part of the name it matches are ignored.",
				),
			),
		),
	}),
	v.description("Rules on the topic's (or group's) Name."),
);

const ModeSchema = v.pipe(
	v.picklist(["enforce", "dry-run"]),
	v.description("dry-run: decide and log, but always answer 0."),
);

const GroupCreationSchema = v.pipe(
	section({
		mode: v.optional(ModeSchema),
		refusal: v.optional(RefusalSchema),
		operators: v.optional(OperatorsSchema),
		names: v.optional(NamesSchema),
	}),
	v.description(
		"Rules for Group.CallbackBeforeCreateGroup. Absent: groups are always allowed. Each key left out " +
			"here uses the top-level one, so {} applies the topic rules to groups too.",
	),
);

/** Enforcement after the fact: actions default to "log", so a document without this section changes nothing. */
export const ENFORCEMENT_DEFAULTS = {
	renames: "log",
	creates: "log",
	fallbackName: "Renamed topic",
	maxDestroysPerHour: 20,
	maxRenamesPerHour: 200,
} as const;

/** Tencent's limit for `TopicName` and a group's `Name`, in bytes of UTF-8 (longer names get 10004). */
export const TENCENT_NAME_MAX_BYTES = 30;

const EnforcementSchema = v.pipe(
	v.strictObject({
		renames: v.optional(
			v.pipe(
				v.picklist(["log", "revert", "destroy"]),
				v.description(
					"A topic (or, with groupCreation, group) renamed to a name the policy refuses: log (default), " +
						"revert to its last allowed name, or destroy the topic.",
				),
			),
		),
		creates: v.optional(
			v.pipe(
				v.picklist(["log", "rename", "destroy"]),
				v.description(
					"A creation that went live although the policy refuses it (the before-callback failed or timed " +
						"out, the policy was in dry-run, it predates this Worker): log (default), rename to " +
						"fallbackName, or destroy the topic.",
				),
			),
		),
		fallbackName: v.optional(
			v.pipe(
				v.string(),
				v.minLength(1),
				v.maxBytes(
					TENCENT_NAME_MAX_BYTES,
					`must be at most ${TENCENT_NAME_MAX_BYTES} bytes of UTF-8, Tencent's limit for a topic or group name (a CJK character takes 3)`,
				),
				v.description(
					'Used by "rename", and by "revert" when no earlier allowed name is known. The policy must allow it. ' +
						"At most 30 bytes of UTF-8 (Tencent's limit for a name).",
				),
			),
		),
		maxDestroysPerHour: v.optional(
			v.pipe(
				v.number(),
				v.integer(),
				v.minValue(0),
				v.maxValue(10_000),
				v.description(
					"At most this many topics destroyed per SdkAppid and hour (default 20); further destroys wait in the " +
						"ledger as held until a moderator resumes or discards them.",
				),
			),
		),
		maxRenamesPerHour: v.optional(
			v.pipe(
				v.number(),
				v.integer(),
				v.minValue(0),
				v.maxValue(10_000),
				v.description(
					"At most this many renames and reverts per SdkAppid and hour (default 200); further ones wait in the " +
						"ledger as held until a moderator resumes or discards them.",
				),
			),
		),
	}),
	v.description(
		"What to do, through Tencent's REST API, with names that went live although the policy refuses them.",
	),
);

/** The whole document under the KV key `policy`. */
export const PolicyDocumentSchema = v.pipe(
	section({
		$schema: v.optional(v.pipe(v.string(), v.description("Where editors find this JSON Schema."))),
		version: v.optional(
			v.pipe(v.string(), v.maxLength(200), v.description("Echoed in decision logs and /healthz.")),
		),
		mode: v.optional(ModeSchema),
		refusal: v.optional(RefusalSchema),
		operators: v.optional(OperatorsSchema),
		names: v.optional(NamesSchema),
		groupCreation: v.optional(GroupCreationSchema),
		enforcement: v.optional(EnforcementSchema),
	}),
	v.title("Topic-creation policy"),
	v.description(
		"The rules deciding Tencent Cloud Chat's Group.CallbackBeforeCreateTopic (and, with groupCreation, " +
			"Group.CallbackBeforeCreateGroup). See docs/policy.md.",
	),
);

export type PolicyDocument = v.InferOutput<typeof PolicyDocumentSchema>;
export type RuleSection = NonNullable<PolicyDocument["groupCreation"]>;
export type BannedEntry = v.InferOutput<typeof BannedEntrySchema>;
export type AllowedEntry = v.InferOutput<typeof AllowedEntrySchema>;
export type PathSegment = string | number;

/** Why a policy text cannot be used: a message naming the rule, its path and, when known, where it is. */
export interface PolicyProblem {
	message: string;
	/** The rule's path in the document, e.g. `names.banned[3].match`; null for the document as a whole. */
	rule: string | null;
	/** 1-based line and column in the text, when known. */
	line: number | null;
	column: number | null;
}

/** Either a value or the policy problem that prevented it: the Worker's one {@link Result} shape. */
export type Outcome<T> = Result<T, PolicyProblem>;

/**
 * Formats a path the way the docs and the decision log write rules.
 * @example rulePath(["names", "banned", 3, "match"]) // "names.banned[3].match"
 */
export function rulePath(path: readonly PathSegment[]): string {
	let out = "";
	for (const segment of path) {
		if (typeof segment === "number") out += `[${segment}]`;
		else out += out === "" ? segment : `.${segment}`;
	}
	return out;
}

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

const BANNED_ENTRY_KEYS = new Set(["match", "value", "errorCode", "errorInfo", "normalize", "fold", "note"]);
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
	const { match, value, errorCode, errorInfo, normalize, fold, note } = record;
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

/** Deepest nesting of groups `(…)` in a regex pattern (escapes and character classes skipped). */
export function regexGroupDepth(pattern: string): number {
	let depth = 0;
	let deepest = 0;
	let inClass = false;
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern.charAt(i);
		if (c === "\\") i++;
		else if (inClass) inClass = c !== "]";
		else if (c === "[") {
			inClass = true;
			// `[]…]` and `[^]…]` hold a literal `]`.
			if (pattern.charAt(i + 1) === "^") i++;
			if (pattern.charAt(i + 1) === "]") i++;
		} else if (c === "(") deepest = Math.max(deepest, ++depth);
		else if (c === ")") depth = Math.max(0, depth - 1);
	}
	return deepest;
}

/** RE2 program size of a pattern as the matcher compiles it, or null when it is not valid RE2 syntax. */
export function regexProgramSize(pattern: string, caseInsensitive: boolean): number | null {
	try {
		return RE2JS.compile(pattern, caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0).programSize();
	} catch {
		return null; // the compiler reports the syntax error, naming the entry
	}
}

/**
 * The first {@link POLICY_LIMITS} a validated document breaks, as a problem naming the entry and the limit;
 * null when it keeps them all. Cheap checks (counts, lengths, nesting) come before any regex is compiled.
 * A regex that is not valid RE2 is left to the compiler, which names the syntax error.
 */
export function policyLimitProblem(document: PolicyDocument, text = ""): Outcome<null> {
	const regexes: { path: PathSegment[]; value: string; caseInsensitive: boolean }[] = [];
	for (const [sectionPath, names] of [
		[[], document.names],
		[["groupCreation"], document.groupCreation?.names],
	] as const) {
		(names?.banned ?? []).forEach((entry, index) => {
			if (typeof entry !== "string" && entry.match === "regex") {
				const path = [...sectionPath, "names", "banned", index];
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

/** Builds the failed outcome of a problem. */
export function problem(
	message: string,
	rule: string | null,
	where: { line: number; column: number } | null,
): { ok: false; problem: PolicyProblem } {
	return { ok: false, problem: { message, rule, line: where?.line ?? null, column: where?.column ?? null } };
}

/** 1-based line and column of a UTF-16 offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < offset && i < text.length; i++) {
		if (text.charCodeAt(i) === 10) {
			line++;
			lineStart = i + 1;
		}
	}
	return { line, column: offset - lineStart + 1 };
}

/**
 * Line and column where the value at `path` starts in a JSON text (where its key starts, with `atKey`),
 * or null when the text does not have it. Only called on the error path, so simplicity beats speed.
 */
export function locateJsonPath(
	text: string,
	path: readonly PathSegment[],
	atKey = false,
): { line: number; column: number } | null {
	let i = 0;
	let lastKeyStart = -1;
	const skipSpace = () => {
		while (i < text.length && /\s/.test(text.charAt(i))) i++;
	};
	const skipString = () => {
		i++; // the opening quote
		while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === "\\" ? 2 : 1;
		i++;
	};
	const skipValue = (): void => {
		skipSpace();
		const c = text.charAt(i);
		if (c === '"') {
			skipString();
			return;
		}
		if (c === "{" || c === "[") {
			let depth = 0;
			while (i < text.length) {
				const d = text.charAt(i);
				if (d === '"') {
					skipString();
					continue;
				}
				if (d === "{" || d === "[") depth++;
				else if (d === "}" || d === "]") depth--;
				i++;
				if (depth === 0) return;
			}
			return;
		}
		while (i < text.length && !/[\s,}\]]/.test(text.charAt(i))) i++;
	};
	/** Moves `i` to the value of `segment` in the object or array starting at `i`; false when absent. */
	const enter = (segment: PathSegment): boolean => {
		skipSpace();
		const open = text.charAt(i);
		i++;
		for (let index = 0; ; index++) {
			skipSpace();
			if (text.charAt(i) === "}" || text.charAt(i) === "]") return false;
			if (open === "{") {
				if (text.charAt(i) !== '"') return false;
				lastKeyStart = i;
				skipString();
				const key = text.slice(lastKeyStart + 1, i - 1);
				skipSpace();
				i++; // the colon
				if (key === segment) return true;
			} else if (open === "[") {
				if (index === segment) return true;
			} else {
				return false;
			}
			skipValue();
			skipSpace();
			if (text.charAt(i) !== ",") return false;
			i++;
		}
	};
	for (const segment of path) if (!enter(segment)) return null;
	skipSpace();
	return lineAndColumn(text, atKey && typeof path.at(-1) === "string" ? lastKeyStart : i);
}

/**
 * Offset of the first JSON syntax error in `text`, or null. The runtime's JSON.parse message does not
 * always say where (workerd's does not), so a small strict scanner finds it.
 */
export function jsonSyntaxErrorOffset(text: string): number | null {
	let i = 0;
	const fail = (): never => {
		throw i;
	};
	const space = () => {
		while (i < text.length && " \t\n\r".includes(text.charAt(i))) i++;
	};
	const literal = (word: string) => {
		if (!text.startsWith(word, i)) fail();
		i += word.length;
	};
	const string = () => {
		i++;
		for (;;) {
			if (i >= text.length) fail();
			const c = text.charCodeAt(i);
			if (c === 0x22) break;
			if (c < 0x20) fail();
			if (c === 0x5c) {
				i++;
				const e = text.charAt(i);
				if (e === "u") {
					if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
					i += 4;
				} else if (!'"\\/bfnrt'.includes(e) || e === "") fail();
			}
			i++;
		}
		i++;
	};
	const value = (): void => {
		space();
		const c = text.charAt(i);
		if (c === "{") {
			i++;
			space();
			if (text.charAt(i) === "}") {
				i++;
				return;
			}
			for (;;) {
				space();
				if (text.charAt(i) !== '"') fail();
				string();
				space();
				if (text.charAt(i) !== ":") fail();
				i++;
				value();
				space();
				if (text.charAt(i) === ",") i++;
				else if (text.charAt(i) === "}") {
					i++;
					return;
				} else fail();
			}
		}
		if (c === "[") {
			i++;
			space();
			if (text.charAt(i) === "]") {
				i++;
				return;
			}
			for (;;) {
				value();
				space();
				if (text.charAt(i) === ",") i++;
				else if (text.charAt(i) === "]") {
					i++;
					return;
				} else fail();
			}
		}
		if (c === '"') string();
		else if (c === "t") literal("true");
		else if (c === "f") literal("false");
		else if (c === "n") literal("null");
		else number();
	};
	const number = () => {
		const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
		if (number === null) fail();
		else i += number[0].length;
	};
	try {
		value();
		space();
		if (i < text.length) fail();
		return null;
	} catch (offset) {
		return typeof offset === "number" ? Math.min(offset, text.length) : null;
	}
}
