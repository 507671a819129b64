// A sound prefilter for long texts: one pass proves that no folded pattern can match any reading of a text,
// which is then allowed without making its readings (readings.ts). The pass follows every path the readings
// may take at once, as a set of automaton states: each character read as any unit a reading may give it
// (fold, faux letter, leetspeak letter) or as a word edge, skipped where a reading may skip it, a repeated
// unit once or each time. `word` entries need an edge on each side (`ass` is not in `class`); a folded regex
// of letters, `.` and `?` becomes the strings it matches. The sets met are numbered and their steps kept, so
// most characters cost one look-up. Where the readings do what the pass does not model (jamo join the
// syllable before) or the paths are too many, it cannot tell, and the text is read whole.
import { type Automaton, NODE, nextState } from "./automaton";
import { AutomatonBuilder } from "./automaton-build";
import {
	ASCII_UNIT_CODES,
	ASCII_UNIT_FLAGS,
	foldOf,
	I,
	isLetterUnit,
	L,
	LETTER_UNIT,
	mayBeTone,
	OTHER_LETTERS,
	readsOtherwise,
	SYMBOL_UNIT,
	WORD_UNIT,
} from "./folding";
import { PREFIX, ROLES, type Side, SUFFIX, WORD, WORD_END, WORD_START } from "./matcher";
import {
	isConjoiningJamo,
	isHangulSyllable,
	isKanaUnit,
	isProlongedMark,
	sizeBefore,
	voiced,
	voicingMark,
} from "./scripts";

/** Units no reading holds: a word edge, and `.` reading a unit outside ASCII. */
const EDGE = 0x01;
const ANY = 0x02;
/** The step key of a space a reading may skip (the others are ASCII characters, and EDGE). */
const SKIPPED_SPACE = 0x02;
/** Most states followed at once, strings one regex spells, and sets kept. */
const MAX_STATES = 96;
const MAX_SPELLINGS = 1024;
const MAX_SETS = 8192;
/** A step's answer when the pass cannot tell (a reading it does not model, too many paths). */
const UNSURE = -1;
/** Bits of a step's answer (and of `Prefilter.ends`): a banned needle ended, an `allowed` needle ended. */
const BANNED_ENDS = 1;
const EXCUSE_ENDS = 2;
/** A step's answer for the prolonged sound mark (or a dash read as one), which reads as the kana before it. */
const PROLONGED = -3;

interface Prefilter {
	automaton: Automaton;
	/** For each state, which patterns' needles end there ({@link BANNED_ENDS}, {@link EXCUSE_ENDS}). */
	ends: Uint8Array;
	/** The sets of states met, by number, and each one's number by its states ("3,17,"). */
	sets: Int32Array[];
	numbers: Map<string, number>;
	/**
	 * The step from a set on an ASCII key, plus 2 (0: not met yet): steps[set * columns + column[key]]. Keys
	 * read alike (the same units, the same edge and skip) share a column: a letter and its capital, the
	 * separators no needle holds.
	 */
	steps: Uint16Array;
	column: Uint8Array;
	columns: number;
	/**
	 * The step from a set on a character outside ASCII below U+20000: others.get(code point * MAX_SETS + set), a
	 * small integer key (the others are not kept).
	 */
	others: Map<number, number>;
	/** Scratch of {@link dropSuffixes}. */
	marks: Int32Array;
	mark: number;
	/** What {@link hangulStates} found (null: too many states), once asked. */
	hangul?: { states: Int32Array; ends: number } | null;
}

const made = new WeakMap<Side, Map<Side | null, Prefilter | null>>();

/**
 * False when no folded pattern of `side` (needles, exact values, globs' pieces, regexes) can match any
 * reading of `name`: its readings need not be made. True when one may, or when this pass cannot tell.
 */
export function mayMatchReadings(side: Side, name: string): boolean {
	const read = partsThatMayMatch(side, name, null);
	return read === null || read.parts.length > 0;
}

