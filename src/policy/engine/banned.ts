// The banned list, compiled once per policy text: whatever the number of entries, deciding a name is one
// Aho–Corasick pass per reading of the name (plus one over the raw name for `normalize: false` entries),
// one map look-up per reading for exact entries, and one RE2 set pass per subject for regex entries
// (linear time, no backtracking).
import { RE2JS } from "re2js";
import { errorMessage } from "../../log";
import { type Outcome, problem } from "../document/positions";
import { type BannedEntry, MATCH_MODES, type MatchMode } from "../document/schema";
import {
	newSearch,
	PLAIN,
	PREFIX,
	type Search,
	type Side,
	SideBuilder,
	SUFFIX,
	searchReading,
	searchRegexes,
	WORD,
	WORD_END,
	WORD_START,
} from "./matcher";
import { pinyinSpellings } from "./pinyin";
import { foldedValue, type Reading, rawReading } from "./readings";

export { RegexMatchers } from "./matcher";

/** What a refusal by one banned entry answers. */
export interface BannedRule {
	/** e.g. `names.banned[3] "casino"` or `names.banned[4] word "bet"`. */
	rule: string;
	errorCode: number | undefined;
	errorInfo: string | undefined;
}

/** A compiled banned list; decide with {@link findFirstBanned}. */
export interface CompiledBanned {
	/** Every entry's rule, in document order (built on first use: prefer {@link CompiledBanned.ruleAt}). */
	readonly rules: BannedRule[];
	/** Number of entries. */
	readonly size: number;
	/** The rule of entry `index`. */
	ruleAt(index: number): BannedRule;
	/** Entry `index` as written: its match mode and value. */
	entryAt(index: number): { match: MatchMode; value: string };
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

	entryAt(index: number): { match: MatchMode; value: string } {
		return { match: MODE_CODES[this.modes[index] as number] ?? "plain", value: this.values[index] ?? "" };
	}

	ruleAt(index: number): BannedRule {
		let made = rulesMade.get(this);
		if (made === undefined) {
			made = [];
			rulesMade.set(this, made);
		}
		let rule = made[index];
		if (rule === undefined) {
			rule = this.makeRule(index);
			made[index] = rule;
		}
		return rule;
	}

	private makeRule(index: number): BannedRule {
		const { match, value } = this.entryAt(index);
		const code = this.errorCodes[index] as number;
		return {
			rule: `${this.path}[${index}] ${match === "plain" ? "" : `${match} `}${JSON.stringify(value)}`,
			errorCode: code === 0 ? undefined : code,
			errorInfo: this.errorInfos.get(index),
		};
	}
}

/** The rules of each list made so far, by entry (kept apart: the compiled form holds the list's fields). */
const rulesMade = new WeakMap<CompiledBannedList, (BannedRule | undefined)[]>();

const ROLE_OF_MODE: Readonly<Record<Exclude<MatchMode, "exact" | "glob" | "regex">, number>> = {
	plain: PLAIN,
	word: WORD,
	prefix: PREFIX,
	suffix: SUFFIX,
	"word-start": WORD_START,
	"word-end": WORD_END,
};

/** One banned entry (or allowed pattern), read the same way whether written as a string or as an object. */
export interface EntryShape {
	value: string;
	mode: MatchMode;
	normalize: boolean;
	fold: boolean;
}

function shapeOf(item: BannedEntry): EntryShape {
	if (typeof item === "string") return { value: item, mode: "plain", normalize: true, fold: false };
	return {
		value: item.value,
		mode: item.match ?? "plain",
		normalize: item.normalize !== false,
		fold: item.fold === true,
	};
}

/**
 * Adds one pattern (`match` mode and `value`, as in a banned entry or an allowed pattern) of entry
 * `index` to the side it compares with; returns a problem text when the value cannot be used.
 */
export function addPattern(side: SideBuilder, index: number, shape: EntryShape): string | null {
	const { value, mode, normalize } = shape;
	if (mode === "regex") return addRegex(side, index, shape);
	if (mode === "glob") {
		addGlob(side, index, value, normalize);
		return null;
	}
	const folded = normalize ? foldedValue(value) : { written: value, collapsed: value, runs: null };
	if (folded.written === "") return `${JSON.stringify(value)} is empty once normalized`;
	if (mode === "exact") side.addExact(index, folded.written);
	else side.addSubstring(index, ROLE_OF_MODE[mode], folded.collapsed, folded.runs);
	return null;
}

/**
 * A value of several words with its words joined (`double penetration` → `doublepenetration`), compared
 * too: a name spelled letter by letter (`d o u b l e p e n e t r a t i o n`) is read with its separators
 * skipped, which joins the words, and so does a name that merely drops the space. Null when the value is
 * one word, a regex, a glob or an entry with `normalize: false`.
 */
function wordsJoined({ value, mode, normalize }: EntryShape): string | null {
	if (!normalize || mode === "regex" || mode === "glob") return null;
	if (!foldedValue(value).written.includes(" ")) return null;
	const joined = value.replace(/\s+/gu, "");
	const folded = foldedValue(joined).written;
	return folded === "" || folded.includes(" ") ? null : joined;
}

function addRegex(side: SideBuilder, index: number, { value, normalize, fold }: EntryShape): string | null {
	try {
		RE2JS.compile(value, normalize ? RE2JS.CASE_INSENSITIVE : 0);
	} catch (error) {
		const reason = errorMessage(error);
		return (
			`regex ${JSON.stringify(value)} is not valid RE2 syntax (the linear-time engine: ` +
			`no look-around, no back-references): ${reason}`
		);
	}
	side.addRegex(index, value, normalize && fold);
	return null;
}

