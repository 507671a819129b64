// Name normalization: the forms every name and every pattern are compared in.
//
// - The *text form* (NFKC, case folding, invisible characters removed, white space collapsed) is what
//   lengths are counted in, what `names.allowed` names compare and what regex entries see, so
//   `^[0-9]+$` still means digits.
// - The *folded form* is made one character of the name at a time, so that every folded unit knows the
//   span of the name it came from (explanations quote it): look-alikes first (Unicode TR39 confusables,
//   from the `unhomoglyph` package, plus small capitals, enclosed and regional-indicator letters; only
//   for non-ASCII characters), then Traditional Han to Simplified (OpenCC's character table), NFKC, case
//   folding, marks stripped, leetspeak. A name has up to four *readings* of its folded form: as written,
//   with separators between single letters or Han characters skipped, and each with `1 ! |` read as
//   another letter (`l` rather than `i`, a lone `!` `|` at a word's edge as a letter). Runs of a repeated character are compared collapsed (see banned.ts).
import confusables from "unhomoglyph/data.json";
import { TRADITIONAL_SIMPLIFIED_PAIRS } from "./han-simplified.generated";

/** Zero-width and other format characters, default-ignorable code points and control characters. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]/gu;
const WHITE_SPACE_RUN = /\s+/gu;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * Common leetspeak substitutions (ASCII only, after look-alikes). Both the name and the banned values go
 * through it, so `b3t` in a policy means the same as `bet`.
 */
const LEET: Readonly<Record<string, string>> = {
	"0": "o",
	"1": "i",
	"3": "e",
	"4": "a",
	"5": "s",
	"7": "t",
	"8": "b",
	"9": "g",
	$: "s",
	"@": "a",
	"€": "e",
};
// `!` and `|` only between letters (`bet!` stays the word `bet`): see {@link nameReadings}.

/**
 * The text form of a name: NFKC, Unicode case folding, invisible characters removed, runs of white
 * space collapsed to one space, trimmed.
 * @example foldText("  ＣＡ\u200bＳＩＮＯ  Royale") // "casino royale"
 */
export function foldText(name: string): string {
	let folded = true;
	for (let i = 0; i < name.length; i++) {
		const c = name.charCodeAt(i);
		if (c > 0x7f) return foldTextGeneral(name);
		if (
			c < 0x20 ||
			c === 0x7f ||
			(c >= 0x41 && c <= 0x5a) ||
			(c === 0x20 && (i === 0 || i === name.length - 1 || name.charCodeAt(i - 1) === 0x20))
		) {
			folded = false;
		}
	}
	return folded ? name : foldAsciiText(name);
}

/** {@link foldText} of any text (the ASCII fast path gives the same for ASCII). */
function foldTextGeneral(name: string): string {
	const visible = name.normalize("NFKC").replace(INVISIBLE, "");
	// Upper- then lower-casing is JavaScript's closest match to full case folding (ß → ss, ς → σ).
	return visible.toUpperCase().toLowerCase().normalize("NFKC").replace(WHITE_SPACE_RUN, " ").trim();
}

// ASCII is its own NFKC form and case-folds to its lower case; its only invisible characters are the
// controls (tab and line breaks included: they are removed, not turned into spaces), so the only white
// space left is the space itself.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII controls are what this removes.
const ASCII_CONTROLS = /[\x00-\x1f\x7f]/g;
const SPACE_RUN = / {2,}/g;

function foldAsciiText(name: string): string {
	return name.replace(ASCII_CONTROLS, "").toLowerCase().replace(SPACE_RUN, " ").trim();
}

/** Scripts written without spaces between words: each of their characters is a word of its own. */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;
const HAN = /\p{sc=Han}/u;
const LETTER = /\p{L}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const LETTERS_ONLY = /^\p{L}+$/u;
const WHITE_SPACE = /\s/u;
const ENCLOSED = /^\((.+)\)$/su;

/**
 * Look-alikes that TR39 leaves out or maps to something other than the letter they are read as: small
 * capitals, kappa and kra, and the enclosed letters NFKC keeps (negative circled and squared, regional
 * indicators).
 */
