// Name folding: the forms every name and every pattern are compared in.
//
// - The *text form* (NFKC, case folding, invisible characters removed, white space collapsed) is what
//   lengths are counted in, what `names.allowed` names compare and what regex entries see, so
//   `^[0-9]+$` still means digits.
// - The *folded form* is made one character of the name at a time, so that every folded unit knows the
//   span of the name it came from (explanations quote it): look-alikes first (Unicode TR39 confusables,
//   from the `unhomoglyph` package, plus small capitals, enclosed and regional-indicator letters; only
//   for non-ASCII characters), then Traditional Han to Simplified (OpenCC's character table), NFKC, case
//   folding, marks stripped, leetspeak; kana and Hangul as scripts.ts says. readings.ts reads the folded
//   units a few ways (a name's *readings*).
import confusables from "unhomoglyph/data.json";
import { TRADITIONAL_SIMPLIFIED_PAIRS } from "./han-simplified.generated";
import {
	fauxLatin,
	foldKana,
	HOOK_LETTERS,
	joinsPrevious,
	LETTER_UNIT,
	STROKE_LETTERS,
	SYMBOL_UNIT,
	sizeBefore,
	UNSPACED_UNIT,
	WORD_UNIT,
	type WordScripts,
	wordAt,
} from "./scripts";

/** Zero-width and other format characters, default-ignorable code points and control characters. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]/gu;
const WHITE_SPACE_RUN = /\s+/gu;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * Common leetspeak substitutions (after look-alikes), with the symbols fancy-text alphabets draw for
 * letters (`€` for e, `∂` for d, `₳` for a, `©` for c, `†` for t, `⊕` for o: the symbols the `confusables`
 * data reads as a letter, see scripts.ts). Both the name and the banned values go through it, so `b3t` in a policy
 * means the same as `bet`.
 */
const LEET: Readonly<Record<string, string>> = {
	"0": "o",
	"1": "i",
	"3": "e",
	"4": "a",
	"5": "s",
	"6": "g",
	"7": "t",
	"8": "b",
	"9": "g",
	$: "s",
	"@": "a",
	"€": "e",
	"∂": "d",
	"₳": "a",
	"∀": "a",
	"฿": "b",
	"₵": "c",
	"©": "c",
	"₣": "f",
	"₲": "g",
	"₥": "m",
	"₦": "n",
	"₱": "p",
	"℗": "p",
	"℞": "r",
	"℟": "r",
	"†": "t",
	"⅄": "y",
	"♭": "b",
	"☾": "c",
	"↻": "c",
	"∱": "f",
	"⅁": "g",
	"♓": "h",
	"└": "l",
	"⎳": "l",
	"♏": "m",
	"⏇": "t",
	"⏉": "t",
	"⊥": "t",
	"⍵": "w",
	"❌": "x",
	"☡": "z",
	...Object.fromEntries([..."⍥◯❍❤⊕¤◊⍜⎔⎕⍤○"].map((c) => [c, "o"])),
	...Object.fromEntries(
		Array.from({ length: 0x29c3 - 0x29b0 + 1 }, (_, i) => [String.fromCharCode(0x29b0 + i), "o"]),
	),
	...Object.fromEntries(Array.from({ length: 5 }, (_, i) => [String.fromCodePoint(0x1f7a8 + i), "x"])),
};
// `!` and `|` only between letters (`bet!` stays the word `bet`): see {@link nameReadings}.

/**
 * The text form of a name: NFKC, Unicode case folding, invisible characters removed, runs of white
 * space collapsed to one space, trimmed.
 * @example foldText("  ＣＡ\u200bＳＩＮＯ  Royale") // "casino royale"
 */