/** What the pass found in a text: the parts to read (see {@link partsThatMayMatch}), and a count. */
export interface TextParts {
	/** Triples: [start, end) in UTF-16 offsets, and 1 when an `allowed` pattern may match there too. */
	parts: number[];
	/** How many of the text's UTF-16 units lie outside ASCII (what its text form may lengthen). */
	outside: number;
}

/**
 * The parts of `name` where a folded pattern of `side` may match some reading, as triples: [start, end) in
 * UTF-16 offsets, and 1 when a pattern of `excuses` may match there too, else 0 (none: nothing may match);
 * or null when the pass cannot tell. A part ends before a space no reading skips, between two words of two
 * letters or more, where no path holds an unfinished needle of `side`, nor of `excuses` (the `allowed`
 * patterns) when given: no match reaches across it.
 */
export function partsThatMayMatch(side: Side, name: string, excuses: Side | null): TextParts | null {
	const prefilter = prefilterOf(side, excuses);
	const cuts = scratch;
	cuts.length = 0;
	const outside = prefilter === null ? -1 : walk(prefilter, name, cuts);
	if (outside < 0) return null;
	const parts: number[] = [];
	let start = 0;
	for (let c = 0; c < cuts.length; c += 2) {
		const at = cuts[c] as number;
		const ends = cuts[c + 1] as number;
		if ((ends & BANNED_ENDS) !== 0) parts.push(start, at, (ends & EXCUSE_ENDS) !== 0 ? 1 : 0);
		start = at + 1;
	}
	return { parts, outside };
}

const scratch: number[] = [];

/** The prefilter of `side`'s patterns, its paths followed through `excuses`' too (made once per pair). */
function prefilterOf(side: Side, excuses: Side | null): Prefilter | null {
	let bySide = made.get(side);
	if (bySide === undefined) {
		bySide = new Map();
		made.set(side, bySide);
	}
	let prefilter = bySide.get(excuses);
	if (prefilter === undefined) {
		prefilter = buildPrefilter(side, excuses);
		bySide.set(excuses, prefilter);
	}
	if (prefilter !== null && (prefilter.sets.length >= MAX_SETS || prefilter.others.size >= MAX_SETS * 8))
		forget(prefilter);
	return prefilter;
}

/**
 * Reads `name` through a prefilter, adding to `cuts` each place a part may end (the offset of a space no
 * reading skips, where no path holds an unfinished needle) and the text's end, each followed by the needles
 * that ended since the one before ({@link BANNED_ENDS}, {@link EXCUSE_ENDS}). Returns how many UTF-16 units
 * of the text lie outside ASCII, or -1 when the pass cannot tell.
 */