const LOOK_ALIKES: ReadonlyMap<number, string> = (() => {
	const map = new Map<number, string>();
	const smallCapitals = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡxʏᴢ";
	[...smallCapitals].forEach((c, i) => {
		if (c !== "x") map.set(c.codePointAt(0) as number, String.fromCharCode(0x61 + i));
	});
	// TR39 reads Greek kappa as kra (`κ` → `ĸ`), a letter no one reads as anything but k.
	map.set(0x3ba, "k");
	map.set(0x138, "k");
	// Negative circled, negative squared and regional-indicator A–Z.
	for (const first of [0x1f150, 0x1f170, 0x1f1e6]) {
		for (let i = 0; i < 26; i++) map.set(first + i, String.fromCharCode(0x61 + i));
	}
	return map;
})();

/** TR39 prototype of each confusable code point (`а` → `a`, `ℓ` → `l`, `ø` → `o` + stroke), by code point. */
const PROTOTYPES: ReadonlyMap<number, string> = (() => {
	const map = new Map<number, string>();
	// Every key of the data is one code point.
	for (const [from, to] of Object.entries(confusables as Record<string, string>)) {
		map.set(from.codePointAt(0) as number, to);
	}
	return map;
})();

/** Simplified form of each Traditional Han character that has a different one (賭 → 赌). */
const SIMPLIFIED: ReadonlyMap<number, string> = (() => {
	const map = new Map<number, string>();
	const pairs = [...TRADITIONAL_SIMPLIFIED_PAIRS];
	for (let i = 0; i + 1 < pairs.length; i += 2) {
		map.set((pairs[i] as string).codePointAt(0) as number, pairs[i + 1] as string);
	}
	return map;
})();

/** What one character of a name folds to. */
interface CharacterFold {
	/** The folded text: "" for invisible characters and lone marks, " " for white space. */
	text: string;
	/** A letter of a script written with spaces (digits, punctuation and Han characters are not). */
	word: boolean;
	/** A Han, kana or other unspaced-script character. */
	unspaced: boolean;
	/** A bare stroke read as `i` or `l` (palochka `ӏ`, dotless `ı`, iota `ι`): the other reading is tried too. */
	stroke: boolean;
}

const INVISIBLE_ONE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]$/u;
const MARK_ONE = /^\p{M}$/u;
const OTHER_SYMBOL = /^\p{So}$/u;
const UPPER_CASE = /^\p{Lu}$/u;
/** Letters whose dot is part of them (`i`, `j`, Cyrillic `і`): an i look-alike with one is an i. */
const SOFT_DOTTED = /^\p{Soft_Dotted}$/u;

/** The fold of one non-ASCII character (see the module comment for the order of the steps). */
function foldCharacter(codePoint: number): CharacterFold {
	const c = String.fromCodePoint(codePoint);
	if (INVISIBLE_ONE.test(c) || MARK_ONE.test(c))
		return { text: "", word: false, unspaced: false, stroke: false };
	if (WHITE_SPACE.test(c)) return { text: " ", word: false, unspaced: false, stroke: false };
	if (UNSPACED.test(c)) {
		const simplified = HAN.test(c) ? (SIMPLIFIED.get(codePoint) ?? c) : c;
		return { text: simplified.normalize("NFKC"), word: false, unspaced: true, stroke: false };
	}
	let text = LOOK_ALIKES.get(codePoint) ?? LEET[c];
	// A letter with accents is read as its base letter (TR39 has odd prototypes for some: ö → ة).
	const base = c.normalize("NFD").replace(COMBINING_MARKS, "");
	if (text === undefined && base !== c && base !== "") {
		if (isAscii(base)) text = base;
		else if ([...base].length === 1) return foldCharacter(base.codePointAt(0) as number);
	}
	const compatible = c.normalize("NFKC");
	// Compatibility forms of ASCII (full-width, circled, mathematical letters) are what NFKC says.
	if (text === undefined && compatible !== c && isAscii(ENCLOSED.exec(compatible)?.[1] ?? compatible)) {
		text = compatible;
	}
	let stroke = false;
	if (text === undefined) {
		const prototype = PROTOTYPES.get(codePoint);
		// TR39 reads capital I-likes as `l`; in a capital they stand for I.
		text = prototype === "l" && UPPER_CASE.test(c) ? "i" : (prototype ?? c);
		// An i or l look-alike without a dot is a bare stroke, drawn for either letter (TR39 itself reads
		// the palochka `ӏ` as i and its capital `Ӏ` as l).
		stroke = (prototype === "i" || prototype === "l") && !SOFT_DOTTED.test(c);
	}
	text = text.normalize("NFKC");
	text = ENCLOSED.exec(text)?.[1] ?? text; // ⒞ → (c) → c
	text = text.toUpperCase().toLowerCase().normalize("NFD").replace(COMBINING_MARKS, "");
	let out = "";
	for (const part of text) {
		const code = part.codePointAt(0) as number;
		if (code < 0x80) out += ASCII_FOLDS[code] ?? "";
		else out += PROTOTYPES.get(code)?.normalize("NFD").replace(COMBINING_MARKS, "").toLowerCase() ?? part;
	}
	const word = LETTER.test(c) || (OTHER_SYMBOL.test(c) && LETTERS_ONLY.test(out));
	return { text: out, word, unspaced: false, stroke: stroke && (out === "i" || out === "l") };
}