export function foldText(name: string): string {
	// Printable ASCII is lowered as it stands; a word holding a character outside ASCII is folded alone (NFKC,
	// case mapping, final sigma too, and invisible characters never reach across a space). Controls, and
	// spaces at an edge or in a run, ask for the white space folding at the end.
	let out = "";
	let done = 0;
	// A space at an edge only asks for trimming; the rest for the whole white space folding.
	let edges = false;
	let spaces = false;
	const scan = NEEDS_FOLDING;
	scan.lastIndex = 0;
	for (let found = scan.exec(name); found !== null; found = scan.exec(name)) {
		const at = found.index;
		if (name.charCodeAt(at) < 0x80) {
			if (found[0] === " ") edges = true;
			else spaces = true;
			continue;
		}
		const word = name.lastIndexOf(" ", at) + 1;
		let end = name.indexOf(" ", at);
		if (end < 0) end = name.length;
		const folded = foldWord(name.slice(word, end));
		spaces ||= folded === "" || WHITE_SPACE.test(folded);
		out += name.slice(done, word).toLowerCase() + folded;
		done = end;
		scan.lastIndex = end;
	}
	out += name.slice(done).toLowerCase();
	if (spaces) return out.replace(ASCII_CONTROLS, "").replace(WHITE_SPACE_RUN, " ").trim();
	return edges ? out.trim() : out;
}

/**
 * Most UTF-16 units the text form makes of one unit (U+FDFA, NFKC's longest expansion: 18); ASCII makes at
 * most one. NFKC's composition, the invisible characters removed and the white space folded only shorten,
 * and case mapping looks at no neighbour but for the final sigma (the same length), so a text's form is
 * never longer than the sum of its characters' forms. Checked on every code point in
 * test/policy/equivalence.test.ts.
 */
export const MOST_UNITS_FOLDED = 18;

/**
 * An upper bound of `foldText(name).length`, from its length and how many of its units lie outside ASCII
 * (see {@link MOST_UNITS_FOLDED}).
 */
export const foldedLengthBound = (length: number, outside: number) =>
	length + (MOST_UNITS_FOLDED - 1) * outside;

/**
 * What {@link foldText} stops at: a character outside printable ASCII, a space at an edge, a run of
 * spaces.
 */
const NEEDS_FOLDING = /[^\x20-\x7e]|^ | $| {2}/g;

/** NFKC, invisible characters removed, case folded. */
function foldWord(word: string): string {
	if (LOWERED_ALIKE.test(word)) return word.toUpperCase().toLowerCase();
	const visible = word.normalize("NFKC").replace(INVISIBLE, "");
	// Upper- then lower-casing is JavaScript's closest match to full case folding (ß → ss, ς → σ).
	return visible.toUpperCase().toLowerCase().normalize("NFKC");
}

/**
 * The characters of a word whose text form is its upper case lowered ({@link foldWord} for the rest): each
 * is its own NFKC form, visible, no white space and no mark, and joins no neighbour in NFKC, and so is each
 * character of its upper case lowered (the final sigma is the only rule of context, as in the full fold).
 * ASCII, the Latin, IPA, Greek and Cyrillic letters, small capitals, Latin Extended-D, CJK punctuation,
 * kana without marks, Han and Hangul syllables. Checked in test/policy/equivalence.test.ts.
 */
export const LOWERED_ALIKE_RANGES: readonly (readonly [number, number])[] = [
	[0x21, 0x7e],
	[0xc0, 0x12f],
	[0x134, 0x13e],
	[0x141, 0x148],
	[0x14a, 0x17e],
	[0x180, 0x1c3],
	[0x1cd, 0x1ef],
	[0x1f4, 0x2af],
	[0x386, 0x386],
	[0x388, 0x38a],
	[0x38c, 0x38c],
	[0x38e, 0x38f],
	[0x391, 0x3a1],
	[0x3a3, 0x3af],
	[0x3b1, 0x3ce],
	[0x400, 0x482],
	[0x48a, 0x52f],
	[0x1d00, 0x1d2b],
	[0xa722, 0xa76f],
	[0x3001, 0x3029],
	[0x3041, 0x3096],
	[0x309d, 0x309e],
	[0x30a0, 0x30fe],
	[0x3400, 0x4dbf],
	[0x4e00, 0x9fff],
	[0xac00, 0xd7a3],
];
const escaped = (code: number) => `\\u${code.toString(16).padStart(4, "0")}`;
const LOWERED_ALIKE = new RegExp(
	`^[${LOWERED_ALIKE_RANGES.map(([a, b]) => `${escaped(a)}-${escaped(b)}`).join("")}]*$`,
);