function walk(prefilter: Prefilter, name: string, cuts: number[]): number {
	// The text's start and end are word edges; the set after the start is the one a part starts in.
	const calm = asciiStep(prefilter, 0, EDGE) >> 2;
	let set = calm;
	// What needles ended since the last cut.
	let hit = 0;
	// The steps kept (read again after a step is found: finding one may grow the table).
	let steps = prefilter.steps;
	const { column, columns } = prefilter;
	const length = name.length;
	let outside = 0;
	for (let i = 0; i < length; ) {
		// Most characters are printable ASCII but the space, with their step known: one look-up each, in a
		// loop of its own. The rest, and a step not known yet, take the way below.
		for (; i < length; i++) {
			const code = name.charCodeAt(i);
			if (code < 0x21 || code > 0x7e) break;
			const known = (steps[set * columns + (column[code] as number)] as number) - 2;
			if (known < 0) break;
			set = known >> 2;
			hit |= known & 3;
		}
		if (i === length) break;
		const code = name.charCodeAt(i);
		let result: number;
		if (code < 0x80) {
			i++;
			let key = code;
			let cut = false;
			if (code <= 0x20) {
				if (code < 0x20) continue;
				cut = spaceKept(name, i - 1);
				if (!cut) key = SKIPPED_SPACE;
			} else if (code === 0x7f) continue;
			result = (steps[set * columns + (column[key] as number)] as number) - 2;
			if (result === -2) {
				result = step(prefilter, set, key, 0);
				steps = prefilter.steps;
			}
			if (result === UNSURE) return -1;
			set = result >> 2;
			hit |= result & 3;
			if (cut && set === calm) {
				cuts.push(i - 1, hit);
				hit = 0;
			}
			continue;
		}
		const at = i;
		const codePoint = name.codePointAt(i) as number;
		i += codePoint > 0xffff ? 2 : 1;
		// A voicing mark joins the kana before it (`カ` + ゛ → `ガ`): read with it.
		const mark = voicingMark(name.charCodeAt(i));
		if (mark !== 0) {
			result = voicedStep(prefilter, set, codePoint, mark);
			i++;
		} else if (voicingMark(codePoint) !== 0) return -1;
		else result = prefilter.others.get(codePoint * MAX_SETS + set) ?? step(prefilter, set, 0, codePoint);
		if (result === PROLONGED) result = prolongedStep(prefilter, set, codePoint, kanaBefore(name, at));
		steps = prefilter.steps;
		if (result === UNSURE) return -1;
		set = result >> 2;
		hit |= result & 3;
		outside += i - at;
	}
	const end = asciiStep(prefilter, set, EDGE);
	if (end === UNSURE) return -1;
	cuts.push(name.length, hit | (end & 3));
	return outside;
}

/**
 * Whether a match of `side`'s patterns depends only on the part of the text it lies in: no exact value,
 * glob, prefix or suffix (they look at a whole reading); for an `allowed` side (`excuses`), no regex on the
 * text form either.
 */
export function readInParts(side: Side, excuses: boolean): boolean {
	let local = inParts.get(side);
	if (local === undefined) {
		local = side.exact.size === 0 && side.globs.length === 0;
		for (const use of side.useValues) local &&= use % ROLES !== PREFIX && use % ROLES !== SUFFIX;
		inParts.set(side, local);
	}
	return local && !(excuses && side.regexes !== null);
}

const inParts = new WeakMap<Side, boolean>();

function buildPrefilter(side: Side, excuses: Side | null): Prefilter | null {
	const builder = new AutomatonBuilder();
	const needles = addNeedles(builder, side);
	const excused = excuses === null ? null : addNeedles(builder, excuses);
	if (needles === null || builder.size === 0 || (excuses !== null && excused === null)) return null;
	const automaton = builder.build();
	const { states, nodes, outputNeedle, outputNext } = automaton;
	// Which needles end in each state: `side`'s, `excuses`'.
	const ends = new Uint8Array(states);
	for (let state = 0; state < states; state++) {
		for (let e = nodes[NODE * state + 2] as number; e !== 0; e = outputNext[e] as number) {
			const needle = outputNeedle[e] as number;
			const end = (needles.has(needle) ? BANNED_ENDS : 0) | (excused?.has(needle) ? EXCUSE_ENDS : 0);
			ends[state] = (ends[state] as number) | end;
		}
	}
	const prefilter: Prefilter = {
		automaton,
		ends,
		sets: [],
		numbers: new Map(),
		...columnsOf(automaton),
		steps: new Uint16Array(0),
		others: new Map(),
		marks: new Int32Array(states),
		mark: 0,
	};
	prefilter.steps = new Uint16Array(64 * prefilter.columns);
	forget(prefilter);
	return prefilter;
}

/**
 * The column of each ASCII key in the steps (see {@link Prefilter.steps}): keys whose step reads the same
 * units (a unit no needle holds counts as any other such unit), edge and skip share one.
 */
