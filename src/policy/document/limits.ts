// The limits of one policy document, and how a regex is measured against them (docs/policy.md, "Limits").
import { RE2JS } from "re2js";

/**
 * What one policy document may hold, so that deciding one name costs a bounded amount of CPU whoever wrote
 * the policy (docs/policy.md, "Limits"). Regexes are the only entries whose cost grows with their own
 * size: RE2 runs in time proportional to (program size × name length), so the regexes' total program
 * size and the name's length bound the work of a decision (test/policy/limits.test.ts computes it).
 */
export const POLICY_LIMITS = {
	/** Nesting of arrays and objects in the document's JSON (a valid document needs 5). */
	jsonDepth: 16,
	/** `match: "regex"` entries in the whole document (every banned list together: names, groupCreation, texts). */
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