// ASCII is its own NFKC form and case-folds to its lower case; its only invisible characters are the
// controls (tab and line breaks included: they are removed, not turned into spaces).
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII controls are what this removes.
const ASCII_CONTROLS = /[\x00-\x1f\x7f]/g;

/** Scripts written without spaces between words: each of their characters is a word of its own. */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;
const HAN = /\p{sc=Han}/u;
const KANA = /[\p{sc=Hiragana}\p{sc=Katakana}]/u;
const HANGUL = /\p{sc=Hangul}/u;
const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;
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
function buildLookAlikes(): ReadonlyMap<number, string> {
	const map = new Map<number, string>();
	const smallCapitals = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡxʏᴢ";
	[...smallCapitals].forEach((c, i) => {
		if (c !== "x") map.set(c.codePointAt(0) as number, String.fromCharCode(0x61 + i));
	});
	// TR39 reads Greek kappa as kra (`κ` → `ĸ`), a letter no one reads as anything but k.
	map.set(0x3ba, "k");
	map.set(0x3f0, "k"); // the kappa symbol ϰ
	// TR39 reads beta as sharp s (`β` → `ß` → `ss`); it is drawn, and read, as b.
	map.set(0x3b2, "b");
	map.set(0x3d0, "b"); // the beta symbol ϐ
	map.set(0x138, "k");
	for (const table of [STROKE_LETTERS, HOOK_LETTERS]) {
		for (const [letter, letters] of Object.entries(table)) {
			for (const c of letters) map.set(c.codePointAt(0) as number, letter);
		}
	}
	// Negative circled, negative squared and regional-indicator A–Z.
	for (const first of [0x1f150, 0x1f170, 0x1f1e6]) {
		for (let i = 0; i < 26; i++) map.set(first + i, String.fromCharCode(0x61 + i));
	}
	return map;
}

/** TR39 prototype of each confusable code point (`а` → `a`, `ℓ` → `l`, `ø` → `o` + stroke), by code point. */
function buildPrototypes(): ReadonlyMap<number, string> {
	const map = new Map<number, string>();
	// Every key of the data is one code point.
	for (const [from, to] of Object.entries(confusables as Record<string, string>)) {
		map.set(from.codePointAt(0) as number, to);
	}
	return map;
}

/** Simplified form of each Traditional Han character that has a different one (賭 → 赌). */
function buildSimplified(): ReadonlyMap<number, string> {
	const map = new Map<number, string>();
	const pairs = [...TRADITIONAL_SIMPLIFIED_PAIRS];
	for (let i = 0; i + 1 < pairs.length; i += 2) {
		map.set((pairs[i] as string).codePointAt(0) as number, pairs[i + 1] as string);
	}
	return map;
}

/**
 * The tables of non-ASCII characters, each built on its first use: only a name with such a character needs
 * them, and a cold isolate answering an ASCII name should not pay for thousands of entries.
 */
const tables: {
	lookAlikes?: ReadonlyMap<number, string>;
	prototypes?: ReadonlyMap<number, string>;
	simplified?: ReadonlyMap<number, string>;
} = {};
const lookAlikes = () => (tables.lookAlikes ??= buildLookAlikes());
const prototypes = () => (tables.prototypes ??= buildPrototypes());
const simplifiedHan = () => (tables.simplified ??= buildSimplified());