function columnsOf(automaton: Automaton): { column: Uint8Array; columns: number } {
	const column = new Uint8Array(0x80);
	const seen = new Map<string, number>();
	for (let key = 0; key < 0x80; key++) {
		const code = key === SKIPPED_SPACE ? 0x20 : key;
		const unit = (code: number) => (automaton.asciiColumn[code] === 0 ? "-" : String(code));
		const ways = [
			ASCII_UNIT_CODES[code] as number,
			...[...(OTHER_LETTERS[String.fromCharCode(code)] ?? "")].map((c) => c.charCodeAt(0)),
		];
		const signature = `${key === EDGE ? "edge" : ways.map(unit).join()} ${is(code, LETTER)} ${key === SKIPPED_SPACE || (code !== 0x20 && is(code, SKIPPABLE))}`;
		let at = seen.get(signature);
		if (at === undefined) {
			at = seen.size;
			seen.set(signature, at);
		}
		column[key] = at;
	}
	return { column, columns: seen.size };
}

/**
 * Adds `side`'s patterns to `builder` as the needles of the pass (a word entry between {@link EDGE}s, a
 * folded regex as the strings it matches); returns their numbers, or null when a pattern cannot be.
 */
function addNeedles(builder: AutomatonBuilder, side: Side): Set<number> | null {
	if (side.globsAlways.length > 0) return null;
	const added = new Set<number>();
	const edge = String.fromCharCode(EDGE);
	const { useStart, useValues } = side;
	needleTexts(side.automaton).forEach((text, needle) => {
		for (let u = useStart[needle] as number; u < (useStart[needle + 1] as number); u++) {
			// Plain, prefix, suffix and glob needles alike: an edge of the text is no condition here.
			const role = (useValues[u] as number) % ROLES;
			const before = role === WORD || role === WORD_START ? edge : "";
			added.add(builder.add(before + text + (role === WORD || role === WORD_END ? edge : "")));
		}
	});
	for (const value of side.exact.keys()) added.add(builder.add(value));
	const regexes = side.foldedRegexes;
	for (const pattern of regexes?.patterns ?? []) {
		const spellings = regexSpellings(pattern, regexes?.flags !== 0);
		if (spellings === null) return null;
		for (const spelling of spellings) added.add(builder.add(spelling));
	}
	return added;
}

/** Forgets the sets met but the first, the root's (number 0). */
function forget(prefilter: Prefilter): void {
	prefilter.sets = [Int32Array.of(0)];
	prefilter.numbers = new Map([["0,", 0]]);
	prefilter.steps.fill(0);
	prefilter.others.clear();
}

/** The needles of an automaton as text, rebuilt from its trie (a compiled policy keeps no list of them). */
function needleTexts(automaton: Automaton): string[] {
	const { nodes, unitInto, outputNeedle, outputNext, needleLengths, states } = automaton;
	const texts: string[] = new Array(needleLengths.length).fill("");
	const of: string[] = new Array(states).fill("");
	for (let s = 0; s < states; s++) {
		const text = of[s] as string;
		for (let child = nodes[NODE * s] as number; child < (nodes[NODE * (s + 1)] as number); child++)
			of[child] = text + String.fromCharCode(unitInto[child] as number);
		for (let e = nodes[NODE * s + 2] as number; e !== 0; e = outputNext[e] as number) {
			const needle = outputNeedle[e] as number;
			if (needleLengths[needle] === text.length) texts[needle] = text;
		}
	}
	return texts;
}

/** What `.` stands for: each printable ASCII character, or {@link ANY} (a unit outside ASCII). */
const DOT = [
	...Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i)),
	String.fromCharCode(ANY),
];

/**
 * The strings a regex of letters, digits, spaces, `.`, `?` and `\b` `\B` (dropped: an edge only narrows)
 * matches, or null for any other regex, one that may match nothing, or one of too many strings.
 */
