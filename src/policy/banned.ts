// The banned list, compiled once per policy text: whatever the number of entries, deciding a name is one
// Aho–Corasick pass per side (normalized skeleton, raw name), one map look-up per side for exact
// entries, and one RE2 set pass per side for regex entries (linear time, no backtracking).
import { RE2JS, RE2Set } from "re2js";
import { errorMessage } from "../log";
import { type Automaton, AutomatonBuilder, groupByBucket, NODE, nextState } from "./automaton";
import { type BannedEntry, MATCH_MODES, type MatchMode, type Outcome, problem } from "./document";
import { foldText, isWordCharacterAt, nameSkeleton, skeleton } from "./normalize";

/** What a refusal by one banned entry answers. */
export interface BannedRule {
	/** e.g. `names.banned[3] "casino"` or `names.banned[4] word "bet"`. */
	rule: string;
	errorCode: number | undefined;
	errorInfo: string | undefined;
}

const PLAIN = 0;
const WORD = 1;
const PREFIX = 2;
const SUFFIX = 3;
const GLOB = 4;
const ROLES = 8;

interface Glob {
	entry: number;
	/** The value split at `*`: the name starts with the first piece, ends with the last, holds the rest in order. */
	pieces: string[];
}

/** Entries compared with one form of the name (the skeleton, or the raw name for `normalize: false`). */
interface Side {
	automaton: Automaton;
	/**
	 * Uses of needle n: useValues[useStart[n]] … useValues[useStart[n + 1] - 1], in document order. A use is
	 * entry * ROLES + role, except for globs: glob index * ROLES + GLOB.
	 */
	useStart: Int32Array;
	useValues: Int32Array;
	exact: Map<string, number>;
	globs: Glob[];
	/** Globs without any literal piece (`*`): candidates for every name. */
	globsAlways: number[];
	/** Regex entries of this side, or null when it has none. */
	regexes: RegexMatchers | null;
	/** No entry compares this side (usually the raw side): nothing to search. */
	empty: boolean;
}

/** A compiled banned list; decide with {@link findFirstBanned}. */
export interface CompiledBanned {
	/** Every entry's rule, in document order (built on first use: prefer {@link CompiledBanned.ruleAt}). */
	readonly rules: BannedRule[];
	/** Number of entries. */
	readonly size: number;
	/** The rule of entry `index`. */
	ruleAt(index: number): BannedRule;
	normalized: Side;
	raw: Side;
	counts: Record<MatchMode, number>;
}

const MODE_CODES: readonly MatchMode[] = MATCH_MODES;

/**
 * The entries' answers, kept compactly (values, mode codes, error codes) rather than as one object and
 * one rule text per entry: a rule text is only made for the entry that decides.
 */
export class CompiledBannedList implements CompiledBanned {
	private allRules: BannedRule[] | null = null;

	constructor(
		private readonly path: string,
		private readonly values: readonly string[],
		private readonly modes: Uint8Array,
		/** The entry's own errorCode, 0 when it has none. */
		private readonly errorCodes: Int32Array,
		private readonly errorInfos: ReadonlyMap<number, string>,
		readonly normalized: Side,
		readonly raw: Side,
		readonly counts: Record<MatchMode, number>,
	) {}

	get size(): number {
		return this.values.length;
	}

	get rules(): BannedRule[] {
		if (this.allRules === null) this.allRules = this.values.map((_, index) => this.ruleAt(index));
		return this.allRules;
	}

	ruleAt(index: number): BannedRule {
		const mode = MODE_CODES[this.modes[index] as number] ?? "plain";
		const code = this.errorCodes[index] as number;
		return {
			rule: `${this.path}[${index}] ${mode === "plain" ? "" : `${mode} `}${JSON.stringify(this.values[index])}`,
			errorCode: code === 0 ? undefined : code,
			errorInfo: this.errorInfos.get(index),
		};
	}
}

class SideBuilder {
	needles: AutomatonBuilder;
	/** Pairs (needle, use), in document order. */
	uses: number[] = [];
	exact = new Map<string, number>();
	globs: Glob[] = [];
	globsAlways: number[] = [];
	regexEntries: number[] = [];
	regexPatterns: string[] = [];

	constructor(
		readonly caseInsensitive: boolean,
		expectedUnits: number,
	) {
		this.needles = new AutomatonBuilder(expectedUnits);
	}

	use(text: string, value: number): void {
		this.uses.push(this.needles.add(text), value);
	}