/** What one character of a name folds to. */
export interface CharacterFold {
	/** The folded text: "" for invisible characters and lone marks, " " for white space. */
	text: string;
	/** A letter of a script written with spaces (digits, punctuation and Han characters are not). */
	word: boolean;
	/** A Han, kana or other unspaced-script character. */
	unspaced: boolean;
	/** A bare stroke read as `i` or `l` (palochka `ӏ`, dotless `ı`, iota `ι`): the other reading is tried too. */
	stroke: boolean;
	/** The Latin letter (code) a faux Cyrillic or Greek letter stands for, else 0 (scripts.ts). */
	faux: number;
	/** A dash read as the prolonged sound mark: a separator unless it joins a kana. */
	dash: boolean;
	/** A symbol or punctuation read as a letter (`€`, `ⓐ`, `∑`): a separator between Han, kana or Hangul. */
	symbol: boolean;
	/** A Hangul syllable or jamo. */
	hangul: boolean;
}

const PROLONGED_MARK = "\u30fc";

const INVISIBLE_ONE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]$/u;
const MARK_ONE = /^\p{M}$/u;
const OTHER_SYMBOL = /^\p{So}$/u;
const UPPER_CASE = /^\p{Lu}$/u;
/** Letters whose dot is part of them (`i`, `j`, Cyrillic `і`): an i look-alike with one is an i. */
const SOFT_DOTTED = /^\p{Soft_Dotted}$/u;

/** CJK Radicals Supplement, whose radicals drawn as whole characters (`⻩` for 黄) NFKC leaves alone. */
const RADICALS_FIRST = 0x2e80;
const RADICALS_LAST = 0x2eff;

/**
 * The fold of a Han character: its compatibility form's character (Kangxi radical `⿈` → 黃, `裸` → 裸),
 * or for a radical of the supplement the character TR39 reads it as (`⻩` → 黄), then Simplified.
 */
function foldHan(codePoint: number, c: string): string {
	let text = c.normalize("NFKC");
	if (codePoint >= RADICALS_FIRST && codePoint <= RADICALS_LAST && text === c) {
		const prototype = prototypes().get(codePoint);
		if (prototype !== undefined && [...prototype].length === 1 && HAN.test(prototype)) text = prototype;
	}
	let out = "";
	for (const part of text) out += simplifiedHan().get(part.codePointAt(0) as number) ?? part;
	return out;
}

/**
 * A {@link CharacterFold}, every field set (one object shape for every character: the fold loop reads them
 * all).
 */
function characterFold(
	text: string,
	word: boolean,
	unspaced: boolean,
	stroke: boolean,
	faux: number,
	kind: { dash?: boolean; symbol?: boolean; hangul?: boolean } = {},
): CharacterFold {
	const { dash = false, symbol = false, hangul = false } = kind;
	return { text, word, unspaced, stroke, faux, dash, symbol, hangul };
}

/** The fold of one non-ASCII character (see the module comment for the order of the steps). */
function foldCharacter(codePoint: number): CharacterFold {
	const c = String.fromCodePoint(codePoint);
	if (INVISIBLE_ONE.test(c) || MARK_ONE.test(c)) return characterFold("", false, false, false, 0);
	if (WHITE_SPACE.test(c)) return characterFold(" ", false, false, false, 0);
	if (UNSPACED.test(c)) {
		const text = KANA.test(c) ? foldKana(c) : HAN.test(c) ? foldHan(codePoint, c) : c.normalize("NFKC");
		return characterFold(text, false, true, false, fauxLatin(codePoint));
	}
	// Hangul syllables stay whole; jamo become conjoining jamo, which foldUnits joins into syllables.
	if (HANGUL.test(c)) return characterFold(c.normalize("NFKC"), true, false, false, 0, { hangul: true });
	let text = lookAlikes().get(codePoint) ?? LEET[c];
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
		const prototype = prototypes().get(codePoint);
		// Other compatibility forms of one letter (the micro sign, `ϰ`) are that letter where TR39 leaves them
		// out, and mathematical letters (`𝜅`, `𝝉`) always are: they are a letter in another typeface.
		const mathematical = codePoint >= 0x1d400 && codePoint <= 0x1d7ff;
		if ((prototype === undefined || mathematical) && compatible !== c && compatible.length === 1) {
			return foldCharacter(compatible.charCodeAt(0));
		}
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
		else out += prototypes().get(code)?.normalize("NFD").replace(COMBINING_MARKS, "").toLowerCase() ?? part;
	}
	const word = LETTER.test(c) || (OTHER_SYMBOL.test(c) && LETTERS_ONLY.test(out));
	const faux = fauxLatin(codePoint);
	// A dash TR39 reads as the prolonged sound mark (`―` `—` → `ー`) is one only after a kana (scripts.ts);
	// elsewhere it is the punctuation it is (`賭—博`).
	if (out === PROLONGED_MARK && !word) return characterFold(out, word, false, false, faux, { dash: true });
	// A symbol that folds to a CJK character (`🈴` → 合, `㉮` → 가) is that character.
	const symbol = !LETTER_OR_DIGIT.test(c) && !CJK.test(out);
	return characterFold(out, word, false, stroke && (out === "i" || out === "l"), faux, { symbol });
}