/** The fold of each ASCII character: lower case, leetspeak, controls removed (`!` `|` see readings). */
const ASCII_FOLDS: readonly string[] = Array.from({ length: 0x80 }, (_, code) => {
	const c = String.fromCharCode(code);
	if (code < 0x20 || code === 0x7f) return "";
	return LEET[c] ?? c.toLowerCase();
});

/** Folds of the non-ASCII characters seen so far (names repeat their scripts), bounded. */
const folds = { cache: new Map<number, CharacterFold>(), limit: 65536 };

function foldOf(codePoint: number): CharacterFold {
	let fold = folds.cache.get(codePoint);
	if (fold === undefined) {
		if (folds.cache.size >= folds.limit) folds.cache.clear();
		fold = foldCharacter(codePoint);
		folds.cache.set(codePoint, fold);
	}
	return fold;
}

/** One reading of a name's folded form, with where each of its units comes from in the name. */
export interface Reading {
	/** How this reading was made: `as written`, `separators skipped`, `1 ! | as l`, or both. */
	label: string;
	/** The folded units (what exact, glob and folded regex entries compare). */
	written: string;
	/** Span of the name (UTF-16 offsets, end exclusive) behind each unit of `written`. */
	writtenFrom: number[];
	writtenTo: number[];
	/** `written` with each run of one repeated unit collapsed to one unit (what the automaton reads). */
	collapsed: string;
	/** Length of the run behind each unit of `collapsed`. */
	runs: number[];
	/** Span of the name behind each unit of `collapsed`. */
	from: number[];
	to: number[];
	/** 1 where a unit of `collapsed` is a word character (a letter of a spaced script). */
	word: Uint8Array;
}

/** The folded units of a name before readings are made from them. */
interface Units {
	codes: number[];
	from: number[];
	to: number[];
	word: boolean[];
	/** Letter or digit once folded (what separators separate). */
	letter: boolean[];
	unspaced: boolean[];
	/**
	 * Units that could stand for another letter: `1` and `!` `|` between letters (read as `i` or `l`, either
	 * the other), bare strokes (`ӏ`), and a lone `!` or `|` at the edge of a word (`henta!`, `|ncest`).
	 */
	ambiguous: number[];
	/** What each ambiguous unit may read as instead of its code as written (the first: the usual swap). */
	otherwise: number[][];
}

const I = 0x69;
const L = 0x6c;
const BANG = 0x21;
const BAR = 0x7c;
/** Most mixes of ambiguous units read per name (`f!st|ng` needs `!` and `|` both as `i`); past it, one. */
const MAX_MIXES = 8;

const SPACE = 0x20;

function isLetterUnit(code: number): boolean {
	if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
	return LETTER_OR_DIGIT.test(String.fromCharCode(code)) || (code >= 0xd800 && code <= 0xdfff);
}

