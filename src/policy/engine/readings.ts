// A name's readings: its folded form (folding.ts) as written, with separators between single letters or
// Han characters skipped, and each with `1 ! |` read as another letter (`l` rather than `i`, a lone `!` `|`
// at a word's edge as a letter); and, for a name with faux Cyrillic or Greek letters, one with them read as
// Latin (scripts.ts). Runs of a repeated character are compared collapsed (see banned.ts).
import {
	ambiguousUnit,
	foldOf,
	foldUnits,
	I,
	isWordCharacterAt,
	L,
	LETTER_UNIT,
	readsOtherwise,
	SYMBOL_UNIT,
	UNSPACED_UNIT,
	units,
	WORD_UNIT,
} from "./folding";
import { isConjoiningJamo, isHangulUnit, voicingMark } from "./scripts";

/** One reading of a name's folded form, with where each of its units comes from in the name. */
export interface Reading {
	/** How this reading was made: `as written`, `separators skipped`, `1 ! | as i or l`, or both. */
	readonly label: string;
	/** The folded units (what exact, glob and folded regex entries compare). */
	readonly written: string;
	/** Span of the name (UTF-16 offsets, end exclusive) behind the whole reading (0, 0 when it is empty). */
	readonly start: number;
	readonly end: number;
	/**
	 * Whether the reading begins at the name's first unit and ends at its last: false at the edge of a
	 * window of a long text (see {@link nameReadings}), where a prefix or suffix pattern cannot match.
	 */
	readonly opensName: boolean;
	readonly closesName: boolean;
	/** Span of the name (UTF-16 offsets, end exclusive) behind each unit of `written`. */
	readonly writtenFrom: readonly number[];
	readonly writtenTo: readonly number[];
	/** `written` with each run of one repeated unit collapsed to one unit (what the automaton reads). */
	readonly collapsed: string;
	/** Length of the run behind each unit of `collapsed`. */
	readonly runs: readonly number[];
	/** Span of the name behind each unit of `collapsed`. */
	readonly from: readonly number[];
	readonly to: readonly number[];
	/** 1 where a unit of `collapsed` is a word character (a letter of a spaced script). */
	readonly word: Uint8Array;
	/**
	 * Null, except in the reading of faux Cyrillic or Greek words as Latin: there 1 where a unit of
	 * `collapsed` lies in such a word, which a match must take whole (it may not begin or end inside one).
	 */
	readonly whole: Uint8Array | null;
	/**
	 * Null, except in a reading with `!` or `|` read as l where it ends a word (`ana!`, `ki!!`): there 1 at
	 * that unit of `collapsed`. A match holding it must begin where a word begins (`ana!` reads `anal`,
	 * `Dana!` does not).
	 */
	readonly tails: Uint8Array | null;
}

const BANG = 0x21;
const BAR = 0x7c;
const PAREN = 0x28;
const SLASH = 0x2f;
const PLUS = 0x2b;
const CLOSE = 0x29;
const STAR = 0x2a;
const U = 0x75;
const C = 0x63;
const T = 0x74;
/**
 * 1 for the codes {@link findAmbiguous} looks at: `i` (from `1`), and what else a reading may take for
 * another letter (`!` `|` `(` `/` `+` `*`: folding.ts, OTHER_LETTERS; a `1` is folded to `i` already).
 */
const CANDIDATES = Uint8Array.from({ length: 0x80 }, (_, code) =>
	code === I || (code !== 0x31 && readsOtherwise(code)) ? 1 : 0,
);
const SPACE = 0x20;
/** Most ways to read a name's ambiguous units (`f!st|ng` needs `!` and `|` both as `i`); past it, two. */
const MAX_MIXES = 8;
/**
 * Longest name (in folded units) whose ambiguous units are mixed: a topic name, not a long text, so that
 * the longest names keep their four readings and the cost of a decision its bound (docs/policy.md).
 */
const MAX_MIXED_UNITS = 64;
/** The mix where each ambiguous unit reads its first other letter (the only one past {@link MAX_MIXES}). */
const ALL_OTHERWISE = 0xff;

/**
 * Folds a name into {@link units} (with `fauxWords`, faux Cyrillic and Greek words read as Latin) and finds
 * the units that may be read as another letter.
 */
function foldName(name: string, fauxWords = false): void {
	// Folding is a pure function of the name: units that already hold this fold are kept (the spans of a
	// reading, worked out once a needle is found in it, fold the name again).
	if (lastFold.name === name && lastFold.fauxWords === fauxWords) return;
	lastFold.name = null;
	if (foldUnits(name, fauxWords)) findAmbiguous(name);
	lastFold.name = name;
	lastFold.fauxWords = fauxWords;
}

/** What {@link units} hold: the fold of this name (with or without faux words read as Latin), or null. */
const lastFold: { name: string | null; fauxWords: boolean } = { name: null, fauxWords: false };

/**
 * Adds to `units.ambiguous` the `1`s read as i; the punctuation leetspeak draws for letters, each as written
 * or as its letter (`(` c, `/` l, `+` t, `*` u or i: see below); reads a run of `!` `|` between letters as
 * letters (`d!ck`, `bo||ocks`: `!` as i, `|` as l, or the other), and keeps one at a word's edge as
 * punctuation that may be a letter: a lone one as i or l (`henta!`, `ana|`, `!ust`), each of a run as l
 * (`ki!!`, `he||`).
 */
