// The pattern matcher shared by banned entries and `allowed` patterns: every plain, word, prefix and
// suffix value (and each glob's longest literal piece) of one side goes into one Aho–Corasick automaton,
// exact values into a map, regexes into RE2 sets. One pass over each reading of a name finds every
// occurrence, whatever the number of patterns, with its span in the name.
import { RE2JS, RE2Set } from "re2js";
import { type Automaton, NODE, nextState } from "./automaton";
import { AutomatonBuilder, groupByBucket } from "./automaton-build";
import type { Reading } from "./readings";

export const PLAIN = 0;
export const WORD = 1;
export const PREFIX = 2;
export const SUFFIX = 3;
export const GLOB = 4;
export const WORD_START = 5;
export const WORD_END = 6;
export const ROLES = 8;

export interface Glob {
	entry: number;
	/** The value split at `*` (folded): the name starts with the first piece, ends with the last, holds the rest in order. */
	pieces: string[];
}

/** Patterns compared with one form of the name (its folded readings, or the raw name for `normalize: false`). */
export interface Side {
	automaton: Automaton;
	/**
	 * Uses of needle n: useValues[useStart[n]] … useValues[useStart[n + 1] - 1], in document order. A use is
	 * entry * ROLES + role, except for globs: glob index * ROLES + GLOB.
	 */
	useStart: Int32Array;
	useValues: Int32Array;
	/**
	 * For each use, where its value's run lengths start in `runLengths` (`boob`: 1 2 1), or -1 when every
	 * run is one unit long: a reading's run must be at least as long for the use to match.
	 */
	useRuns: Int32Array;
	runLengths: Int32Array;
	/** Folded (or raw) value of each exact pattern → its entry. */
	exact: Map<string, number>;
	globs: Glob[];
	/** Globs without any literal piece (`*`): candidates for every name. */
	globsAlways: number[];
	/** Regex entries matched against the text form (or the raw name), or null when there are none. */
	regexes: RegexMatchers | null;
	/** Regex entries with `fold`, matched against each reading's folded form, or null. */
	foldedRegexes: RegexMatchers | null;
	/** No pattern compares this side (usually the raw side): nothing to search. */
	empty: boolean;
}

/** Collects one side's patterns; {@link SideBuilder.build} makes the {@link Side}. */
export class SideBuilder {
	private needles: AutomatonBuilder;
	/** Triples (needle, use, run offset), in document order. */
	private uses: number[] = [];
	private runLengths: number[] = [];
	private exact = new Map<string, number>();
	private globs: Glob[] = [];
	private globsAlways: number[] = [];
	private regexEntries: number[] = [];
	private regexPatterns: string[] = [];
	private foldedEntries: number[] = [];
	private foldedPatterns: string[] = [];

	constructor(
		private readonly caseInsensitive: boolean,
		expectedUnits: number,
	) {
		this.needles = new AutomatonBuilder(expectedUnits);
	}

	/** A plain, word, prefix or suffix pattern: `text` is the collapsed value, `runs` its run lengths. */
	addSubstring(entry: number, role: number, text: string, runs: readonly number[] | null): void {
		this.use(text, entry * ROLES + role, runs);
	}

	addExact(entry: number, text: string): void {
		if (!this.exact.has(text)) this.exact.set(text, entry);
	}

	/** A glob: its pieces (folded as written) and the collapsed form and runs of the longest one. */
	addGlob(
		entry: number,
		pieces: string[],
		longest: { collapsed: string; runs: readonly number[] } | null,
	): void {
		const glob = this.globs.push({ entry, pieces }) - 1;
		if (longest === null || longest.collapsed === "") this.globsAlways.push(glob);
		else this.use(longest.collapsed, glob * ROLES + GLOB, longest.runs);
	}

	addRegex(entry: number, pattern: string, folded: boolean): void {
		(folded ? this.foldedEntries : this.regexEntries).push(entry);
		(folded ? this.foldedPatterns : this.regexPatterns).push(pattern);
	}

	private use(text: string, value: number, runs: readonly number[] | null): void {
		let runAt = -1;
		if (runs?.some((run) => run > 1)) {
			runAt = this.runLengths.length;
			this.runLengths.push(...runs);
		}
		this.uses.push(this.needles.add(text), value, runAt);
	}