/** The fold of each ASCII character: lower case, leetspeak, controls removed (`!` `|` see readings). */
const ASCII_FOLDS: readonly string[] = Array.from({ length: 0x80 }, (_, code) => {
	const c = String.fromCharCode(code);
	if (code < 0x20 || code === 0x7f) return "";
	return LEET[c] ?? c.toLowerCase();
});

/** Folds of the non-ASCII characters seen so far (names repeat their scripts), bounded. */
const folds = { cache: new Map<number, CharacterFold>(), limit: 65536 };

/** The fold of one non-ASCII character, cached. */
export function foldOf(codePoint: number): CharacterFold {
	let fold = folds.cache.get(codePoint);
	if (fold === undefined) {
		if (folds.cache.size >= folds.limit) folds.cache.clear();
		fold = foldCharacter(codePoint);
		folds.cache.set(codePoint, fold);
	}
	return fold;
}

// The folded units of the name being read live in typed arrays reused from one name to the next: a name
// is folded and all its readings are made before the next name is folded (nothing here is asynchronous),
// so a decision allocates only the readings it returns, not a list per unit.

export { LETTER_UNIT, SYMBOL_UNIT, UNSPACED_UNIT, WORD_UNIT };

/** The folded units of the last name folded by {@link foldUnits}, before readings are made from them. */
export const units = {
	count: 0,
	codes: new Uint16Array(64),
	/** The same codes with the ambiguous units read otherwise (see {@link mixAmbiguous}), when there are any. */
	swapped: new Uint16Array(64),
	from: new Int32Array(64),
	to: new Int32Array(64),
	flags: new Uint8Array(64),
	/**
	 * Units that could stand for another letter: `1` and `!` `|` between letters (read as `i` or `l`, either
	 * the other), bare strokes (`ӏ`), and a lone `!` or `|` at the edge of a word (`henta!`, `|ncest`).
	 */
	ambiguous: new Int32Array(64),
	ambiguousCount: 0,
	/** What each ambiguous unit may read as instead of its code as written: a first and a second (0: none). */
	otherwise: new Uint16Array(64),
	otherwiseToo: new Uint16Array(64),
	/** 1 for the units the separators-skipped reading leaves out. */
	skip: new Uint8Array(64),
	/**
	 * 1 for the units of a word of faux Cyrillic or Greek letters read as Latin (only when folded with
	 * `fauxWords`): a match may not begin or end inside it (see scripts.ts).
	 */
	whole: new Uint8Array(64),
	/** The name has faux Cyrillic or Greek letters: a reading with them as Latin is made. */
	fauxWords: false,
	/** The name has a Han, kana or Hangul unit (readings.ts looks for symbols between them only then). */
	cjk: false,
	/** The name has a digit 1 to 5 (readings.ts looks for pinyin tone numbers only then). */
	toneDigits: false,
	/** The units of the reading being made (written, then collapsed). */
	out: new Uint16Array(64),
};