export function regexSpellings(pattern: string, caseless: boolean): string[] | null {
	let spellings = [""];
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i] as string;
		if (c === "\\") {
			if (pattern[i + 1] !== "b" && pattern[i + 1] !== "B") return null;
			i++;
			continue;
		}
		if (c !== "." && !/^[a-zA-Z0-9 ]$/.test(c)) return null;
		const units = c === "." ? DOT : [caseless ? c.toLowerCase() : c];
		const optional = pattern[i + 1] === "?";
		// `??` (a lazy `?`) takes the same characters.
		if (optional) i += pattern[i + 2] === "?" ? 2 : 1;
		const longer = spellings.flatMap((spelling) => units.map((unit) => spelling + unit));
		spellings = optional ? [...spellings, ...longer] : longer;
		if (spellings.length > MAX_SPELLINGS) return null;
	}
	return spellings.includes("") ? null : [...new Set(spellings)];
}

/** Bits of {@link ASCII}, per ASCII character. */
const LETTER = 1; // a letter: never an edge, never skipped
const SKIPPABLE = 2; // separators, `$` `@` between Han characters, the tone numbers 1 to 5 (the space: spaceKept)
const SEPARATOR = 4; // a separator no reading takes for a letter
const ALNUM = 8;
const LETTER_ALIKE = 16; // a letter, digit, `$` or `@`
/** Read from the fold's own flags (folding.ts), so that the pass reads each character as the fold does. */
const ASCII = Uint8Array.from(ASCII_UNIT_FLAGS, (flags, code) => {
	const word = (flags & WORD_UNIT) !== 0;
	const letter = (flags & LETTER_UNIT) !== 0;
	// Letters and digits, not `$` `@`, symbols read as letters.
	const alnum = letter && (flags & SYMBOL_UNIT) === 0;
	const printable = code >= 0x20 && code < 0x7f;
	return (
		(word ? LETTER : 0) |
		(word || (alnum && !mayBeTone(code)) ? 0 : SKIPPABLE) |
		(printable && !letter && !readsOtherwise(code) ? SEPARATOR : 0) |
		(alnum ? ALNUM : 0) |
		(letter ? LETTER_ALIKE : 0)
	);
});

const is = (code: number, bit: number) => code < 0x80 && ((ASCII[code] as number) & bit) !== 0;

/**
 * Whether no reading skips the space at `index`: its run of separators lies between two ASCII letters or
 * digits, each with a letter, digit, `$` or `@` on its other side (no single letter, no Han character).
 */
function spaceKept(text: string, index: number): boolean {
	// Most spaces lie between two letters or digits.
	const left = text.charCodeAt(index - 1);
	const right = text.charCodeAt(index + 1);
	if (left < 0x80 && right < 0x80 && ((ASCII[left] as number) & (ASCII[right] as number) & ALNUM) !== 0)
		return is(text.charCodeAt(index - 2), LETTER_ALIKE) && is(text.charCodeAt(index + 2), LETTER_ALIKE);
	let before = index - 1;
	while (is(text.charCodeAt(before), SEPARATOR)) before--;
	let after = index + 1;
	while (is(text.charCodeAt(after), SEPARATOR)) after++;
	return (
		is(text.charCodeAt(before), ALNUM) &&
		is(text.charCodeAt(after), ALNUM) &&
		is(text.charCodeAt(before - 1), LETTER_ALIKE) &&
		is(text.charCodeAt(after + 1), LETTER_ALIKE)
	);
}

/** The state of one step (reused: a step runs to its end before the next begins). */
const pass = {
	states: new Int32Array(MAX_STATES),
	next: new Int32Array(MAX_STATES),
	count: 0,
	nextCount: 0,
	/** The units the character may be read as. */
	ways: [] as number[],
	/** What needles ended in the step ({@link BANNED_ENDS}, {@link EXCUSE_ENDS}). */
	ends: 0,
};

/** {@link step} of an ASCII key, from the steps kept when met before. */
function asciiStep(prefilter: Prefilter, set: number, key: number): number {
	const known = prefilter.steps[set * prefilter.columns + (prefilter.column[key] as number)] as number;
	return known !== 0 ? known - 2 : step(prefilter, set, key, 0);
}

/**
 * Reads, from set `set`, the ASCII key `key` or else the character `codePoint`, kept for the next time: its
 * {@link answer}, or {@link PROLONGED}.
 */