/** Folds a name character by character (white space collapsed and trimmed as in the text form). */
function foldUnits(name: string): Units {
	const units: Units = {
		codes: [],
		from: [],
		to: [],
		word: [],
		letter: [],
		unspaced: [],
		ambiguous: [],
		otherwise: [],
	};
	const { codes, from, to, word, letter, unspaced } = units;
	for (let i = 0; i < name.length; ) {
		const codePoint = name.codePointAt(i) as number;
		const size = codePoint > 0xffff ? 2 : 1;
		let text: string;
		let isWord: boolean;
		let isUnspaced = false;
		let stroke = false;
		if (codePoint < 0x80) {
			text = ASCII_FOLDS[codePoint] as string;
			isWord = (codePoint >= 0x61 && codePoint <= 0x7a) || (codePoint >= 0x41 && codePoint <= 0x5a);
		} else {
			const fold = foldOf(codePoint);
			text = fold.text;
			isWord = fold.word;
			isUnspaced = fold.unspaced;
			stroke = fold.stroke;
		}
		if (stroke) ambiguousUnit(units, codes.length, text === "i" ? [L] : [I]);
		for (let k = 0; k < text.length; k++) {
			const code = text.charCodeAt(k);
			if (code === SPACE && (codes.length === 0 || codes[codes.length - 1] === SPACE)) continue;
			codes.push(code);
			from.push(i);
			to.push(i + size);
			word.push(isWord);
			letter.push(code !== SPACE && isLetterUnit(code));
			unspaced.push(isUnspaced);
		}
		i += size;
	}
	if (codes[codes.length - 1] === SPACE) {
		for (const list of [codes, from, to, word, letter, unspaced]) list.pop();
	}
	for (let k = 0; k < codes.length; k++) {
		const code = codes[k] as number;
		// `i` folded from `1`.
		if (code === I && name.charCodeAt(from[k] as number) === 0x31) ambiguousUnit(units, k, [L]);
		if (code !== BANG && code !== BAR) continue;
		let end = k + 1;
		while (codes[end] === BANG || codes[end] === BAR) end++;
		const before = letter[k - 1] === true;
		const after = letter[end] === true;
		if (before && after) {
			// A run between letters is letters (`d!ck`, `bo||ocks`): `!` as `i`, `|` as `l`, or the other.
			for (let j = k; j < end; j++) {
				codes[j] = codes[j] === BANG ? I : L;
				word[j] = true;
				letter[j] = true;
				ambiguousUnit(units, j, [codes[j] === I ? L : I]);
			}
		} else if ((before || after) && end === k + 1) {
			// A lone one at a word's edge may be a letter (`henta!`, `|ncest`) or punctuation (`bet!`).
			ambiguousUnit(units, k, code === BANG ? [I] : [L, I]);
		}
		k = end - 1;
	}
	return units;
}

function ambiguousUnit(units: Units, k: number, otherwise: number[]): void {
	units.ambiguous.push(k);
	units.otherwise.push(otherwise);
}

/** Which units a reading skips: separator runs between two single letters or Han characters. */
function skippedSeparators(units: Units): Uint8Array | null {
	const { letter, unspaced } = units;
	const n = letter.length;
	let skip: Uint8Array | null = null;
	for (let k = 0; k < n; k++) {
		if (letter[k] || k === 0 || !letter[k - 1]) continue;
		// A separator run starts at k, after the letter k - 1.
		let end = k;
		while (end < n && !letter[end]) end++;
		if (end === n) break;
		const before = k - 1;
		const singleBefore = unspaced[before] || before === 0 || !letter[before - 1];
		const singleAfter = unspaced[end] || end + 1 === n || !letter[end + 1];
		if (singleBefore && singleAfter) {
			skip ??= new Uint8Array(n);
			skip.fill(1, k, end);
		}
		k = end - 1;
	}
	return skip;
}

/**
 * One reading of the units: `skip` says which units it leaves out, `mix` what each ambiguous unit reads
 * as (-1: as written, else an index into its `otherwise`; null: all as written).
 */
function makeReading(units: Units, label: string, skip: Uint8Array | null, mix: number[] | null): Reading {
	const codes = mix === null ? units.codes : units.codes.slice();
	const letters = mix === null ? units.word : units.word.slice();
	if (mix !== null) {
		units.ambiguous.forEach((k, j) => {
			const choice = mix[j] as number;
			if (choice < 0) return;
			codes[k] = (units.otherwise[j] as number[])[choice] as number;
			letters[k] = true;
		});
	}
	const writtenCodes: number[] = [];
	const writtenFrom: number[] = [];
	const writtenTo: number[] = [];
	const collapsedCodes: number[] = [];
	const runs: number[] = [];
	const from: number[] = [];
	const to: number[] = [];
	const words: number[] = [];
	for (let k = 0; k < codes.length; k++) {
		if (skip !== null && skip[k] === 1) continue;
		const code = codes[k] as number;
		writtenCodes.push(code);
		writtenFrom.push(units.from[k] as number);
		writtenTo.push(units.to[k] as number);
		const last = collapsedCodes.length - 1;
		if (last >= 0 && collapsedCodes[last] === code) {
			runs[last] = (runs[last] as number) + 1;
			to[last] = units.to[k] as number;
			continue;
		}
		collapsedCodes.push(code);
		runs.push(1);
		from.push(units.from[k] as number);
		to.push(units.to[k] as number);
		words.push(letters[k] ? 1 : 0);
	}
	return {
		label,
		written: String.fromCharCode(...writtenCodes),
		writtenFrom,
		writtenTo,
		collapsed: String.fromCharCode(...collapsedCodes),
		runs,
		from,
		to,
		word: Uint8Array.from(words),
	};
}