	build(): Side {
		const { useStart, useValues, useRuns } = groupUsesByNeedle(this.uses, this.needles.size);
		const flags = this.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0;
		const matchers = (entries: number[], patterns: string[]) =>
			patterns.length === 0 ? null : new RegexMatchers(entries, patterns, flags).prepared();
		return {
			automaton: this.needles.build(),
			useStart,
			useValues,
			useRuns,
			runLengths: Int32Array.from(this.runLengths),
			exact: this.exact,
			globs: this.globs,
			globsAlways: this.globsAlways,
			regexes: matchers(this.regexEntries, this.regexPatterns),
			foldedRegexes: matchers(this.foldedEntries, this.foldedPatterns),
			empty:
				this.uses.length === 0 &&
				this.exact.size === 0 &&
				this.globsAlways.length === 0 &&
				this.regexPatterns.length === 0 &&
				this.foldedPatterns.length === 0,
		};
	}
}

/** Uses grouped by needle, document order kept within a needle (a stable counting sort). */
function groupUsesByNeedle(
	uses: readonly number[],
	needleCount: number,
): { useStart: Int32Array; useValues: Int32Array; useRuns: Int32Array } {
	const { start, list } = groupByBucket(
		needleCount,
		uses.length / 3,
		(i) => uses[3 * i] as number,
		(i) => i,
	);
	const useValues = list.map((use) => uses[3 * use + 1] as number);
	const useRuns = list.map((use) => uses[3 * use + 2] as number);
	return { useStart: start, useValues, useRuns };
}

/**
 * A search in progress over the readings of one name: the best (earliest in document order) entry
 * found so far and where, the spans that excuse a match (allowed patterns), and optionally every match
 * those spans excused (for explanations) or every match at all (to collect the allowed spans).
 */
export interface Search {
	/** Only entries before this one are looked for; Infinity at first. */
	best: number;
	/** Span of the best match in the name (UTF-16 offsets), and the reading it was found in. */
	start: number;
	end: number;
	reading: number;
	/** Spans [start, end) of the name, flat, wholly inside which a match does not count. */
	excused: readonly number[];
	/** When not null, each excused match is recorded here: entry, start, end, index of the excusing span. */
	saved: number[] | null;
	/** When not null, every match is recorded here (entry, start, end) and the search never narrows. */
	all: number[] | null;
}

/** A fresh search: nothing found yet. */
export function newSearch(excused: readonly number[] = [], saved: number[] | null = null): Search {
	return { best: Number.POSITIVE_INFINITY, start: -1, end: -1, reading: -1, excused, saved, all: null };
}

/** Offers a match of `entry` over the name's span [start, end); true when the search took it. */
function offer(search: Search, entry: number, start: number, end: number, reading: number): boolean {
	if (search.all !== null) {
		search.all.push(entry, start, end);
		return false;
	}
	const { excused } = search;
	for (let i = 0; i < excused.length; i += 2) {
		if ((excused[i] as number) <= start && end <= (excused[i + 1] as number)) {
			search.saved?.push(entry, start, end, i / 2);
			return false;
		}
	}
	search.best = entry;
	search.start = start;
	search.end = end;
	search.reading = reading;
	return true;
}

/**
 * Searches one reading of the name with a side's automaton, exact map, globs and folded regexes.
 * `readingIndex` is reported with the match.
 */
export function searchReading(side: Side, reading: Reading, readingIndex: number, search: Search): void {
	const { written, start, end } = reading;
	// A look-up hashes the whole reading: not made when there is nothing to look up.
	const exact = side.exact.size === 0 ? undefined : side.exact.get(written);
	if (exact !== undefined && exact < search.best) offer(search, exact, start, end, readingIndex);
	const { globs } = side;
	for (const candidate of side.globsAlways) {
		const glob = globs[candidate] as Glob;
		if (glob.entry < search.best && globMatches(glob.pieces, written)) {
			offer(search, glob.entry, start, end, readingIndex);
		}
	}
	searchAutomaton(side, reading, readingIndex, search);
	const folded = side.foldedRegexes;
	// In the reading of faux letters as Latin, a regex sees the collapsed units, held to whole faux words.
	if (folded !== null && reading.whole !== null)
		searchFoldedRegexes(folded, reading, true, readingIndex, search);
	else if (folded !== null) {
		searchFoldedRegexes(folded, reading, false, readingIndex, search);
		// Like every other pattern, a folded regex also sees the reading with its runs collapsed
		// (`traaanny` is read as `trany` too).
		if (reading.collapsed !== written) searchFoldedRegexes(folded, reading, true, readingIndex, search);
	}
}