function step(prefilter: Prefilter, set: number, key: number, codePoint: number): number {
	pass.ends = 0;
	const result = answer(stepNow(prefilter, set, key, codePoint));
	if (codePoint === 0)
		prefilter.steps[set * prefilter.columns + (prefilter.column[key] as number)] = result + 2;
	else if (codePoint < 0x20000) prefilter.others.set(codePoint * MAX_SETS + set, result);
	return result;
}

/** A step's answer: the set after it times four, plus what needles ended on its paths; or a negative answer. */
const answer = (next: number) => (next < 0 ? next : next * 4 + pass.ends);

/** Loads set `set` into `pass.states`. */
function load(prefilter: Prefilter, set: number): void {
	const states = prefilter.sets[set] as Int32Array;
	pass.states.set(states);
	pass.count = states.length;
}

/** {@link read}, then the number of the set read into (or {@link UNSURE}). */
function readSet(prefilter: Prefilter, skippable: boolean): number {
	return read(prefilter, skippable) ? UNSURE : numberOf(prefilter);
}

function stepNow(prefilter: Prefilter, set: number, key: number, codePoint: number): number {
	load(prefilter, set);
	const ways = pass.ways;
	ways.length = 0;
	if (key === EDGE) {
		ways.push(EDGE);
		return readSet(prefilter, false);
	}
	if (codePoint === 0) {
		const code = key === SKIPPED_SPACE ? 0x20 : key;
		const c = String.fromCharCode(code);
		ways.push(ASCII_UNIT_CODES[code] as number);
		for (const other of OTHER_LETTERS[c] ?? "") ways.push(other.charCodeAt(0));
		if (!is(code, LETTER)) ways.push(EDGE);
		return readSet(prefilter, key === SKIPPED_SPACE || (code !== 0x20 && is(code, SKIPPABLE)));
	}
	const fold = foldOf(codePoint);
	const text = fold.text;
	if (text === "") return set;
	const first = text.charCodeAt(0);
	// The prolonged mark reads as the kana before it (see the pass).
	if (text === "\u30fc" || isProlongedMark(codePoint)) return PROLONGED;
	if (isConjoiningJamo(first)) return text.length === 1 ? jamoStep(prefilter, first) : UNSURE;
	if (text.length === 1) {
		ways.push(first, EDGE, ANY);
		if (fold.faux !== 0) ways.push(fold.faux);
		if (fold.stroke) ways.push(first === I ? L : I);
		for (const other of OTHER_LETTERS[text] ?? "") ways.push(other.charCodeAt(0));
		// A unit that is no letter (a separator) or a symbol read as one (`€`, skipped between Han) may be skipped.
		return readSet(prefilter, fold.symbol || fold.dash || first === 0x20 || !isLetterUnit(first));
	}
	// Several units (`ß` → `ss`, an emoji's surrogate pair): each as itself or an edge, or skipped.
	for (let k = 0; k < text.length; k++) {
		ways.length = 0;
		ways.push(text.charCodeAt(k), EDGE, ANY);
		if (read(prefilter, true)) return UNSURE;
	}
	if (fold.faux !== 0) {
		// Or its faux letter alone (`ъ` → `ˉb`, or b): the paths of both go on.
		const units = pass.states.slice(0, pass.count);
		load(prefilter, set);
		ways.length = 0;
		ways.push(fold.faux, EDGE, ANY);
		if (read(prefilter, false) || !merge(prefilter, units)) return UNSURE;
	}
	return numberOf(prefilter);
}

/**
 * The step on a jamo (`unit`: its folded unit), from the set loaded in `pass.states`. A reading may take it
 * alone, or join it to the Hangul unit before it, even across a few separators, which then becomes another
 * syllable, or two (scripts.ts, `joinsPrevious`). Its paths are those of the jamo alone, and every state a
 * Hangul syllable leads into, with the needles they end: whatever syllable the join made, the state after
 * it is one of them (or the root).
 */