/** Makes room for at least `needed` units, keeping the units folded so far. */
function growUnits(needed: number): void {
	const capacity = Math.max(needed, units.codes.length * 2);
	const grow = <T extends Uint16Array | Int32Array | Uint8Array>(from: T, to: T): T => {
		to.set(from);
		return to;
	};
	units.codes = grow(units.codes, new Uint16Array(capacity));
	units.swapped = new Uint16Array(capacity);
	units.from = grow(units.from, new Int32Array(capacity));
	units.to = grow(units.to, new Int32Array(capacity));
	units.flags = grow(units.flags, new Uint8Array(capacity));
	units.ambiguous = grow(units.ambiguous, new Int32Array(capacity));
	units.otherwise = grow(units.otherwise, new Uint16Array(capacity));
	units.otherwiseToo = grow(units.otherwiseToo, new Uint16Array(capacity));
	units.skip = new Uint8Array(capacity);
	units.whole = grow(units.whole, new Uint8Array(capacity));
	units.out = new Uint16Array(capacity);
}

/** The bit of {@link ASCII_AMBIGUOUS} for a digit that may be a pinyin tone. */
const TONE_DIGIT = 2;

/**
 * The letters a reading may take `1` `!` `|` `(` `/` `+` `*` for besides their fold, each in some place
 * (findAmbiguous in readings.ts): leetspeak's characters drawn for letters.
 */
export const OTHER_LETTERS: Readonly<Record<string, string>> = {
	"1": "l",
	"!": "il",
	"|": "il",
	"(": "c",
	"/": "l",
	"+": "t",
	"*": "ui",
};

/**
 * Bit 1 for the characters of {@link OTHER_LETTERS}, what readings.ts may read as a letter; bit 2 for the
 * digits `1` to `5`, which may be pinyin tones (readings.ts).
 */
const ASCII_AMBIGUOUS = Uint8Array.from(
	{ length: 0x80 },
	(_, unit) =>
		(String.fromCharCode(unit) in OTHER_LETTERS ? 1 : 0) | (unit >= 0x31 && unit <= 0x35 ? TONE_DIGIT : 0),
);

/** Whether a reading may take the ASCII unit for a letter other than its fold ({@link OTHER_LETTERS}). */
export const readsOtherwise = (unit: number) => unit < 0x80 && ((ASCII_AMBIGUOUS[unit] as number) & 1) !== 0;

/** Whether the ASCII unit is a digit that may be a pinyin tone. */
export const mayBeTone = (unit: number) =>
	unit < 0x80 && ((ASCII_AMBIGUOUS[unit] as number) & TONE_DIGIT) !== 0;

const SPACE = 0x20;
export const I = 0x69;
export const L = 0x6c;

/** Records unit k as ambiguous, with what it may read as instead (`too`: 0 or a second letter). */
export function ambiguousUnit(at: number, k: number, otherwise: number, too: number): number {
	units.ambiguous[at] = k;
	units.otherwise[at] = otherwise;
	units.otherwiseToo[at] = too;
	return at + 1;
}

/** Whether a folded unit (not a surrogate) is a letter or digit. */
export function isLetterUnit(code: number): boolean {
	if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
	return LETTER_OR_DIGIT.test(String.fromCharCode(code));
}

const isSurrogate = (code: number) => code >= 0xd800 && code <= 0xdfff;

/**
 * Whether the UTF-16 unit `k` of a fold's text (half of a surrogate pair) belongs to a letter or digit
 * (`𠀀` and the other Han of the supplementary planes are; emoji, which stand between characters as
 * separators do, are not).
 */