function findAmbiguous(name: string): void {
	const n = units.count;
	let ambiguousCount = units.ambiguousCount;
	const { codes, from, flags } = units;
	// A Han, kana or Hangul neighbour makes `!` `|` punctuation (`赌！博`): those scripts have no i or l.
	const cjk = units.cjk;
	const letter = (k: number) =>
		k >= 0 && k < n && ((flags[k] as number) & LETTER_UNIT) !== 0 && (!cjk || !isCjkUnit(k));
	const letterish = (k: number) => letter(k) || (k >= 0 && k < n && (codes[k] === BANG || codes[k] === BAR));
	// The last `)` (a `(` before it is closed), looked for at the first `(`.
	let lastClose = Number.NaN;
	for (let k = 0; k < n; k++) {
		const code = codes[k] as number;
		if (code >= 0x80 || CANDIDATES[code] !== 1) continue;
		if (code === PAREN && Number.isNaN(lastClose)) {
			lastClose = n - 1;
			while (lastClose >= 0 && codes[lastClose] !== CLOSE) lastClose--;
		}
		// `i` folded from `1`.
		if (code === I && name.charCodeAt(from[k] as number) === 0x31)
			ambiguousCount = ambiguousUnit(ambiguousCount, k, L, 0);
		// A `*` between letters masks a vowel, most often u or i (`sh*t`, `c*nt`).
		if (code === STAR) {
			if (letter(k - 1) && letter(k + 1)) ambiguousCount = ambiguousUnit(ambiguousCount, k, U, I);
			continue;
		}
		if (code === SLASH) {
			// A run of `/` touching a letter: each as written or l (`s/ut`, `4na/`, `/ubejob`, `bo//ocks`).
			let end = k + 1;
			while (end < n && codes[end] === SLASH) end++;
			if (letterish(k - 1) || letterish(end))
				for (let j = k; j < end; j++) ambiguousCount = ambiguousUnit(ambiguousCount, j, L, 0);
			k = end - 1;
			continue;
		}
		if (code === PAREN || code === PLUS) {
			// `(` and `+` between letters (or `!` `|`) as c and t (`c0(k`, `bi+ch`, `d!(k`), and as written too;
			// `(` at a word's edge when no `)` closes it (`(ock`, `spasti(`, not `(Unterweser)`); a lone `+` at a
			// word's edge (`cun+`, `+urd`, not `C++`).
			const before = letterish(k - 1);
			const after = letterish(k + 1);
			const edge =
				code === PAREN
					? k > lastClose
					: (k === 0 || codes[k - 1] !== PLUS) && (k + 1 === n || codes[k + 1] !== PLUS);
			if ((before && after) || ((before || after) && edge))
				ambiguousCount = ambiguousUnit(ambiguousCount, k, code === PAREN ? C : T, 0);
			continue;
		}
		if (code !== BANG && code !== BAR) continue;
		let end = k + 1;
		while (end < n && (codes[end] === BANG || codes[end] === BAR)) end++;
		const before = letter(k - 1);
		const after = letter(end);
		if (before && after) {
			for (let j = k; j < end; j++) {
				const read = codes[j] === BANG ? I : L;
				codes[j] = read;
				flags[j] = (flags[j] as number) | WORD_UNIT | LETTER_UNIT;
				ambiguousCount = ambiguousUnit(ambiguousCount, j, read === I ? L : I, 0);
			}
		} else if ((before || after) && end === k + 1) {
			// A lone one at a word's edge: `!` as i or l (`henta!`, `ana!`, `!ust`), `|` as l or i.
			ambiguousCount = ambiguousUnit(ambiguousCount, k, code === BANG ? I : L, code === BANG ? L : I);
		} else if (before || after) {
			// A run at a word's edge (`ki!!`, `he||`, `||ama`): each one as written or as l.
			for (let j = k; j < end; j++) ambiguousCount = ambiguousUnit(ambiguousCount, j, L, 0);
		}
		k = end - 1;
	}
	units.ambiguousCount = ambiguousCount;
}

/** How many ways the ambiguous unit `a` is read: as written and one other letter, or two. */
const waysOf = (a: number) => (units.otherwiseToo[a] === 0 ? 2 : 3);

/**
 * How many ways there are to read the ambiguous units of {@link units} (each as written or as one of its
 * other letters), or 0 when more than {@link MAX_MIXES} or the name is longer than {@link MAX_MIXED_UNITS}.
 */
function mixCount(long: boolean): number {
	if (long || units.count > MAX_MIXED_UNITS) return 0;
	let count = 1;
	for (let a = 0; a < units.ambiguousCount && count <= MAX_MIXES; a++) count *= waysOf(a);
	return count <= MAX_MIXES ? count : 0;
}

/**
 * Reads the ambiguous units of {@link units} as the mix numbered `mix` says, into `units.swapped`: its
 * digits (base 2 or 3 by unit, as {@link mixCount} counts) pick, for each unit, as written (0) or its
 * first or second other letter; {@link ALL_OTHERWISE} reads each as its first.
 */
function mixAmbiguous(mix: number): void {
	const { codes, swapped, ambiguous, otherwise, otherwiseToo } = units;
	for (let k = 0; k < units.count; k++) swapped[k] = codes[k] as number;
	let rest = mix;
	for (let a = 0; a < units.ambiguousCount; a++) {
		const k = ambiguous[a] as number;
		const ways = waysOf(a);
		const choice = mix === ALL_OTHERWISE ? 1 : rest % ways;
		rest = Math.floor(rest / ways);
		if (choice === 1) swapped[k] = otherwise[a] as number;
		else if (choice === 2) swapped[k] = otherwiseToo[a] as number;
	}
}

/** 1 for the punctuation drawn inside a word to split it: `-` `.` `_` `*` `~` (`sh-it`, `c.unt`, `an_al`, `f*ck`). */
const JOINERS = Uint8Array.from({ length: 0x80 }, (_, code) =>
	"-._*~".includes(String.fromCharCode(code)) ? 1 : 0,
);

/** Whether the separator run [k, end) between two letters is {@link JOINERS} alone, inside a word. */
function insideWord(k: number, end: number): boolean {
	const { codes, flags } = units;
	for (let j = k; j < end; j++) if (JOINERS[codes[j] as number] !== 1) return false;
	return ((flags[k - 1] as number) & WORD_UNIT) !== 0 && ((flags[end] as number) & WORD_UNIT) !== 0;
}

/**
 * Marks in `units.skip` the units a reading skips: separator runs between two single letters or Han
 * characters, and runs of {@link JOINERS} inside a word. Returns whether there are any.
 */