function jamoStep(prefilter: Prefilter, unit: number): number {
	const ways = pass.ways;
	ways.push(unit, EDGE, ANY);
	const hangul = hangulStates(prefilter);
	if (hangul === null || read(prefilter, !isLetterUnit(unit)) || !merge(prefilter, hangul.states))
		return UNSURE;
	pass.ends |= hangul.ends;
	return numberOf(prefilter);
}

/** The states a Hangul syllable leads into, and the root, with what needles they end (worked out once). */
function hangulStates(prefilter: Prefilter): { states: Int32Array; ends: number } | null {
	if (prefilter.hangul === undefined) {
		const { unitInto, states } = prefilter.automaton;
		const found = [0];
		let ends = 0;
		for (let state = 1; state < states && found.length <= MAX_STATES; state++) {
			if (!isHangulSyllable(unitInto[state] as number)) continue;
			found.push(state);
			ends |= prefilter.ends[state] as number;
		}
		prefilter.hangul = found.length > MAX_STATES ? null : { states: Int32Array.from(found), ends };
	}
	return prefilter.hangul;
}

/** Adds `states` to the set in `pass.states`; false past {@link MAX_STATES}. */
function merge(prefilter: Prefilter, states: Int32Array): boolean {
	pass.nextCount = 0;
	for (let s = 0; s < pass.count; s++) keep(pass.states[s] as number);
	for (const state of states) if (!keep(state)) return false;
	if (pass.nextCount > 1) dropSuffixes(prefilter);
	const next = pass.next;
	pass.next = pass.states;
	pass.states = next;
	pass.count = pass.nextCount;
	return true;
}

/**
 * The step on a kana with its voicing mark `mark` (1 or 2): the voiced kana, or {@link UNSURE} when the
 * character is no kana that takes it, or has a faux letter (the reading of faux letters joins nothing).
 */
function voicedStep(prefilter: Prefilter, set: number, codePoint: number, mark: number): number {
	const fold = foldOf(codePoint);
	const unit = fold.text.length === 1 && fold.unspaced ? fold.text.charCodeAt(0) : 0;
	const joined = isKanaUnit(unit) && fold.faux === 0 ? voiced(unit, mark) : 0;
	if (joined === 0) return UNSURE;
	return stepOn(prefilter, set, [joined, EDGE, ANY], false);
}

/**
 * The step on the prolonged mark `codePoint`: as itself (a dash), an edge or skipped, or as `kana` again
 * (the kana before it, past separators: 0 when none), which joins it in every reading.
 */
function prolongedStep(prefilter: Prefilter, set: number, codePoint: number, kana: number): number {
	const ways = [foldOf(codePoint).text.charCodeAt(0), EDGE, ANY];
	if (kana !== 0) ways.push(kana);
	return stepOn(prefilter, set, ways, true);
}

/**
 * The folded unit of the last letter before `index` (past separators, characters that fold to nothing and
 * prolonged marks) when it is a kana (voiced when its mark follows it), else 0.
 */
function kanaBefore(name: string, index: number): number {
	let k = index;
	while (k > 0) {
		const back = sizeBefore(name, k);
		const codePoint = name.codePointAt(k - back) as number;
		k -= back;
		if (codePoint < 0x80) {
			if (is(codePoint, ALNUM)) return 0;
			continue;
		}
		const mark = voicingMark(codePoint);
		if (mark !== 0 && k > 0) {
			const kana = foldOf(name.codePointAt(k - sizeBefore(name, k)) as number).text.charCodeAt(0);
			return isKanaUnit(kana) ? voiced(kana, mark) || kana : 0;
		}
		// Separators are units that are no letters, and symbols read as letters (`ソ$ー`); some fold to none.
		const fold = foldOf(codePoint);
		const unit = fold.text.charCodeAt(fold.text.length - 1);
		if (fold.text === "" || fold.symbol || fold.dash || !isLetterUnit(unit)) continue;
		if (fold.text === "\u30fc" || isProlongedMark(codePoint)) continue;
		return isKanaUnit(unit) ? unit : 0;
	}
	return 0;
}