function isAstralLetter(text: string, k: number): boolean {
	const start = (text.charCodeAt(k) & 0xfc00) === 0xdc00 && k > 0 ? k - 1 : k;
	const codePoint = text.codePointAt(start) as number;
	return LETTER_OR_DIGIT.test(String.fromCodePoint(codePoint));
}

/** The folded unit of each ASCII character (-1 for the removed controls), and its unit's flags. */
export const ASCII_UNIT_CODES: Int16Array = Int16Array.from(ASCII_FOLDS, (text) =>
	text === "" ? -1 : text.charCodeAt(0),
);
export const ASCII_UNIT_FLAGS: Uint8Array = Uint8Array.from(ASCII_FOLDS, (text, unit) => {
	const word = (unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a) ? WORD_UNIT : 0;
	const code = text.charCodeAt(0);
	// `$` and `@`, leetspeak for s and a, are symbols read as letters.
	const symbol = unit === 0x24 || unit === 0x40 ? SYMBOL_UNIT : 0;
	return text !== "" && code !== SPACE && isLetterUnit(code) ? word | LETTER_UNIT | symbol : word;
});

/**
 * Folds a name character by character into {@link units} (white space collapsed and trimmed as in the text
 * form). With `fauxWords`, faux Cyrillic and Greek letters are read as Latin, and the words of those scripts
 * alone that hold one are marked in `units.whole`; kana marks and Hangul jamo join the unit before them
 * (scripts.ts). Returns whether a unit may be read as another letter (`1`, `!`,
 * `|` or a non-ASCII character): readings.ts then looks for the ambiguous units.
 */
export function foldUnits(name: string, fauxWords = false): boolean {
	// An ASCII character folds to at most one unit; others make room for themselves below.
	if (units.codes.length < name.length) growUnits(name.length);
	if (fauxWords) units.whole.fill(0);
	units.fauxWords = false;
	units.cjk = false;
	let toneDigits = false;
	let n = 0;
	let ambiguousCount = 0;
	// Whether a unit may be read as i or l the other way (`1`, `!`, `|`, or anything not ASCII).
	let mayBeAmbiguous = false;
	// The word around the last letter whose script mattered, while the fold is inside it.
	let word: WordScripts | null = null;
	// The lists as they are now (only a character outside ASCII may grow them: read again after one).
	let asciiCodes = units.codes;
	let asciiFrom = units.from;
	let asciiTo = units.to;
	let asciiFlags = units.flags;
	for (let i = 0; i < name.length; ) {
		const unit = name.charCodeAt(i);
		if (unit < 0x80) {
			// The common case, one table look-up: no string per character.
			const code = ASCII_UNIT_CODES[unit] as number;
			i++;
			if (code < 0 || (code === SPACE && (n === 0 || asciiCodes[n - 1] === SPACE))) continue;
			const kind = ASCII_AMBIGUOUS[unit] as number;
			if (kind !== 0) {
				if ((kind & 1) !== 0) mayBeAmbiguous = true;
				if (kind >= TONE_DIGIT) toneDigits = true;
			}
			asciiCodes[n] = code;
			asciiFrom[n] = i - 1;
			asciiTo[n] = i;
			asciiFlags[n] = ASCII_UNIT_FLAGS[unit] as number;
			n++;
			continue;
		}
		mayBeAmbiguous = true;
		const codePoint = name.codePointAt(i) as number;
		const size = codePoint > 0xffff ? 2 : 1;
		const fold = foldOf(codePoint);
		if (n + fold.text.length + 1 > units.codes.length) {
			growUnits(n + fold.text.length + 1 + name.length - i);
			asciiCodes = units.codes;
			asciiFrom = units.from;
			asciiTo = units.to;
			asciiFlags = units.flags;
		}
		if (n > 0 && joinsPrevious(units, codePoint, fold.text, n, i + size, name)) {
			n = units.count;
			i += size;
			continue;
		}
		let { text } = fold;
		let whole = 0;
		let flags =
			(fold.word ? WORD_UNIT : 0) | (fold.unspaced ? UNSPACED_UNIT : 0) | (fold.symbol ? SYMBOL_UNIT : 0);
		if (fold.unspaced || fold.hangul) units.cjk = true;
		// A Han, kana or Thai look-alike counts only in a run of them alone (scripts.ts).
		const run = fold.unspaced && fold.faux !== 0 ? lookAlikeRun(name, i) : 0;
		if (fold.faux !== 0 && (!fold.unspaced || run !== 0)) units.fauxWords = true;
		if (fauxWords && fold.word) {
			if (word === null || i >= word.end || i < word.start) word = wordAt(name, i);
			if (!word.latin && word.faux) whole = 1;
			if (fold.faux !== 0) text = String.fromCharCode(fold.faux);
		} else if (fauxWords && run !== 0) {
			text = String.fromCharCode(fold.faux);
			flags = WORD_UNIT;
			if (run === WHOLE_RUN) whole = 1;
		}
		if (fold.stroke && text === fold.text)
			ambiguousCount = ambiguousUnit(ambiguousCount, n, text === "i" ? L : I, 0);
		const { codes, from, to, flags: unitFlags } = units;
		for (let k = 0; k < text.length; k++) {
			const code = text.charCodeAt(k);
			if (code === SPACE && (n === 0 || codes[n - 1] === SPACE)) continue;
			codes[n] = code;
			from[n] = i;
			to[n] = i + size;
			const letter =
				!fold.dash && (isSurrogate(code) ? isAstralLetter(text, k) : code !== SPACE && isLetterUnit(code));
			unitFlags[n] = letter ? flags | LETTER_UNIT : flags;
			if (whole !== 0) units.whole[n] = 1;
			n++;
		}
		i += size;
	}
	if (n > 0 && units.codes[n - 1] === SPACE) n--;
	units.count = n;
	units.toneDigits = toneDigits;
	units.ambiguousCount = ambiguousCount;
	return mayBeAmbiguous;
}