function skippedSeparators(): boolean {
	const { flags, skip } = units;
	const n = units.count;
	const letter = (k: number) => ((flags[k] as number) & LETTER_UNIT) !== 0;
	const unspaced = (k: number) => ((flags[k] as number) & UNSPACED_UNIT) !== 0;
	let any = false;
	for (let k = 0; k < n; k++) {
		if (letter(k) || k === 0 || !letter(k - 1)) continue;
		// A separator run starts at k, after the letter k - 1.
		let end = k;
		while (end < n && !letter(end)) end++;
		if (end === n) break;
		const before = k - 1;
		// A letter next to a Han character or kana stands alone (`赌d u b o` in Chinese text).
		const singleBefore = unspaced(before) || before === 0 || !letter(before - 1) || unspaced(before - 1);
		const singleAfter = unspaced(end) || end + 1 === n || !letter(end + 1) || unspaced(end + 1);
		// Next to a Han character or kana any separator run goes (`赌，bo`, `du*博`): those scripts hold no words
		// for it to keep apart.
		if (
			(singleBefore && singleAfter) ||
			insideWord(k, end) ||
			(units.cjk && (unspaced(before) || unspaced(end) || inHangulWord(before, end)))
		) {
			if (!any) skip.fill(0, 0, n);
			any = true;
			skip.fill(1, k, end);
		}
		k = end - 1;
	}
	return units.cjk || units.toneDigits ? moreSkipped(any) : any;
}

/** The units skipped besides separator runs: symbols between CJK letters, pinyin tone numbers. */
function moreSkipped(any: boolean): boolean {
	const marked = units.cjk ? symbolsBetweenCjk(any) : any;
	return units.toneDigits ? toneNumbers(marked) : marked;
}

/** Whether unit k is a Han, kana or Hangul letter. */
const isCjkUnit = (k: number) =>
	((units.flags[k] as number) & UNSPACED_UNIT) !== 0 || isHangulUnit(units.codes[k] as number);

/**
 * Marks in `units.skip` the runs of separators and symbols read as letters (`$`, `@`, `€`, `ⓐ`) with at least
 * one such symbol, between two Han, kana or Hangul letters (`赌$博`): those scripts have no Latin letter to
 * spell. Between Hangul syllables alone, only a run without a space (as for other separators). `any`: whether
 * units are already marked. Returns whether there are any now.
 */
function symbolsBetweenCjk(any: boolean): boolean {
	const { flags, skip, codes } = units;
	const n = units.count;
	let marked = any;
	for (let k = 0; k + 2 < n; k++) {
		if (!isCjkUnit(k)) continue;
		let end = k + 1;
		let symbols = 0;
		let space = false;
		for (; end < n; end++) {
			const f = flags[end] as number;
			if ((f & LETTER_UNIT) !== 0 && (f & SYMBOL_UNIT) === 0) break;
			if ((f & SYMBOL_UNIT) !== 0) symbols++;
			if (codes[end] === SPACE) space = true;
		}
		if (symbols === 0 || end === n || !isCjkUnit(end)) continue;
		const hangulOnly =
			((flags[k] as number) & UNSPACED_UNIT) === 0 && ((flags[end] as number) & UNSPACED_UNIT) === 0;
		if (hangulOnly && space) continue;
		if (!marked) skip.fill(0, 0, n);
		marked = true;
		skip.fill(1, k + 1, end);
		k = end - 1;
	}
	return marked;
}

/**
 * Whether units (before, end) lie between two Hangul syllables with no space among them: punctuation or a
 * symbol there (`대🌸마초`, `성·매매`) is no word break, Korean breaks words with spaces.
 */
function inHangulWord(before: number, end: number): boolean {
	const { codes } = units;
	if (!isHangulUnit(codes[before] as number) || !isHangulUnit(codes[end] as number)) return false;
	for (let j = before + 1; j < end; j++) if (codes[j] === SPACE) return false;
	return true;
}

/** Letters a pinyin syllable may end in (`du`, `bo`, `qing`, `er`, `lv`). */
const SYLLABLE_ENDS = new Set([..."aeiouvngr"].map((c) => c.charCodeAt(0)));

/**
 * Marks in `units.skip` the tone numbers of pinyin, `1` to `5` after a letter that may end a syllable and
 * before anything but a digit (`du4bo2`, `du4 bo2`), so that the reading with separators skipped reads
 * them as a syllable's end. `any`: whether units are already marked. Returns whether there are any now.
 */
function toneNumbers(any: boolean): boolean {
	const name = lastFold.name;
	if (name === null) return any;
	const { codes, flags, from, skip } = units;
	const n = units.count;
	let marked = any;
	for (let k = 1; k < n; k++) {
		// A digit's unit is no word unit: most units are, and are passed over at once.
		if (((flags[k] as number) & WORD_UNIT) !== 0) continue;
		const tone = name.charCodeAt(from[k] as number) - 0x30;
		if (tone < 1 || tone > 5) continue;
		const after = k + 1 < n ? name.charCodeAt(from[k + 1] as number) - 0x30 : -1;
		if (after >= 0 && after <= 9) continue;
		const before = k - 1;
		if (((flags[before] as number) & WORD_UNIT) === 0 || !SYLLABLE_ENDS.has(codes[before] as number))
			continue;
		if (!marked) skip.fill(0, 0, n);
		marked = true;
		skip[k] = 1;
	}
	return marked;
}

/** The text of `count` units of `codes`, or `known` when it is that text (no new string then). */
function textOf(codes: Uint16Array, count: number, known: string | null): string {
	if (known !== null && known.length === count) {
		let same = true;
		for (let k = 0; k < count && same; k++) same = known.charCodeAt(k) === codes[k];
		if (same) return known;
	}
	// A plain list of the codes: `apply` takes it about twice as fast as a typed array view.
	const list: number[] = new Array(count);
	for (let k = 0; k < count; k++) list[k] = codes[k] as number;
	return String.fromCharCode.apply(null, list);
}