/** The set after one character read as each of `ways` (or skipped), not kept; {@link UNSURE} past the bound. */
function stepOn(prefilter: Prefilter, set: number, ways: number[], skippable: boolean): number {
	load(prefilter, set);
	pass.ways.length = 0;
	pass.ways.push(...ways);
	pass.ends = 0;
	return answer(readSet(prefilter, skippable));
}

/**
 * Reads one character each of its ways, and not at all when `skippable`, into `pass.states`: each state's
 * successor on each way, and the state itself when its last unit is that way's (a repeated unit read once;
 * `.` may have read this unit outside ASCII). Adds to `pass.ends` what needles end; true past
 * {@link MAX_STATES}.
 */
function read(prefilter: Prefilter, skippable: boolean): boolean {
	const { automaton, ends } = prefilter;
	const { unitInto } = automaton;
	const { states, ways } = pass;
	const count = pass.count;
	pass.nextCount = 0;
	for (const unit of ways) {
		for (let s = 0; s < count; s++) {
			const state = states[s] as number;
			const next = nextState(automaton, state, unit);
			pass.ends |= ends[next] as number;
			if (!keep(next)) return true;
			const last = unitInto[state] as number;
			if (state !== 0 && unit > ANY && (last === unit || (last === ANY && unit >= 0x80)) && !keep(state))
				return true;
		}
	}
	if (skippable) for (let s = 0; s < count; s++) if (!keep(states[s] as number)) return true;
	if (pass.nextCount > 1) dropSuffixes(prefilter);
	pass.states = pass.next;
	pass.next = states;
	pass.count = pass.nextCount;
	return false;
}

/** Adds `state` to the next set once; false when the set is full. */
function keep(state: number): boolean {
	const { next } = pass;
	const count = pass.nextCount;
	for (let s = 0; s < count; s++) if (next[s] === state) return true;
	if (count >= MAX_STATES) return false;
	next[count] = state;
	pass.nextCount = count + 1;
	return true;
}

/**
 * Drops from the next set each state whose text ends another's (the root's is empty): whatever follows,
 * the longer one finds every needle the shorter one would.
 */
function dropSuffixes(prefilter: Prefilter): void {
	const { marks } = prefilter;
	const { nodes } = prefilter.automaton;
	const mark = ++prefilter.mark;
	const { next } = pass;
	const count = pass.nextCount;
	// Along the failure links from each: the states whose text ends its text.
	for (let s = 0; s < count; s++) {
		for (let state = nodes[NODE * (next[s] as number) + 1] as number; marks[state] !== mark; ) {
			marks[state] = mark;
			if (state === 0) break;
			state = nodes[NODE * state + 1] as number;
		}
	}
	let kept = 0;
	for (let s = 0; s < count; s++) if (marks[next[s] as number] !== mark) next[kept++] = next[s] as number;
	pass.nextCount = kept;
}

/** The number of the set in `pass.states`, numbered now if new (or {@link UNSURE} past {@link MAX_SETS}). */
function numberOf(prefilter: Prefilter): number {
	const { states } = pass;
	const count = pass.count;
	// Sorted: one key per set.
	states.subarray(0, count).sort();
	let key = "";
	for (let s = 0; s < count; s++) key += `${states[s]},`;
	let number = prefilter.numbers.get(key);
	if (number === undefined) {
		if (prefilter.sets.length >= MAX_SETS) return UNSURE;
		number = prefilter.sets.push(states.slice(0, count)) - 1;
		prefilter.numbers.set(key, number);
		if (prefilter.steps.length < prefilter.sets.length * prefilter.columns) {
			const steps = new Uint16Array(Math.max(64 * prefilter.columns, prefilter.steps.length * 2));
			steps.set(prefilter.steps);
			prefilter.steps = steps;
		}
	}
	return number;
}