/** Offers the matches of folded regexes in the reading's written (or collapsed) units. */
function searchFoldedRegexes(
	folded: RegexMatchers,
	reading: Reading,
	collapsed: boolean,
	readingIndex: number,
	search: Search,
): void {
	const subject = collapsed ? reading.collapsed : reading.written;
	const { start: nameStart, end: nameEnd } = reading;
	const { whole } = reading;
	folded.matches(subject, search.best, search.all !== null, (entry, start, end) => {
		if (whole !== null && end > start && cutsWholeWord(reading, whole, start, end)) return false;
		if (end > start && (collapsed ? cutsTail(reading, start, end) : cutsWrittenTail(reading, start, end)))
			return false;
		// Unit k of the subject comes from the name's [from[k], to[k]): read only once something matched.
		const from = collapsed ? reading.from : reading.writtenFrom;
		const to = collapsed ? reading.to : reading.writtenTo;
		const spanFrom = start < 0 ? nameStart : (from[start] ?? nameEnd);
		const spanTo = end <= 0 ? nameEnd : (to[end - 1] ?? nameEnd);
		return entry < search.best && offer(search, entry, spanFrom, Math.max(spanFrom, spanTo), readingIndex);
	});
}

function searchAutomaton(side: Side, reading: Reading, readingIndex: number, search: Search): void {
	const { automaton, useStart, useValues, useRuns, runLengths, globs } = side;
	const { nodes, outputNeedle, outputNext, needleLengths } = automaton;
	const { collapsed, written } = reading;
	const last = collapsed.length;
	let state = 0;
	for (let i = 0; i < last; i++) {
		state = nextState(automaton, state, collapsed.charCodeAt(i));
		for (let e = nodes[NODE * state + 2] as number; e !== 0; e = outputNext[e] as number) {
			const needle = outputNeedle[e] as number;
			const end = i + 1;
			const start = end - (needleLengths[needle] as number);
			if (reading.whole !== null && cutsWholeWord(reading, reading.whole, start, end)) continue;
			if (cutsTail(reading, start, end)) continue;
			const stop = useStart[needle + 1] as number;
			for (let u = useStart[needle] as number; u < stop; u++) {
				const use = useValues[u] as number;
				const role = use % ROLES;
				const runAt = useRuns[u] as number;
				if (runAt >= 0 && !runsCover(reading.runs, start, end - start, runLengths, runAt)) continue;
				if (role === GLOB) {
					const glob = globs[(use - role) / ROLES] as Glob;
					if (glob.entry < search.best && globMatches(glob.pieces, written)) {
						offer(search, glob.entry, reading.start, reading.end, readingIndex);
					}
					continue;
				}
				const entry = (use - role) / ROLES;
				// Uses are in document order: nothing later on this needle can beat `best`.
				if (entry >= search.best) break;
				// The reading's spans and word flags are only worked out here, once a needle is found.
				if (
					(role === PLAIN ||
						(role === WORD && reading.word[start - 1] !== 1 && reading.word[end] !== 1) ||
						(role === WORD_START && reading.word[start - 1] !== 1) ||
						(role === WORD_END && reading.word[end] !== 1) ||
						(role === PREFIX && start === 0 && reading.opensName) ||
						(role === SUFFIX && end === last && reading.closesName)) &&
					offer(search, entry, reading.from[start] as number, reading.to[end - 1] as number, readingIndex)
				) {
					break;
				}
			}
		}
	}
}

/** Window margins worked out so far, by side (see {@link windowMargin}). */
const windowMargins = new WeakMap<Side, number>();

/** Longest margin worth reading windows with: past it, the windows of a 200-character text are the text. */
const MAX_WINDOW_MARGIN = 256;

/**
 * How far (in collapsed units) beyond the units where a reading differs from the reading as written a
 * window of a long text must reach for the side's patterns to find in it every match of theirs that the
 * reading holds and the reading as written lacks (readings.ts, `nameReadings`): a little more than the
 * longest needle or regex match. -1 when no window will do: exact values and globs compare a whole
 * reading, and a regex that may match an unbounded span, or is anchored (`^`, `$`, `\A`, `\z`), sees more
 * than a window.
 */
export function windowMargin(side: Side): number {
	let margin = windowMargins.get(side);
	if (margin === undefined) {
		margin = marginOf(side);
		windowMargins.set(side, margin);
	}
	return margin;
}

function marginOf(side: Side): number {
	if (side.exact.size > 0 || side.globs.length > 0) return -1;
	let longest = 0;
	for (const length of side.automaton.needleLengths) longest = Math.max(longest, length);
	for (const pattern of side.foldedRegexes?.patterns ?? []) {
		const span = regexSpan(pattern);
		if (span < 0) return -1;
		longest = Math.max(longest, span);
	}
	// One unit for the word edge after a match, one for the run a skipped separator joins, one to spare.
	const margin = longest + 3;
	return margin > MAX_WINDOW_MARGIN ? -1 : margin;
}