/** Spans, runs and word flags of a reading, unit by unit (see {@link Reading}). */
interface ReadingSpans {
	writtenFrom: number[];
	writtenTo: number[];
	runs: number[];
	from: number[];
	to: number[];
	word: Uint8Array;
	whole: Uint8Array | null;
	tails: Uint8Array | null;
	/** Whether the four lists of places (`writtenFrom` … `to`) are filled: else they are empty. */
	placed: boolean;
}

/** The lists of places of a reading made without them (`readingWithoutPlaces`). */
const NO_PLACES: number[] = [];

/**
 * Which units a reading reads: all of them or not the skipped separators (bit {@link SKIPPED}), folded
 * with faux Cyrillic and Greek words read as Latin or not (bit {@link FAUX}), as folded or with the
 * ambiguous units mixed (the mix number above them: `variant >> 2`, 0 for as folded).
 */
const SKIPPED = 1;
const FAUX = 2;
const mixOf = (variant: number) => variant >> 2;

/**
 * A reading of a name whose spans are worked out on first use: a search reads only the strings unless a
 * pattern matches, and most names match nothing, so a decision does not pay for lists it never reads.
 * Folding is a pure function of the name, so folding it again gives the same units.
 */
class NameReading implements Reading {
	constructor(
		readonly label: string,
		readonly written: string,
		readonly collapsed: string,
		readonly start: number,
		readonly end: number,
		private readonly name: string,
		private readonly variant: number,
		/** The units [first, last) of the fold this reading reads: all of them, or a window of a long text. */
		private readonly first: number,
		private readonly last: number,
		readonly closesName: boolean,
		private spans: ReadingSpans | null = null,
	) {}

	get opensName(): boolean {
		return this.first === 0;
	}
	get writtenFrom(): readonly number[] {
		return this.placesOf().writtenFrom;
	}
	get writtenTo(): readonly number[] {
		return this.placesOf().writtenTo;
	}
	get runs(): readonly number[] {
		return this.spansOf().runs;
	}
	get from(): readonly number[] {
		return this.placesOf().from;
	}
	get to(): readonly number[] {
		return this.placesOf().to;
	}
	get word(): Uint8Array {
		return this.spansOf().word;
	}
	get whole(): Uint8Array | null {
		return (this.variant & FAUX) === 0 ? null : this.spansOf().whole;
	}
	get tails(): Uint8Array | null {
		return mixOf(this.variant) === 0 ? null : this.spansOf().tails;
	}

	/**
	 * Works out the spans now: only while {@link units} hold this reading's fold, mix and skipped units.
	 * A reading made without its places (`readingWithoutPlaces`) works them out here, by folding again,
	 * once something asks where a unit lies.
	 */
	spansNow(): void {
		if (this.spans === null || !this.spans.placed)
			this.spans = readingSpans(
				this.variant,
				this.first,
				this.last,
				this.written.length,
				this.collapsed.length,
			);
	}

	private spansOf(): ReadingSpans {
		return this.spans ?? this.placesOf();
	}

	private placesOf(): ReadingSpans {
		if (this.spans === null || !this.spans.placed) {
			foldName(this.name, (this.variant & FAUX) !== 0);
			if (mixOf(this.variant) !== 0) mixAmbiguous(mixOf(this.variant));
			if ((this.variant & SKIPPED) !== 0) skippedSeparators();
			this.spansNow();
		}
		return this.spans as ReadingSpans;
	}
}

/** The units `variant` reads of {@link units}: the folded or mixed codes. */
function codesOf(variant: number): Uint16Array {
	return mixOf(variant) !== 0 ? units.swapped : units.codes;
}

/**
 * One reading of the units in {@link units} (the units [first, last), all of them unless a window), its
 * spans left for later (without `places`, only where each unit lies: see {@link readingWithoutPlaces}).
 * `known` is a text the reading is likely to equal (the name's text form), shared when it does.
 */
function makeReading(
	name: string,
	label: string,
	variant: number,
	known: string | null,
	first = 0,
	last = units.count,
	places = true,
): NameReading {
	if (!places) return readingWithoutPlaces(name, label, variant, known, first, last);
	const codes = codesOf(variant);
	const { out, skip } = units;
	const skipping = (variant & SKIPPED) !== 0;
	const n = units.count;
	let w = 0;
	let repeats = 0;
	let previous = -1;
	for (let k = first; k < last; k++) {
		if (skipping && skip[k] === 1) continue;
		const code = codes[k] as number;
		if (code === previous) repeats++;
		out[w++] = code;
		previous = code;
	}
	const written = textOf(out, w, known);
	let collapsed = written;
	if (repeats > 0) {
		let c = 0;
		for (let k = 0; k < w; k++) if (c === 0 || out[c - 1] !== out[k]) out[c++] = out[k] as number;
		collapsed = textOf(out, c, null);
	}
	const reading = readingOf(name, label, variant, written, collapsed, first, last, null);
	// A long text nearly always holds a needle somewhere: its spans are worked out now, while the units hold
	// its fold, rather than by folding it again once the needle is found.
	if (n > MAX_MIXED_UNITS) reading.spansNow();
	return reading;
}

/**
 * {@link makeReading} of a long text's reading whose places are left for later: its units, collapsed units,
 * runs and word flags in one pass.
 */