	build(): Side {
		// Uses grouped by needle (a stable counting sort keeps document order within a needle).
		const { uses } = this;
		const { start: useStart, list: useValues } = groupByBucket(
			this.needles.size,
			uses.length / 2,
			(i) => uses[2 * i] as number,
			(i) => uses[2 * i + 1] as number,
		);
		return {
			automaton: this.needles.build(),
			useStart,
			useValues,
			exact: this.exact,
			globs: this.globs,
			globsAlways: this.globsAlways,
			regexes:
				this.regexPatterns.length === 0
					? null
					: new RegexMatchers(
							this.regexEntries,
							this.regexPatterns,
							this.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0,
						).prepared(),
			empty:
				this.uses.length === 0 &&
				this.exact.size === 0 &&
				this.globsAlways.length === 0 &&
				this.regexPatterns.length === 0,
		};
	}
}

const ROLE_OF_MODE: Readonly<Record<"plain" | "word" | "prefix" | "suffix", number>> = {
	plain: PLAIN,
	word: WORD,
	prefix: PREFIX,
	suffix: SUFFIX,
};

/**
 * Compiles `names.banned` (found at `path`, e.g. `names.banned`): validates every pattern and builds the
 * matchers. A pattern that cannot be used is a problem naming the entry.
 */
export function compileBanned(
	entries: readonly BannedEntry[],
	path: string,
	at: (index: number) => { line: number; column: number } | null,
): Outcome<CompiledBanned> {
	let units = 0;
	for (let index = 0; index < entries.length; index++) {
		const item = entries[index] as BannedEntry;
		units += typeof item === "string" ? item.length : item.value.length;
	}
	const normalized = new SideBuilder(true, units);
	const raw = new SideBuilder(false, 0);
	const values: string[] = new Array(entries.length);
	const modes = new Uint8Array(entries.length);
	const errorCodes = new Int32Array(entries.length);
	const errorInfos = new Map<number, string>();
	const counts: Record<MatchMode, number> = {
		plain: 0,
		exact: 0,
		word: 0,
		prefix: 0,
		suffix: 0,
		glob: 0,
		regex: 0,
	};
	for (let index = 0; index < entries.length; index++) {
		const item = entries[index] as BannedEntry;
		const entryValue = typeof item === "string" ? item : item.value;
		const mode: MatchMode = typeof item === "string" ? "plain" : (item.match ?? "plain");
		const doesNormalize = typeof item === "string" || item.normalize !== false;
		const side = doesNormalize ? normalized : raw;
		counts[mode]++;
		values[index] = entryValue;
		modes[index] = MODE_CODES.indexOf(mode);
		if (typeof item !== "string") {
			if (item.errorCode !== undefined) errorCodes[index] = item.errorCode;
			if (item.errorInfo !== undefined) errorInfos.set(index, item.errorInfo);
		}
		if (mode === "regex") {
			try {
				RE2JS.compile(entryValue, doesNormalize ? RE2JS.CASE_INSENSITIVE : 0);
			} catch (error) {
				const name = `${path}[${index}]`;
				const reason = errorMessage(error);
				return problem(
					`${name}: regex ${JSON.stringify(entryValue)} is not valid RE2 syntax (the linear-time engine: ` +
						`no look-around, no back-references): ${reason}`,
					name,
					at(index),
				);
			}
			side.regexEntries.push(index);
			side.regexPatterns.push(entryValue);
			continue;
		}
		if (mode === "glob") {
			const pieces = doesNormalize ? foldText(entryValue).split("*").map(skeleton) : entryValue.split("*");
			const longest = pieces.reduce((a, b) => (b.length > a.length ? b : a), "");
			const glob = side.globs.push({ entry: index, pieces }) - 1;
			if (longest === "") side.globsAlways.push(glob);
			else side.use(longest, glob * ROLES + GLOB);
			continue;
		}
		const value = doesNormalize ? nameSkeleton(entryValue) : entryValue;
		if (value === "") {
			const name = `${path}[${index}]`;
			return problem(`${name}: ${JSON.stringify(entryValue)} is empty once normalized`, name, at(index));
		}
		if (mode === "exact") {
			if (!side.exact.has(value)) side.exact.set(value, index);
		} else {
			side.use(value, index * ROLES + ROLE_OF_MODE[mode]);
		}
	}
	return {
		ok: true,
		value: new CompiledBannedList(
			path,
			values,
			modes,
			errorCodes,
			errorInfos,
			normalized.build(),
			raw.build(),
			counts,
		),
	};
}