/**
 * At most how many UTF-16 units a match of a regex without `*` `+`, open repetition or anchors spans: two
 * per character of the pattern (a character class or `.` matches one code point), times the bounds of its
 * repetitions; -1 for any other regex. Coarse, never short.
 */
export function regexSpan(pattern: string): number {
	if (/[*+^$]|\\[Az]/.test(pattern)) return -1;
	let factor = 1;
	for (const [, inside] of pattern.matchAll(/\{([^}]*)\}/g)) {
		const bounds = (inside ?? "").match(/\d+/g);
		if (bounds === null) continue;
		// `{2,}` repeats without end.
		if (/,\s*$/.test(inside ?? "")) return -1;
		factor *= Math.max(...bounds.map(Number)) + 1;
		if (factor > MAX_WINDOW_MARGIN) return -1;
	}
	const span = 2 * pattern.length * factor;
	return span > MAX_WINDOW_MARGIN ? -1 : span;
}

/**
 * Whether the collapsed units [start, end) hold a word's last unit read as l from `!` or `|` (the reading's
 * `tails`) and begin inside a word: `Dana!` does not read `anal`. Reads the reading's word flags only when
 * it has such a unit.
 */
function cutsTail(reading: Reading, start: number, end: number): boolean {
	const { tails } = reading;
	if (tails === null || reading.word[start - 1] !== 1) return false;
	for (let k = start; k < end; k++) if (tails[k] === 1) return true;
	return false;
}

/** {@link cutsTail} for the written units [start, end) (a regex's match in the reading as written). */
function cutsWrittenTail(reading: Reading, start: number, end: number): boolean {
	if (reading.tails === null) return false;
	// The collapsed unit of written unit w: the run that holds it.
	const collapsedAt = (w: number) => {
		let c = 0;
		for (let seen = reading.runs[0] ?? 1; seen <= w; seen += reading.runs[c] ?? 1) c++;
		return c;
	};
	return cutsTail(reading, collapsedAt(start), collapsedAt(end - 1) + 1);
}

/** Whether the units [start, end) of the reading begin or end inside a word that must be matched whole. */
function cutsWholeWord(reading: Reading, whole: Uint8Array, start: number, end: number): boolean {
	const { word } = reading;
	return (whole[start] === 1 && word[start - 1] === 1) || (whole[end - 1] === 1 && word[end] === 1);
}

/** Whether the reading's runs from `start` are at least the value's run lengths (`boooob` covers `boob`). */
function runsCover(
	runs: readonly number[],
	start: number,
	length: number,
	runLengths: Int32Array,
	runAt: number,
): boolean {
	for (let k = 0; k < length; k++) {
		if ((runs[start + k] ?? 1) < (runLengths[runAt + k] as number)) return false;
	}
	return true;
}

/**
 * Searches the raw name (or the text form, for unfolded regexes) with a side's regexes: a match there
 * has no span of its own, so it stands for the whole name.
 */
export function searchRegexes(
	matchers: RegexMatchers | null,
	subject: string,
	nameLength: number,
	search: Search,
): void {
	if (matchers === null) return;
	matchers.matches(
		subject,
		search.best,
		false,
		(entry) => entry < search.best && offer(search, entry, 0, nameLength, -1),
	);
}

/**
 * The regex entries of one side. Their RE2 programs are built at compile time, or on first use: the
 * compiled form of a policy (compiled-cache.ts) stores the patterns, and a policy read back from it
 * pays for its regexes only when a name reaches them.
 */
export class RegexMatchers {
	/** The set of all patterns (null when they do not fit one), and each pattern's own program once built. */
	private compiled: { set: RE2Set | null; each: (RE2JS | undefined)[] } | null = null;
	/**
	 * What every match of each pattern holds (see {@link requiredPieces}), once worked out: false when a
	 * pattern says nothing.
	 */
	private required: string[][] | false | null = null;

	constructor(
		/** Entry index of each pattern, in document order. */
		readonly entries: readonly number[],
		readonly patterns: readonly string[],
		readonly flags: number,
	) {}

	/**
	 * Offers each entry (before `bestSoFar`, in document order) whose pattern matches `subject`, with the span
	 * of its match ([start, end) in `subject`); `offer` says whether it took the match. A match it declines
	 * (excused by an allowed pattern) is followed by the entry's next match, and then by the next entry, so a
	 * match inside `Dickens` hides nothing after it. Stops at the first match taken, unless `all` (then
	 * each entry's first match is offered).
	 */
	matches(
		subject: string,
		bestSoFar: number,
		all: boolean,
		offer: (entry: number, start: number, end: number) => boolean,
	): void {
		if (!this.mayMatch(subject)) return;
		this.compiled ??= this.compile();
		const { set } = this.compiled;
		const candidates = set !== null ? set.match(subject).sort((a, b) => a - b) : this.patterns.keys();
		for (const i of candidates) {
			const entry = this.entries[i] as number;
			if (entry >= bestSoFar) break;
			const matcher = this.program(i).matcher(subject);
			while (matcher.find()) {
				if (offer(entry, matcher.start(), matcher.end())) return;
				if (all) break;
			}
		}
	}