function readingWithoutPlaces(
	name: string,
	label: string,
	variant: number,
	known: string | null,
	first: number,
	last: number,
): NameReading {
	const codes = codesOf(variant);
	const { out, skip } = units;
	const n = units.count;
	if (windowScratch.collapsed.length < n) {
		windowScratch.collapsed = new Uint16Array(2 * n);
		windowScratch.word = new Uint8Array(2 * n);
		windowScratch.whole = new Uint8Array(2 * n);
	}
	const { collapsed: collapsedOut, word: wordOut, whole: wholeOut } = windowScratch;
	const skipping = (variant & SKIPPED) !== 0;
	const faux = (variant & FAUX) !== 0;
	// Sized like the other readings' runs (and cut below), so that the searches see one kind of list.
	const runs: number[] = new Array(last - first);
	let readAsL: number[] | null = null;
	let w = 0;
	let c = 0;
	let previous = -1;
	for (let k = first; k < last; k++) {
		if (skipping && skip[k] === 1) continue;
		const code = codes[k] as number;
		out[w++] = code;
		if (code === previous) {
			runs[c - 1] = (runs[c - 1] as number) + 1;
			continue;
		}
		previous = code;
		collapsedOut[c] = code;
		runs[c] = 1;
		wordOut[c] = wordFlag(code, k);
		if (faux) wholeOut[c] = units.whole[k] as number;
		if (punctuationAsL(code, k)) {
			readAsL ??= [];
			readAsL.push(c);
		}
		c++;
	}
	runs.length = c;
	const written = textOf(out, w, known);
	const collapsed = c === w ? written : textOf(collapsedOut, c, null);
	const word = wordOut.slice(0, c);
	const spans: ReadingSpans = {
		writtenFrom: NO_PLACES,
		writtenTo: NO_PLACES,
		runs,
		from: NO_PLACES,
		to: NO_PLACES,
		word,
		whole: faux ? wholeOut.slice(0, c) : null,
		tails: tailsOf(word, readAsL),
		placed: false,
	};
	return readingOf(name, label, variant, written, collapsed, first, last, spans);
}

/** The reading `variant` of the units [first, last) of {@link units}, with its spans when they are made. */
function readingOf(
	name: string,
	label: string,
	variant: number,
	written: string,
	collapsed: string,
	first: number,
	last: number,
	spans: ReadingSpans | null,
): NameReading {
	// Separators are never skipped at either end, so every reading spans the same part of the name.
	const start = last > first ? (units.from[first] as number) : 0;
	const end = last > first ? (units.to[last - 1] as number) : 0;
	const closes = last === units.count;
	return new NameReading(label, written, collapsed, start, end, name, variant, first, last, closes, spans);
}

/**
 * The spans, runs and word flags of the reading `variant` of the units [firstUnit, lastUnit) of {@link units}, which
 * reads `written` units collapsed to `collapsed` (their lengths size every list at once).
 */
function readingSpans(
	variant: number,
	firstUnit: number,
	lastUnit: number,
	written: number,
	collapsed: number,
): ReadingSpans {
	const codes = codesOf(variant);
	const { from: unitFrom, to: unitTo, skip } = units;
	const skipping = (variant & SKIPPED) !== 0;
	const writtenFrom: number[] = new Array(written);
	const writtenTo: number[] = new Array(written);
	const runs: number[] = new Array(collapsed);
	const from: number[] = new Array(collapsed);
	const to: number[] = new Array(collapsed);
	const word = new Uint8Array(collapsed);
	const whole = (variant & FAUX) !== 0 ? new Uint8Array(collapsed) : null;
	let readAsL: number[] | null = null;
	let w = 0;
	let last = -1;
	let lastCode = -1;
	for (let k = firstUnit; k < lastUnit; k++) {
		if (skipping && skip[k] === 1) continue;
		const code = codes[k] as number;
		const unitStart = unitFrom[k] as number;
		const unitEnd = unitTo[k] as number;
		writtenFrom[w] = unitStart;
		writtenTo[w] = unitEnd;
		w++;
		if (code === lastCode) {
			runs[last] = (runs[last] as number) + 1;
			to[last] = unitEnd;
			continue;
		}
		last++;
		lastCode = code;
		runs[last] = 1;
		from[last] = unitStart;
		to[last] = unitEnd;
		word[last] = wordFlag(code, k);
		if (whole !== null) whole[last] = units.whole[k] as number;
		if (punctuationAsL(code, k)) {
			readAsL ??= [];
			readAsL.push(last);
		}
	}
	return { writtenFrom, writtenTo, runs, from, to, word, whole, tails: tailsOf(word, readAsL), placed: true };
}

/** Whether unit k, read as `code`, is punctuation read as a letter (`!` at a word's edge as i or l). */
function punctuationRead(code: number, k: number): boolean {
	return code !== units.codes[k] && ((units.flags[k] as number) & LETTER_UNIT) === 0;
}

/** The word flag of unit k read as `code`: punctuation read as a letter is a letter. */
function wordFlag(code: number, k: number): number {
	return punctuationRead(code, k) ? WORD_UNIT : (units.flags[k] as number) & WORD_UNIT;
}

/** Whether unit k, read as `code`, is `!` or `|` read as l (a candidate for a reading's `tails`). */
function punctuationAsL(code: number, k: number): boolean {
	return code === L && punctuationRead(code, k);
}

/**
 * A reading's `tails` (see {@link Reading}): of the collapsed units `readAsL` (`!` or `|` read as l), those
 * that end a word; null when none does.
 */
function tailsOf(word: Uint8Array, readAsL: readonly number[] | null): Uint8Array | null {
	let tails: Uint8Array | null = null;
	for (const c of readAsL ?? []) {
		if (c + 1 < word.length && word[c + 1] === 1) continue;
		tails ??= new Uint8Array(word.length);
		tails[c] = 1;
	}
	return tails;
}

/**
 * The readings of a name compared with the banned and allowed patterns: as written; with separators
 * between single letters or Han characters skipped (`c a s i n o`, `赌 博`) when it has any; and each
 * with its ambiguous units read otherwise (`1` and `!` `|` between letters as `l` instead of `i`, `|` as
 * `i`; a lone `!` `|` at a word's edge as a letter) when it has any, every mix of them while they are few.
 * `text`, the name's text form when the caller has it, is only used to share its string with a reading
 * that equals it.
 *
 * With a `margin` (see `windowMargin` in matcher.ts), a long text's readings other than as written are
 * made only over windows around the units where they differ from it, reaching at least `margin` collapsed
 * units beyond them on each side and cut between a space and a word: every match such a reading holds
 * that the reading as written lacks lies in one window, with the same span and word edges. The windows
 * find the same entries only where no match is excused (`allowed` patterns): what an excused match hides
 * depends on the matches around it.
 *
 * With a `wordMargin` (where windows may be: both sides' margin, asked only when needed), a name or text
 * whose ambiguous units are not mixed every way also reads each word's own mixes, in windows reaching that
 * far past the word ({@link addWordMixes}). With `long`, a part of a long text is read as that text reads
 * it, whatever its own length.
 * @example nameReadings("C.A.S.I.N.O")[1].collapsed // "casino"
 */