function addGlob(side: SideBuilder, index: number, value: string, normalize: boolean): void {
	const pieces = value.split("*").map((piece) => (normalize ? foldedValue(piece) : null));
	const written = pieces.map((piece, i) => piece?.written ?? (value.split("*")[i] as string));
	// The longest literal piece finds the candidates; the whole glob is checked on each.
	let longest: { collapsed: string; runs: number[] } | null = null;
	written.forEach((piece, i) => {
		if (piece.length > (longest?.collapsed.length ?? 0)) {
			longest = pieces[i] ?? { collapsed: piece, runs: [] };
		}
	});
	side.addGlob(index, written, longest);
}

/**
 * Adds the pinyin spellings of a `pinyin` entry (pinyin.ts) to the side, a Latin end held to a word's end
 * (`dubo` in `Dubois` is not 赌博); returns a problem text when the entry cannot have them.
 */
function addPinyin(
	side: SideBuilder,
	index: number,
	shape: EntryShape,
	pinyin: true | "initials",
): string | null {
	if (!shape.normalize || (shape.mode !== "plain" && shape.mode !== "word"))
		return `"pinyin" applies to plain and word entries that are normalized, not to ${shape.mode} ones`;
	const spellings = pinyinSpellings(foldedValue(shape.value).written, pinyin === "initials");
	if (spellings === null)
		return `"pinyin": no character of ${JSON.stringify(shape.value)} has a pinyin reading`;
	for (const { text, latinStart, latinEnd } of spellings) {
		const role = latinStart ? (latinEnd ? WORD : WORD_START) : latinEnd ? WORD_END : PLAIN;
		const folded = foldedValue(text);
		side.addSubstring(index, role, folded.collapsed, folded.runs);
	}
	return null;
}

/** Total length of the entries' values: sizes the automaton's first allocation. */
function totalUnits(entries: readonly BannedEntry[]): number {
	let units = 0;
	for (const item of entries) units += typeof item === "string" ? item.length : item.value.length;
	return units;
}

/**
 * Compiles `names.banned` (found at `path`, e.g. `names.banned`): validates every pattern and builds the
 * matchers. A pattern that cannot be used is a problem naming the entry.
 */
export function compileBanned(
	entries: readonly BannedEntry[],
	path: string,
	at: (index: number) => { line: number; column: number } | null,
): Outcome<CompiledBanned> {
	const normalized = new SideBuilder(true, totalUnits(entries));
	const raw = new SideBuilder(false, 0);
	const values: string[] = new Array(entries.length);
	const modes = new Uint8Array(entries.length);
	const errorCodes = new Int32Array(entries.length);
	const errorInfos = new Map<number, string>();
	const counts = Object.fromEntries(MATCH_MODES.map((mode) => [mode, 0])) as Record<MatchMode, number>;
	for (let index = 0; index < entries.length; index++) {
		const item = entries[index] as BannedEntry;
		const shape = shapeOf(item);
		counts[shape.mode]++;
		values[index] = shape.value;
		modes[index] = MODE_CODES.indexOf(shape.mode);
		if (typeof item !== "string") {
			if (item.errorCode !== undefined) errorCodes[index] = item.errorCode;
			if (item.errorInfo !== undefined) errorInfos.set(index, item.errorInfo);
		}
		const trouble = addPattern(shape.normalize ? normalized : raw, index, shape);
		if (trouble !== null) {
			const name = `${path}[${index}]`;
			return problem(`${name}: ${trouble}`, name, at(index));
		}
		const joined = wordsJoined(shape);
		if (joined !== null) addPattern(normalized, index, { ...shape, value: joined });
		const pinyin = typeof item === "string" ? undefined : item.pinyin;
		const noPinyin =
			pinyin === undefined || pinyin === false ? null : addPinyin(normalized, index, shape, pinyin);
		if (noPinyin !== null) {
			const name = `${path}[${index}]`;
			return problem(`${name}: ${noPinyin}`, name, at(index));
		}
	}
	const list = new CompiledBannedList(
		path,
		values,
		modes,
		errorCodes,
		errorInfos,
		normalized.build(),
		raw.build(),
		counts,
	);
	return { ok: true, value: list };
}

/** What a name is compared in: its raw form, text form and folded readings. */
export interface NameForms {
	name: string;
	text: string;
	readings: readonly Reading[];
}

/**
 * Searches the banned list for the first entry (in document order) that refuses the name, skipping
 * matches that lie wholly inside one of the `excused` spans (allowed patterns). Returns the search:
 * `best` is the entry (Infinity when none), `start`/`end` its span in the name, `reading` the index of
 * the reading it was found in (-1: the raw name or the text form). With `readingsOnly`, the text form and
 * the raw name are not searched (a part of a long text: they are searched in the whole text).
 */
export function findFirstBanned(
	banned: CompiledBanned,
	forms: NameForms,
	excused: readonly number[] = [],
	saved: number[] | null = null,
	readingsOnly = false,
): Search {
	const search = newSearch(excused, saved);
	const { normalized, raw } = banned;
	if (!normalized.empty) {
		forms.readings.forEach((reading, index) => {
			searchReading(normalized, reading, index, search);
		});
		if (!readingsOnly) searchRegexes(normalized.regexes, forms.text, forms.name.length, search);
	}
	if (!raw.empty && !readingsOnly) {
		searchReading(raw, rawReading(forms.name), -1, search);
		searchRegexes(raw.regexes, forms.name, forms.name.length, search);
	}
	return search;
}