	/**
	 * False when no pattern can match `subject`: each pattern holds a piece of plain letters that `subject`
	 * lacks. Most texts hold none of them, and finding so costs far less than running the set.
	 */
	private mayMatch(subject: string): boolean {
		if (this.required === null) {
			const caseless = (this.flags & RE2JS.CASE_INSENSITIVE) !== 0;
			// The longest piece first: the likeliest to be missing.
			const pieces = this.patterns.map((pattern) =>
				requiredPieces(pattern, caseless)?.sort((a, b) => b.length - a.length),
			);
			this.required = pieces.some((piece) => piece == null) ? false : (pieces as string[][]);
		}
		const { required } = this;
		if (required === false) return true;
		for (const pieces of required) {
			let all = true;
			for (let p = 0; p < pieces.length && all; p++) all = subject.includes(pieces[p] as string);
			if (all) return true;
		}
		// Without case, a letter also matches its capital, and `s` and `k` the long s and the Kelvin sign.
		return (this.flags & RE2JS.CASE_INSENSITIVE) !== 0 && CASED.test(subject);
	}

	/** Builds the RE2 programs now rather than on first use; returns this. */
	prepared(): this {
		this.compiled ??= this.compile();
		return this;
	}

	private program(i: number): RE2JS {
		const each = (this.compiled as { each: (RE2JS | undefined)[] }).each;
		let program = each[i];
		if (program === undefined) {
			program = RE2JS.compile(this.patterns[i] as string, this.flags);
			each[i] = program;
		}
		return program;
	}

	private compile(): { set: RE2Set | null; each: (RE2JS | undefined)[] } {
		try {
			const set = new RE2Set(RE2Set.UNANCHORED, this.flags);
			for (const pattern of this.patterns) set.add(pattern);
			set.compile();
			return { set, each: [] };
		} catch {
			// Too large for one program: match them one by one (each still linear-time).
			return { set: null, each: [] };
		}
	}
}

/** What a pattern's lower-case piece also matches without case. */
const CASED = /[A-Z\u017f\u212a]/;

/** An ASCII letter, digit or space: what a regex matches as itself. */
const plain = (code: number) =>
	(code >= 0x61 && code <= 0x7a) ||
	(code >= 0x41 && code <= 0x5a) ||
	(code >= 0x30 && code <= 0x39) ||
	code === 0x20;

/**
 * The runs of plain letters and digits that every match of `pattern` holds (`f.?ck`: `f`, `ck`), lower-cased
 * for a pattern matched without case (`caseless`), or null when the pattern is more than letters, digits,
 * spaces, `.`, `\b` `\B` and `?` (then it says nothing here).
 */
export function requiredPieces(pattern: string, caseless = true): string[] | null {
	const pieces: string[] = [];
	let run = "";
	const end = () => {
		if (run !== "") pieces.push(run);
		run = "";
	};
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i] as string;
		const optional = pattern[i + 1] === "?";
		if (c === "\\") {
			const next = pattern[i + 1];
			if (next !== "b" && next !== "B") return null;
			end();
			i++;
			continue;
		}
		if (c !== "." && !plain(c.charCodeAt(0))) return null;
		if (c === "." || optional) {
			end();
			if (optional) i++;
			// `??` (a lazy `?`) takes the same characters.
			if (pattern[i + 1] === "?") i++;
			continue;
		}
		run += caseless ? c.toLowerCase() : c;
	}
	end();
	return pieces;
}

/** Whether `text` is matched by a glob split at its `*`s: anchored at both ends, pieces in order. */
export function globMatches(pieces: readonly string[], text: string): boolean {
	const first = pieces[0] ?? "";
	if (pieces.length === 1) return text === first;
	const last = pieces[pieces.length - 1] ?? "";
	if (!text.startsWith(first)) return false;
	let position = first.length;
	for (let i = 1; i < pieces.length - 1; i++) {
		const piece = pieces[i] ?? "";
		const found = text.indexOf(piece, position);
		if (found < 0) return false;
		position = found + piece.length;
	}
	return text.length - last.length >= position && text.endsWith(last);
}