export function nameReadings(
	name: string,
	text?: string,
	margin = -1,
	wordMargin: () => number = () => -1,
	long = false,
): Reading[] {
	foldName(name);
	const skip = skippedSeparators();
	const inWindows = margin >= 0 && (long || units.count > MAX_MIXED_UNITS);
	// The windowed search only decides which entry matches: where is worked out if something asks.
	const readings: Reading[] = [makeReading(name, "as written", 0, text ?? null, 0, units.count, !inWindows)];
	const add = (label: string, variant: number) => {
		if (inWindows) addWindows(readings, name, label, variant, margin);
		else readings.push(makeReading(name, label, variant, null));
	};
	if (skip) add("separators skipped", SKIPPED);
	if (units.ambiguousCount > 0) {
		const mixes = mixCount(long);
		const first = mixes === 0 ? ALL_OTHERWISE : 1;
		const last = mixes === 0 ? ALL_OTHERWISE : mixes - 1;
		for (let mix = first; mix <= last; mix++) {
			mixAmbiguous(mix);
			add("1 ! | as i or l", mix << 2);
			if (skip) add("separators skipped, 1 ! | as i or l", SKIPPED | (mix << 2));
		}
		const around = mixes === 0 ? wordMargin() : -1;
		if (around >= 0) addWordMixes(readings, name, around);
	}
	// Last: it folds the name again, which the readings above no longer need.
	if (units.fauxWords) {
		foldName(name, true);
		if (inWindows) markFauxUnits(name);
		add("faux Cyrillic or Greek as Latin", FAUX);
		if (skippedSeparators()) add("separators skipped, faux Cyrillic or Greek as Latin", FAUX | SKIPPED);
	}
	return readings;
}

/**
 * Whether every part of a long text is read as in the whole text, as far as its characters go: the text
 * folds to more than {@link MAX_MIXED_UNITS} units (else it is read as a name, every mix of its `1 ! |`:
 * counted here from the characters that fold to one unit or more whatever comes before them), no `(` and
 * `)` both (whether a `(` is read as c depends on a `)` anywhere after it: findAmbiguous; with no `)` in the
 * text, none is in a part either), and the words' own mixes ({@link addWordMixes}) stay within their
 * budget however the words fall (at most 8 readings a unit that may be ambiguous: `1` `!` `|` `(` `/` `+`
 * `*`, a bare stroke).
 */
export function partsReadAlike(name: string): boolean {
	let ambiguous = 0;
	let units = 0;
	// Which of `(` and `)` the text holds, or characters folded to them.
	let parentheses = 0;
	for (let i = 0; i < name.length && ambiguous * 8 <= MAX_WORD_MIXES; i++) {
		const unit = name.charCodeAt(i);
		if (unit < 0x80) {
			const alike = ASCII_ALIKE[unit] as number;
			ambiguous += (alike >> 1) & 1;
			units += alike & 1;
			parentheses |= alike & (OPENS | CLOSES);
			continue;
		}
		const code = name.codePointAt(i) as number;
		if (code > 0xffff) i++;
		const fold = foldOf(code);
		const first = fold.text.charCodeAt(0);
		if (fold.text.includes("(")) parentheses |= OPENS;
		if (fold.text.includes(")")) parentheses |= CLOSES;
		if (fold.stroke || (fold.text.length === 1 && readsOtherwise(first))) ambiguous++;
		// A voicing mark or a jamo may join the unit before it instead.
		if (first > SPACE && voicingMark(code) === 0 && !isConjoiningJamo(first)) units++;
	}
	return (
		(parentheses & (OPENS | CLOSES)) !== (OPENS | CLOSES) &&
		ambiguous * 8 <= MAX_WORD_MIXES &&
		units > MAX_MIXED_UNITS
	);
}

/** What {@link partsReadAlike} counts of each ASCII character: 1 a unit, 2 an ambiguous one, `(` and `)`. */
const OPENS = 4;
const CLOSES = 8;
const ASCII_ALIKE = Uint8Array.from(
	{ length: 0x80 },
	(_, unit) =>
		(readsOtherwise(unit) ? 2 : 0) |
		(unit > SPACE && unit < 0x7f ? 1 : 0) |
		(unit === PAREN ? OPENS : 0) |
		(unit === CLOSE ? CLOSES : 0),
);

/** Whether any of `readings` reads only a window of the name (see {@link nameReadings}). */
export function windowed(readings: readonly Reading[]): boolean {
	return readings.some((reading) => !reading.opensName || !reading.closesName);
}

/** Scratch lists of the windows (grown as needed, so that a decision allocates only what it returns). */
const windowScratch = {
	/** Units of the fold with faux words read as Latin that the fold without may lack (`markFauxUnits`). */
	faux: new Uint8Array(64),
	/** Units of the reading being windowed that differ from the reading as written (`markDiffering`). */
	differs: new Uint8Array(64),
	/** A reading's collapsed units, word flags and faux words, made in one pass (`readingWithoutPlaces`). */
	collapsed: new Uint16Array(64),
	word: new Uint8Array(64),
	whole: new Uint8Array(64),
};

const isStroke = (code: number) => code === BANG || code === BAR || code === I || code === L;

/**
 * Marks in `windowScratch.faux` the units of {@link units} (folded with faux words read as Latin) that the
 * fold as written may not hold alike: those of a character outside ASCII (the other fold may make them
 * otherwise, another number of them, or join them), and the runs of `! | i l` touching one (whether
 * `!` `|` is a letter depends on its neighbours). Every other unit is folded alike in both, and so is
 * every unit after it up to the next marked one.
 */