/**
 * The mixes of a name's ambiguous units to read besides "all as written": every mix while there are at
 * most {@link MAX_MIXES} (`best|a||ty` needs `|` as `i`, then `l`, then `i`), else only the usual swap.
 */
function ambiguousMixes(units: Units): number[][] {
	const { otherwise } = units;
	let count = 1;
	for (const choices of otherwise) count *= choices.length + 1;
	if (count > MAX_MIXES) return [otherwise.map(() => 0)];
	const mixes: number[][] = [];
	for (let n = 1; n < count; n++) {
		let rest = n;
		mixes.push(
			otherwise.map((choices) => {
				const choice = (rest % (choices.length + 1)) - 1;
				rest = Math.floor(rest / (choices.length + 1));
				return choice;
			}),
		);
	}
	return mixes;
}

/**
 * The readings of a name compared with the banned and allowed patterns: as written; with separators
 * between single letters or Han characters skipped (`c a s i n o`, `赌 博`) when it has any; and each
 * with its ambiguous units read otherwise (`1` and `!` `|` between letters as `l` instead of `i`, `|` as
 * `i`; a lone `!` `|` at a word's edge as a letter) when it has any, every mix of them while they are few.
 * @example nameReadings("C.A.S.I.N.O")[1].collapsed // "casino"
 */
export function nameReadings(name: string): Reading[] {
	const units = foldUnits(name);
	const skip = skippedSeparators(units);
	const readings = [makeReading(units, "as written", null, null)];
	if (skip !== null) readings.push(makeReading(units, "separators skipped", skip, null));
	if (units.ambiguous.length > 0) {
		for (const mix of ambiguousMixes(units)) {
			readings.push(makeReading(units, "1 ! | as i or l", null, mix));
			if (skip !== null) readings.push(makeReading(units, "separators skipped, 1 ! | as i or l", skip, mix));
		}
	}
	return readings;
}

/**
 * The folded form of a pattern value (its reading as written): what banned and allowed values are
 * compiled from, so that a value means the same however it is typed.
 * @example foldedValue("C4S1NØ") // { written: "casino", collapsed: "casino", runs: [1, 1, 1, 1, 1, 1] }
 */
export function foldedValue(value: string): { written: string; collapsed: string; runs: number[] } {
	const reading = makeReading(foldUnits(value), "as written", null, null);
	return { written: reading.written, collapsed: reading.collapsed, runs: reading.runs };
}

/** Length in characters (code points), as `names.minLength`/`maxLength` count it. */
export function characterCount(text: string): number {
	// UTF-16 units, less one for each surrogate pair (a lone surrogate counts as one character).
	let n = text.length;
	for (let i = 0; i < text.length - 1; i++) {
		const unit = text.charCodeAt(i);
		if (unit >= 0xd800 && unit <= 0xdbff) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				n--;
				i++;
			}
		}
	}
	return n;
}

/** Whether every UTF-16 unit of `text` is ASCII. */
function isAscii(text: string): boolean {
	for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
	return true;
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** Whether the UTF-16 code unit at `index` belongs to a word (letter or digit); false outside the text. */
export function isWordCharacterAt(text: string, index: number): boolean {
	if (index < 0 || index >= text.length) return false;
	const code = text.charCodeAt(index);
	if (code < 0x80) {
		return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
	}
	// A low surrogate belongs to the character that starts one unit earlier.
	const start = code >= 0xdc00 && code <= 0xdfff && index > 0 ? index - 1 : index;
	const cp = text.codePointAt(start);
	return cp !== undefined && WORD_CHARACTER.test(String.fromCodePoint(cp));
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
		writtenFrom: from,
		writtenTo: to,
		collapsed: name,
		runs,
		from,
		to,
		word,
	};
}