/**
 * Index of the first entry (in document order) that refuses the name, or -1.
 * `text` is the name's text form, `nameSkeleton` its skeleton, `rawName` the name as received.
 */
export function findFirstBanned(
	banned: CompiledBanned,
	rawName: string,
	text: string,
	nameSkeleton: string,
): number {
	let best = Number.POSITIVE_INFINITY;
	best = Math.min(best, firstOnSide(banned.normalized, nameSkeleton, text, best));
	best = Math.min(best, firstOnSide(banned.raw, rawName, rawName, best));
	return best === Number.POSITIVE_INFINITY ? -1 : best;
}

function firstOnSide(side: Side, subject: string, regexSubject: string, bestSoFar: number): number {
	if (side.empty) return bestSoFar;
	let best = bestSoFar;
	const exact = side.exact.get(subject);
	if (exact !== undefined && exact < best) best = exact;
	const { automaton, useStart, useValues, globs } = side;
	const { nodes, outputNeedle, outputNext, needleLengths } = automaton;
	for (const candidate of side.globsAlways) {
		const glob = globs[candidate] as Glob;
		if (glob.entry < best && globMatches(glob.pieces, subject)) best = glob.entry;
	}
	let state = 0;
	for (let i = 0; i < subject.length; i++) {
		state = nextState(automaton, state, subject.charCodeAt(i));
		for (let e = nodes[NODE * state + 2] as number; e !== 0; e = outputNext[e] as number) {
			const needle = outputNeedle[e] as number;
			const end = i + 1;
			const start = end - (needleLengths[needle] as number);
			const last = useStart[needle + 1] as number;
			for (let u = useStart[needle] as number; u < last; u++) {
				const use = useValues[u] as number;
				const role = use % ROLES;
				if (role === GLOB) {
					const glob = globs[(use - role) / ROLES] as Glob;
					if (glob.entry < best && globMatches(glob.pieces, subject)) best = glob.entry;
					continue;
				}
				const entry = (use - role) / ROLES;
				// Uses are in document order: nothing later on this needle can beat `best`.
				if (entry >= best) break;
				if (
					role === PLAIN ||
					(role === WORD && !isWordCharacterAt(subject, start - 1) && !isWordCharacterAt(subject, end)) ||
					(role === PREFIX && start === 0) ||
					(role === SUFFIX && end === subject.length)
				) {
					best = entry;
					break;
				}
			}
		}
	}
	if (side.regexes !== null) best = side.regexes.first(regexSubject, best);
	return best;
}

/**
 * The regex entries of one side. Their RE2 programs are built at compile time, or on first use: the
 * compiled form of a policy (compiled-cache.ts) stores the patterns, and a policy read back from it
 * pays for its regexes only when a name reaches them.
 */
export class RegexMatchers {
	private compiled: { set: RE2Set } | { each: RE2JS[] } | null = null;

	constructor(
		/** Entry index of each pattern, in document order. */
		readonly entries: readonly number[],
		readonly patterns: readonly string[],
		readonly flags: number,
	) {}

	/** The first entry (in document order, before `bestSoFar`) whose pattern matches `subject`. */
	first(subject: string, bestSoFar: number): number {
		this.compiled ??= this.compile();
		let best = bestSoFar;
		if ("set" in this.compiled) {
			for (const matched of this.compiled.set.match(subject)) {
				const entry = this.entries[matched];
				if (entry !== undefined && entry < best) best = entry;
			}
			return best;
		}
		const { each } = this.compiled;
		for (let i = 0; i < each.length; i++) {
			const entry = this.entries[i] as number;
			if (entry >= best) break;
			if ((each[i] as RE2JS).matcher(subject).find()) best = entry;
		}
		return best;
	}

	/** Builds the RE2 programs now rather than on first use; returns this. */
	prepared(): this {
		this.compiled ??= this.compile();
		return this;
	}

	private compile(): { set: RE2Set } | { each: RE2JS[] } {
		try {
			const set = new RE2Set(RE2Set.UNANCHORED, this.flags);
			for (const pattern of this.patterns) set.add(pattern);
			set.compile();
			return { set };
		} catch {
			// Too large for one program: match them one by one (each still linear-time).
			return { each: this.patterns.map((pattern) => RE2JS.compile(pattern, this.flags)) };
		}
	}
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