function markFauxUnits(name: string): void {
	const n = units.count;
	if (windowScratch.faux.length < n) windowScratch.faux = new Uint8Array(2 * n);
	const marks = windowScratch.faux;
	const { codes, from } = units;
	for (let k = 0; k < n; k++) marks[k] = name.charCodeAt(from[k] as number) >= 0x80 ? 1 : 0;
	for (let k = 0; k < n; k++) {
		if (marks[k] !== 1 || name.charCodeAt(from[k] as number) < 0x80) continue;
		for (let j = k + 1; j < n && marks[j] === 0 && isStroke(codes[j] as number); j++) marks[j] = 1;
		for (let j = k - 1; j >= 0 && marks[j] === 0 && isStroke(codes[j] as number); j--) marks[j] = 1;
	}
}

/**
 * Marks in `windowScratch.differs` the units of the reading `variant` that may read otherwise than in the
 * reading as written: skipped, mixed, or (`markFauxUnits`) folded otherwise. Returns whether there are any.
 */
function markDiffering(variant: number): boolean {
	const n = units.count;
	const marks = differsScratch(n);
	const { skip, swapped, codes } = units;
	const faux = windowScratch.faux;
	const skipping = (variant & SKIPPED) !== 0;
	const mixed = mixOf(variant) !== 0;
	const fauxToo = (variant & FAUX) !== 0;
	let any = false;
	for (let k = 0; k < n; k++) {
		const differs =
			(skipping && skip[k] === 1) || (mixed && swapped[k] !== codes[k]) || (fauxToo && faux[k] === 1);
		marks[k] = differs ? 1 : 0;
		any ||= differs;
	}
	return any;
}

const differs = (k: number) => windowScratch.differs[k] === 1;

/** `windowScratch.differs`, grown to hold at least `n` units. */
function differsScratch(n: number): Uint8Array {
	if (windowScratch.differs.length < n) windowScratch.differs = new Uint8Array(2 * n);
	return windowScratch.differs;
}
const skipped = (variant: number, k: number) => (variant & SKIPPED) !== 0 && units.skip[k] === 1;

/**
 * Whether a window may begin at unit `a` of the reading `variant`: after a space both readings hold alike
 * (not a word unit, not skipped), and on a unit that is not a space (so that no run is cut).
 */
function opensWindow(variant: number, a: number): boolean {
	return spaceAlike(a - 1) && !skipped(variant, a) && codesOf(variant)[a] !== SPACE;
}

/** Whether a window may end before unit `b`: a space both readings hold alike, after a unit that is not one. */
function closesWindow(variant: number, b: number): boolean {
	const before = b - 1;
	return spaceAlike(b) && !skipped(variant, before) && codesOf(variant)[before] !== SPACE;
}

/** Whether unit k is a space that the reading as written and the one being windowed hold alike. */
function spaceAlike(k: number): boolean {
	return units.codes[k] === SPACE && ((units.flags[k] as number) & WORD_UNIT) === 0 && !differs(k);
}

/**
 * Where the window around the differing unit `d` begins: past `margin` changes of unit (collapsed units)
 * of the reading `variant` before it, at the first place a window may begin (else at the first unit).
 */
function windowStart(variant: number, d: number, margin: number): number {
	const codes = codesOf(variant);
	let changes = 0;
	let code = codes[d] as number;
	for (let k = d - 1; k > 0; k--) {
		if (skipped(variant, k)) continue;
		if (codes[k] !== code) {
			changes++;
			code = codes[k] as number;
		}
		if (changes > margin && opensWindow(variant, k)) return k;
	}
	return 0;
}

/** Where the window around the differing unit `d` ends (exclusive), as {@link windowStart} begins it. */
function windowEnd(variant: number, d: number, margin: number): number {
	const codes = codesOf(variant);
	const n = units.count;
	let changes = 0;
	let code = codes[d] as number;
	for (let k = d + 1; k < n; k++) {
		if (skipped(variant, k)) continue;
		if (codes[k] !== code) {
			changes++;
			code = codes[k] as number;
		}
		if (changes > margin && closesWindow(variant, k)) return k;
	}
	return n;
}

/**
 * Adds the reading `variant` of {@link units} over windows around the units where it differs from the
 * reading as written (none when it does not), overlapping windows joined.
 */
function addWindows(readings: Reading[], name: string, label: string, variant: number, margin: number): void {
	const n = units.count;
	if (!markDiffering(variant)) return;
	const bounds: number[] = [];
	for (let d = 0; d < n; d++) {
		if (!differs(d)) continue;
		const first = windowStart(variant, d, margin);
		// The window ends past the last differing unit it holds (the end moves on while it finds more).
		let lastDiffering = d;
		let endFor = d;
		let last = windowEnd(variant, d, margin);
		for (let k = d + 1; ; ) {
			for (; k < last; k++) if (differs(k)) lastDiffering = k;
			if (lastDiffering === endFor) break;
			endFor = lastDiffering;
			last = Math.max(last, windowEnd(variant, lastDiffering, margin));
		}
		d = last;
		if (bounds.length > 0 && first <= (bounds[bounds.length - 1] as number)) bounds[bounds.length - 1] = last;
		else bounds.push(first, last);
	}
	for (let i = 0; i < bounds.length; i += 2)
		readings.push(
			makeReading(name, label, variant, null, bounds[i] as number, bounds[i + 1] as number, false),
		);
}

/** Most readings of words' own mixes one name gets ({@link addWordMixes}): a decision's cost stays bounded. */
const MAX_WORD_MIXES = 32;

/**
 * Where the ambiguous units are not mixed every way (a long text, or more than {@link MAX_MIXES} ways),
 * the units of each word (between spaces) are, while that word alone has at most {@link MAX_MIXES} ways
 * and more than the reading where each reads otherwise gives: each mix of them, the rest as written, read
 * in a window around the word (`best|a||ty` or `ana!` in a notification), for the first
 * {@link MAX_WORD_MIXES} such readings.
 */
