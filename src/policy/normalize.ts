// Name normalization: the two forms every name and every pattern are compared in.
//
// - The *text form* (NFKC, case folding, invisible characters removed, white space collapsed) is what
//   lengths are counted in, what `names.allowed` compares and what regex entries see, so `^[0-9]+$`
//   still means digits.
// - The *skeleton* adds leetspeak folding, accent removal and the Unicode TR39 confusables mapping
//   (the data of unicode.org's confusables.txt, shipped by the `unhomoglyph` package), so that
//   `ＣＡＳＩＮＯ`, `ca\u200bsino`, `cаsino` (Cyrillic а) and `c4s1no` all become `casino`.
import confusables from "unhomoglyph/data.json";

/** Zero-width and other format characters, default-ignorable code points and control characters. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]/gu;
const WHITE_SPACE_RUN = /\s+/gu;
const COMBINING_MARKS = /\p{M}/gu;

/**
 * Common leetspeak substitutions, applied to the text form before the confusables mapping (TR39 would
 * otherwise turn `0` into `O` and `1` into `l`). Both the name and the banned values go through it, so
 * `b3t` in a policy means the same as `bet`.
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
// Not `!` or `|`: `bet!` must stay the word `bet` (and TR39 already folds `|` into `l`).
const LEET_CHARACTERS = /[01345789$@€]/g;

/** TR39 prototype of each confusable code point (`а` → `a`, `ℓ` → `l`, `m` → `rn`), by code point. */
const PROTOTYPES: ReadonlyMap<number, string> = (() => {
	const map = new Map<number, string>();
	// Every key of the data is one code point.
	for (const [from, to] of Object.entries(confusables as Record<string, string>)) {
		map.set(from.codePointAt(0) as number, to);
	}
	return map;
})();

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

/** Whether every UTF-16 unit of `text` is ASCII (ASCII text is left unchanged by NFKC and NFD). */
function isAscii(text: string): boolean {
	for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
	return true;
}

/**
 * The skeleton of a text form: leetspeak folded, accents and other combining marks dropped, each
 * confusable code point replaced by its TR39 prototype, lower-cased.
 * @example skeleton(foldText("C4S1NØ")) // "casino"
 */
export function skeleton(text: string): string {
	if (!isAscii(text)) return skeletonGeneral(text);
	// ASCII has no combining marks, and each character's skeleton is independent of its neighbours.
	let out = "";
	let copied = 0;
	for (let i = 0; i < text.length; i++) {
		const replacement = ASCII_SKELETON[text.charCodeAt(i)];
		if (replacement !== undefined) {
			out += text.slice(copied, i) + replacement;
			copied = i + 1;
		}
	}
	return copied === 0 ? text : out + text.slice(copied);
}

/** {@link skeleton} of any text (the ASCII fast path gives the same for ASCII). */
function skeletonGeneral(text: string): string {
	const unleet = text.replace(LEET_CHARACTERS, (c) => LEET[c] ?? c);
	const bare = unleet.normalize("NFD").replace(COMBINING_MARKS, "");
	// Each code point replaced by its prototype; the runs between them copied as they are.
	let out = "";
	let copied = 0;
	for (let i = 0; i < bare.length; ) {
		const codePoint = bare.codePointAt(i) as number;
		const size = codePoint > 0xffff ? 2 : 1;
		const prototype = PROTOTYPES.get(codePoint);
		if (prototype !== undefined) {
			out += bare.slice(copied, i) + prototype;
			copied = i + size;
		}
		i += size;
	}
	const mapped = copied === 0 ? bare : out + bare.slice(copied);
	return mapped.toLowerCase().normalize("NFC");
}

/** The skeleton of each ASCII character that has a different one (`I` → `l`, `m` → `rn`, `4` → `a`). */
const ASCII_SKELETON: readonly (string | undefined)[] = Array.from({ length: 0x80 }, (_, code) => {
	const c = String.fromCharCode(code);
	const folded = skeletonGeneral(c);
	return folded === c ? undefined : folded;
});

/** The skeleton of a raw name: what plain, exact, word, prefix, suffix and glob entries compare. */
export function nameSkeleton(name: string): string {
	return isOwnSkeleton(name) ? name : skeleton(foldText(name));
}

/**
 * ASCII characters that are their own text form and skeleton wherever they stand: lower-case letters
 * but `m` (→ `rn`), the digits TR39 and leetspeak leave alone (2, 6) and some punctuation. Space is one
 * too, except at either end or after another space.
 */
const SELF_SKELETON: Uint8Array = (() => {
	const table = new Uint8Array(0x80);
	for (let code = 0x21; code < 0x7f; code++) {
		const c = String.fromCharCode(code);
		if (foldTextGeneral(c) === c && skeletonGeneral(c) === c) table[code] = 1;
	}
	return table;
})();

/** Whether a name is already its own skeleton, in one pass (most banned values are). */
function isOwnSkeleton(name: string): boolean {
	const last = name.length - 1;
	for (let i = 0; i <= last; i++) {
		const c = name.charCodeAt(i);
		if (c === 0x20) {
			if (i === 0 || i === last || name.charCodeAt(i - 1) === 0x20) return false;
		} else if (c > 0x7f || SELF_SKELETON[c] !== 1) {
			return false;
		}
	}
	return true;
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