/** {@link lookAlikeRun}: a run of look-alikes next to a Latin letter, or standing alone (matched whole). */
const LATIN_RUN = 1;
const WHOLE_RUN = 2;
const MAX_RUN = 32;

/**
 * Whether the Han, kana or Thai character at `index` is in a run of such characters that are all drawn for
 * Latin letters (`丂卄工丅`, the `山` of `bl山job`): 0 when not; {@link LATIN_RUN} when a Latin letter
 * touches the run (it is part of a Latin word); {@link WHOLE_RUN} when it stands alone, three or more.
 */
function lookAlikeRun(name: string, index: number): number {
	let latin = false;
	const edge = (cp: number) => {
		if (cp < 0x80) latin ||= (cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a;
		else if (!foldOf(cp).unspaced) latin ||= LETTER.test(String.fromCodePoint(cp));
	};
	// Characters of the run, counted as both scans pass them. A longer run is no word: the scan stays bounded.
	let count = 0;
	const first = Math.max(0, index - MAX_RUN);
	for (let i = index; i > 0; ) {
		if (i <= first) return 0;
		const back = sizeBefore(name, i);
		const cp = name.codePointAt(i - back) as number;
		const fold = cp < 0x80 ? null : foldOf(cp);
		if (fold === null || !fold.unspaced) {
			edge(cp);
			break;
		}
		if (fold.faux === 0) return 0;
		count++;
		i -= back;
	}
	for (let j = index; j < name.length; ) {
		if (j >= index + MAX_RUN) return 0;
		const cp = name.codePointAt(j) as number;
		const fold = cp < 0x80 ? null : foldOf(cp);
		if (fold === null || !fold.unspaced) {
			edge(cp);
			break;
		}
		if (fold.faux === 0) return 0;
		count++;
		j += cp > 0xffff ? 2 : 1;
	}
	if (latin) return LATIN_RUN;
	// Alone, a run of two is too often a real name (山口, 山下); three spell a word.
	return count >= 3 ? WHOLE_RUN : 0;
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