function addWordMixes(readings: Reading[], name: string, margin: number): void {
	const { codes, ambiguous, swapped } = units;
	const n = units.count;
	for (let k = 0; k < n; k++) swapped[k] = codes[k] as number;
	// No unit differs from the reading as written but a word's mixed ones, never spaces: a window may be cut
	// at any space (see opensWindow).
	differsScratch(n).fill(0, 0, n);
	// The ambiguous units by place (folding and findAmbiguous add them in two passes).
	const order = Array.from({ length: units.ambiguousCount }, (_, a) => a).sort(
		(x, y) => (ambiguous[x] as number) - (ambiguous[y] as number),
	);
	const budget = { left: MAX_WORD_MIXES };
	for (let i = 0; i < order.length && budget.left > 0; ) {
		let end = (ambiguous[order[i] as number] as number) + 1;
		while (end < n && codes[end] !== SPACE) end++;
		const word: number[] = [];
		let ways = 1;
		for (; i < order.length && (ambiguous[order[i] as number] as number) < end; i++) {
			word.push(order[i] as number);
			ways *= waysOf(order[i] as number);
		}
		if (ways <= MAX_MIXES) {
			addMixesOf(readings, name, word, margin, budget);
			continue;
		}
		// Too many: the units inside the word (`best|a||ty`) apart from those at its edge (`!` after it).
		const inside = word.filter((a) => ((units.flags[ambiguous[a] as number] as number) & LETTER_UNIT) !== 0);
		addMixesOf(readings, name, inside, margin, budget, false);
		const edge = word.filter((a) => !inside.includes(a));
		addMixesOf(readings, name, edge, margin, budget, false);
	}
}

/**
 * The readings of every mix of the ambiguous units `word`, while they have at most {@link MAX_MIXES} and
 * the budget lasts, each over a window reaching `margin` past them, its places worked out now (its mix is
 * not one {@link mixAmbiguous} could make again later).
 */
function addMixesOf(
	readings: Reading[],
	name: string,
	word: readonly number[],
	margin: number,
	budget: { left: number },
	wholeWord = true,
): void {
	const { ambiguous, swapped, codes } = units;
	let ways = 1;
	for (const a of word) ways *= waysOf(a);
	if ((wholeWord && ways <= 2) || ways > MAX_MIXES) return;
	const places = word.map((a) => ambiguous[a] as number);
	const variant = 1 << 2;
	for (let mix = 1; mix < ways && budget.left > 0; mix++) {
		if (!mixWord(word, mix, wholeWord)) continue;
		const first = windowStart(variant, Math.min(...places), margin);
		const last = windowEnd(variant, Math.max(...places), margin);
		const reading = makeReading(name, "1 ! | as i or l", variant, null, first, last);
		reading.spansNow();
		readings.push(reading);
		budget.left--;
	}
	for (const k of places) swapped[k] = codes[k] as number;
}

/**
 * Reads the ambiguous units `word` (indexes into `units.ambiguous`) as the mix numbered `mix` says (as
 * {@link mixAmbiguous} does) into `units.swapped`. With `skipAllFirst` (a whole word's units), returns
 * false, leaving it, for the mix where each reads its first other letter: the reading where every unit
 * reads otherwise holds that one. Part of a word's units read so still leave the rest as written.
 */
function mixWord(word: readonly number[], mix: number, skipAllFirst: boolean): boolean {
	const { codes, swapped, ambiguous, otherwise, otherwiseToo } = units;
	let rest = mix;
	let allFirst = true;
	const choices = word.map((a) => {
		const ways = waysOf(a);
		const choice = rest % ways;
		rest = Math.floor(rest / ways);
		allFirst &&= choice === 1;
		return choice;
	});
	if (allFirst && skipAllFirst) return false;
	word.forEach((a, i) => {
		const k = ambiguous[a] as number;
		const choice = choices[i];
		swapped[k] = (choice === 1 ? otherwise[a] : choice === 2 ? otherwiseToo[a] : codes[k]) as number;
	});
	return true;
}

/**
 * The folded form of a pattern value (its reading as written): what banned and allowed values are
 * compiled from, so that a value means the same however it is typed.
 * @example foldedValue("C4S1NØ") // { written: "casino", collapsed: "casino", runs: [1, 1, 1, 1, 1, 1] }
 */
export function foldedValue(value: string): { written: string; collapsed: string; runs: number[] } {
	// Its own code rather than a reading's: what a policy's compilation allocates survives, what a decision
	// allocates does not, and V8 decides where to allocate per allocation site from what survived there
	// (sharing the sites made every decision allocate straight into the old generation).
	foldName(value);
	const { codes, out } = units;
	const n = units.count;
	const runs: number[] = [];
	let c = 0;
	for (let k = 0; k < n; k++) {
		const code = codes[k] as number;
		if (c > 0 && out[c - 1] === code) {
			runs[c - 1] = (runs[c - 1] as number) + 1;
			continue;
		}
		out[c++] = code;
		runs.push(1);
	}
	return { written: textOf(codes, n, null), collapsed: textOf(out, c, null), runs };
}

/** The name exactly as received, as a reading (for `normalize: false` patterns): nothing folded. */
export function rawReading(name: string): Reading {
	const from: number[] = [];
	const to: number[] = [];
	const runs: number[] = [];
	const word = new Uint8Array(name.length);
	for (let i = 0; i < name.length; i++) {
		from.push(i);
		to.push(i + 1);
		runs.push(1);
		if (isWordCharacterAt(name, i)) word[i] = 1;
	}
	return {
		label: "exactly as received",
		written: name,
		start: 0,
		end: name.length,
		opensName: true,
		closesName: true,
		writtenFrom: from,
		writtenTo: to,
		collapsed: name,
		runs,
		from,
		to,
		word,
		whole: null,
		tails: null,
	};
}
