// Folding that depends on a character's script and neighbours (folding.ts calls it per character):
// - faux Cyrillic and Greek: letters drawn for the Latin letter they resemble (Д for A, Я for R, И for N,
//   т for t, Λ for A, Σ for E, ω for w), and the Canadian syllabics of fancy-text alphabets (ᗩ for A, ᑕ for
//   C), which Unicode does not count as confusable. They are read as Latin only inside a word that mixes
//   scripts (`fцck`, `ᖴᑌᑕK`), or in a reading of their own where a whole word must spell the banned value
//   (`ДЦМБ`, `ѕнιт`), so that real Russian, Ukrainian, Bulgarian and Greek words stay themselves; the
//   letters of other scripts the `confusables` data reads as Latin follow the same rule, and Han, kana and
//   Thai look-alikes (`丂卄工丅`) are read so only in a run of their own (folding.ts, lookAlikeRun);
// - Latin letters TR39 leaves out: stroke and bar letters, hooked, tailed and turned ones, each its letter;
// - Japanese kana: hiragana as katakana, half-width as full-width, small kana as full-size, voicing marks
//   joined to their kana, the prolonged sound mark as its kana held longer;
// - Korean Hangul: compatibility and conjoining jamo composed into syllables (Unicode's Hangul syllable
//   arithmetic, chapter 3.12).

/**
 * Stroke and bar letters that TR39 leaves out or reads otherwise (`ʉ`, `ⱥ`, `ꝁ`; the capital `Ɨ` as l):
 * each is its letter.
 */
export const STROKE_LETTERS: Readonly<Record<string, string>> = {
	a: "ⱥȺ",
	c: "ꞓꞒ",
	i: "Ɨᵻ",
	k: "ꝁꝀꝃꝅ",
	p: "ꝑꝐ",
	q: "ꝗꝙ",
	u: "ʉɄᵾ",
};

/**
 * Latin letters with a hook, tail, curl or belt, and turned or reversed ones, that fancy-text alphabets
 * draw for the plain letter and TR39 leaves out (`ɛ`, `ƙ`, `ɱ`, `ŋ`, `ʑ`, `ɐ`): each is its letter, like
 * an accented one (`é` is e). Read from the `confusables` data (see {@link CONFUSABLES_LETTERS}), without
 * the letters of living alphabets that stand for another sound (`ð`, `þ`, `ẞ`).
 */
export const HOOK_LETTERS: Readonly<Record<string, string>> = {
	a: "ʌƛᶏɒɐᶐ",
	b: "Ɓɮᴃƅᶀ",
	c: "ↃƇƆʗƈↄ",
	d: "Ɗↁᴆᵭᶁᶑ",
	e: "ƎƐᶒɘǝɛ",
	f: "Ⅎʃʄᶂ",
	g: "Ɠʛ",
	h: "Ƕⱨɧɥ",
	i: "ᶖ",
	j: "ʝʆʖȷᶨ",
	k: "Ƙʞⱪᶄ",
	l: "ĿᶫⱠŀⱡʅ",
	m: "ʍᵯɱᶆ",
	n: "ᴎᶰŊᴻᴒɲŋŉȵᶇ",
	o: "ʘ",
	p: "ƤƿǷ",
	q: "ɋɊ",
	r: "ᴙʁᴚɾᶉ",
	s: "ȿᶊ",
	t: "Ƭȶʇʈƫ",
	u: "Ʊʊᶙ",
	w: "ⱳⱲ",
	x: "ᶍ",
	y: "Ƴʎ",
	z: "Ⱬɀⱬᶎʑ",
};

/** Flags of a folded unit (folding.ts). */
export const WORD_UNIT = 1; // a letter of a spaced script
export const LETTER_UNIT = 2; // letter or digit once folded (what separators separate)
export const UNSPACED_UNIT = 4; // from a Han, kana or other unspaced-script character
export const SYMBOL_UNIT = 8; // a letter folded from a symbol (`$`, `@`, `€`, `ⓐ`): a separator between Han

/**
 * What a faux letter stands for, written out by hand from the letters' shapes: Cyrillic and Greek ones, and
 * the Canadian syllabics and the Hebrew נ of "fancy text" alphabets (ᗩ for A, ᑕ for C, ᔕ for S, נ for j) that Unicode does not count
 * as confusable. The lower-case Cyrillic к м н т are drawn as small capitals K M H T.
 */
const FAUX_LETTERS: Readonly<Record<string, string>> = {
	a: "дДλΛδΔᗩ",
	b: "ьЬъЪбБвβ",
	c: "ᑕ",
	e: "ёЁєЄэЭξΞεΣзЗ",
	f: "ғҒ",
	h: "ћЋђЂнН",
	i: "їЇ",
	j: "ᒍנ",
	k: "кК",
	m: "мМ",
	n: "иИйЙлЛпПηπΠ",
	o: "өӨфФѳѲσθΘφΦ",
	q: "ᑫ",
	r: "яЯгГ",
	s: "ᔕ",
	t: "τтТ",
	u: "цЦџЏμ",
	w: "шШщЩωψΨ",
	x: "жЖχ",
	y: "чЧγ",
	z: "ᘔ",
};

/**
 * More faux letters, of the Cyrillic, Greek, Armenian, Georgian, Ethiopic, Cherokee, Canadian syllabic, Lisu,
 * Yi, Vai, Runic, Hebrew, Arabic, Indic and Tai scripts: those the `confusables` data reads as a Latin letter (github.com/gc/confusables, MIT, Copyright
 * (c) 2019 https://github.com/gc/; the look-alike table obscenity uses), where Unicode's TR39 does not.
 * Read as Latin under the same rule as {@link FAUX_LETTERS}.
 */
const CONFUSABLES_LETTERS: Readonly<Record<string, string>> = {
	a: "Ꭿꭺልᕱձმ",
	b: "ᏼᗿᗾᗽცჩՅᙖጌᗹᗸᙞᙟᙝᙗᙘᒈᖚᕹᕺᑿᒀᒂᒁᑾᔎദᛒ",
	c: "ϾՇᙅҀᑖᑡᑢᑣᑤᑥᔍҁርᑦᒼटᥴ",
	d: "ꭰԺᗫᗬᗟᗠԃᑺᑻᑼᑽᒄᑰᑱժ",
	e: "ꭼᕮԐԑꂅϵᧉᥱ",
	f: "Բϝቻբꊰ",
	g: "ᏻꮐᘜԍﻭﻮᧁ",
	h: "ꮋዞԋңҤӈҥከኩኪካիᑋᗁᚺ",
	i: "Ꮖᑊꀤﺃٲٵᥣ",
	j: "յጋՂႱᒘᒙᒚᒛᒴᒵᒎᒏلﻝڶ",
	k: "ҠқҟӄҡጕҜҝϗӃ",
	l: "ꮮւՆԼረլᒻᒶᒷᒺᒹᒸᒫ𐑃ⳑꓶᥧᥨﺄ",
	m: "ᘻოᙏӎᙢϻጠന",
	n: "ҋክᴨҊղՌԉդቡቢባቤብቦהϖᥢחᥒᥥ",
	o: "ѺԾϙᐤՓѻծꄲᥲఠᦞ",
	p: "ꮲҎրየᴩᑸᑶᑷᑹᑬᑮҏק",
	r: "ꭱꮢዪՐґરᚱᥬ",
	s: "ֆᔖᔢᔡᔣᔤꇙടకގ",
	t: "ꭲҭԵፕᐪጥէեϮ",
	u: "ᑗᑘմՄᙀᑧᘮሁપᥩᥙµᥔ",
	v: "ᐺᐻᘁע",
	w: "ᙎሠᘺѿᙡᥕచധ",
	x: "ӾჯӼҳሸӽאꊼ",
	y: "ՎሃץϤ",
	z: "ጊᙆ",
};

/**
 * Han, kana and Thai letters drawn for Latin ones: the "Asian style" fancy-text alphabet (卂乃匚刀乇下ム卄工丁长
 * 乚从𠘨口尸㔿尺丂丅凵リ山乂丫乙, a to z) and the others the `confusables` data reads as a letter. Read as Latin
 * only in a run of such characters alone (`丂卄工丅`, `fuc长`, `bl山job`), never among other Han characters.
 */
const UNSPACED_LETTERS: Readonly<Record<string, string>> = {
	a: "卂ค",
	b: "乃",
	c: "匚ㄈ",
	d: "刀",
	e: "乇モ",
	f: "下",
	g: "ム",
	h: "卄ん",
	i: "工ェエ",
	j: "丁ﾌวๅ丿",
	k: "长",
	l: "乚ㄥﾚ",
	m: "从州",
	n: "𠘨几ทຖภก",
	o: "口ㇿロဝ",
	p: "尸ｱ",
	q: "㔿",
	r: "尺",
	s: "丂",
	t: "丅イｲㄒナ",
	u: "凵นย",
	v: "リง",
	w: "山ຟฬฝ",
	x: "乂ㄨﾒ",
	y: "丫ㄚ",
	z: "乙",
};

const state: { faux?: ReadonlyMap<number, number> } = {};

function fauxTable(): ReadonlyMap<number, number> {
	if (state.faux === undefined) {
		const map = new Map<number, number>();
		for (const table of [CONFUSABLES_LETTERS, UNSPACED_LETTERS, FAUX_LETTERS]) {
			for (const [latin, letters] of Object.entries(table)) {
				for (const c of letters) map.set(c.codePointAt(0) as number, latin.charCodeAt(0));
			}
		}
		state.faux = map;
	}
	return state.faux;
}

/** The Latin letter (its code) a faux letter (Cyrillic, Greek or syllabic) stands for, or 0. */
export function fauxLatin(codePoint: number): number {
	return fauxTable().get(codePoint) ?? 0;
}

const LATIN_LETTER = /\p{sc=Latin}/u;
const CYRILLIC_OR_GREEK = /[\p{sc=Cyrillic}\p{sc=Greek}]/u;
const WORD_PART = /[\p{L}\p{M}]/u;

/** A word of a name (letters and marks), and what its letters are. */
export interface WordScripts {
	/** UTF-16 offsets of the word in the name, end exclusive. */
	start: number;
	end: number;
	/** It has a Latin letter (ASCII or not). */
	latin: boolean;
	/** It has a Cyrillic or Greek letter. */
	cyrillicOrGreek: boolean;
	/** It has a faux letter ({@link fauxLatin}). */
	faux: boolean;
}

/** Whether a code point is part of a word: a letter or mark (Greek and Cyrillic by range, the rest by property). */
function isWordPart(cp: number): boolean {
	if (cp < 0x80) return (cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a;
	if (cp >= 0x386 && cp <= 0x52f) return cp !== 0x387; // Greek and Cyrillic letters (· is punctuation)
	return WORD_PART.test(String.fromCodePoint(cp));
}

/** 1 for a Latin letter, 2 for a Cyrillic or Greek one, else 0 (the common blocks by range). */
function scriptOf(cp: number): number {
	if (cp < 0x250) return 1; // ASCII, Latin-1, Latin Extended-A and -B
	if (cp >= 0x370 && cp <= 0x52f) return 2;
	const c = String.fromCodePoint(cp);
	return LATIN_LETTER.test(c) ? 1 : CYRILLIC_OR_GREEK.test(c) ? 2 : 0;
}

/** UTF-16 units of the character that ends at `index` of `text` (2 for a surrogate pair), index > 0. */
export function sizeBefore(text: string, index: number): number {
	return index >= 2 && (text.charCodeAt(index - 1) & 0xfc00) === 0xdc00 ? 2 : 1;
}

/** The word of `name` around the character at `index` (a letter), found by scanning to its edges. */
export function wordAt(name: string, index: number): WordScripts {
	const partAt = (i: number) => isWordPart(name.codePointAt(i) as number);
	let start = index;
	while (start > 0) {
		const back = sizeBefore(name, start);
		if (!partAt(start - back)) break;
		start -= back;
	}
	const word: WordScripts = { start, end: start, latin: false, cyrillicOrGreek: false, faux: false };
	let i = start;
	while (i < name.length && partAt(i)) {
		const cp = name.codePointAt(i) as number;
		const script = scriptOf(cp);
		if (script === 1) word.latin = true;
		else if (script === 2) word.cyrillicOrGreek = true;
		if (fauxLatin(cp) !== 0) word.faux = true;
		i += cp > 0xffff ? 2 : 1;
	}
	word.end = i;
	return word;
}

/** Small kana → full-size (katakana; hiragana are made katakana first). */
const SMALL_KANA: Readonly<Record<string, string>> = {
	ァ: "ア",
	ィ: "イ",
	ゥ: "ウ",
	ェ: "エ",
	ォ: "オ",
	ッ: "ツ",
	ャ: "ヤ",
	ュ: "ユ",
	ョ: "ヨ",
	ヮ: "ワ",
	ヵ: "カ",
	ヶ: "ケ",
	ㇰ: "ク",
	ㇱ: "シ",
	ㇲ: "ス",
	ㇳ: "ト",
	ㇴ: "ヌ",
	ㇵ: "ハ",
	ㇶ: "ヒ",
	ㇷ: "フ",
	ㇸ: "ヘ",
	ㇹ: "ホ",
	ㇺ: "ム",
	ㇻ: "ラ",
	ㇼ: "リ",
	ㇽ: "ル",
	ㇾ: "レ",
	ㇿ: "ロ",
};

/**
 * The fold of a kana: NFKC (half-width → full-width), hiragana → katakana (the blocks lie 0x60 apart),
 * small → full-size. Voiced kana stay voiced (`が` → `ガ`).
 * @example foldKana("ｺ") // "コ"; foldKana("ぁ") // "ア"
 */
export function foldKana(c: string): string {
	let out = "";
	for (const part of c.normalize("NFKC")) {
		const code = part.codePointAt(0) as number;
		const katakana = code >= 0x3041 && code <= 0x3096 ? String.fromCharCode(code + 0x60) : part;
		out += SMALL_KANA[katakana] ?? katakana;
	}
	return out;
}

/** Whether a folded unit is a katakana that a voicing mark or the prolonged sound mark may follow. */
export function isKanaUnit(code: number): boolean {
	return code >= 0x30a1 && code <= 0x30fa;
}

/** 1 for a voicing mark (゙ ゛ ﾞ), 2 for a semi-voicing mark (゚ ゜ ﾟ), else 0. */
export function voicingMark(codePoint: number): number {
	if (codePoint === 0x3099 || codePoint === 0x309b || codePoint === 0xff9e) return 1;
	if (codePoint === 0x309a || codePoint === 0x309c || codePoint === 0xff9f) return 2;
	return 0;
}

/** The kana `code` with the voicing `mark` (1 or 2) joined (`カ` + ゛ → `ガ`), or 0 when it takes none. */
export function voiced(code: number, mark: number): number {
	const joined = (String.fromCharCode(code) + (mark === 1 ? "\u3099" : "\u309a")).normalize("NFC");
	return joined.length === 1 ? joined.charCodeAt(0) : 0;
}

/** The prolonged sound mark, full- or half-width (`コーラ`, `ｺｰﾗ`). */
export function isProlongedMark(codePoint: number): boolean {
	return codePoint === 0x30fc || codePoint === 0xff70;
}

const SYLLABLE_FIRST = 0xac00;
const SYLLABLE_COUNT = 11172;
const INITIAL_FIRST = 0x1100;
const VOWEL_FIRST = 0x1161;
const FINAL_FIRST = 0x11a7; // final index 0 is "no final"
const VOWELS = 21;
const FINALS = 28;

/** The final-consonant index of each initial consonant (ᄀ → ᆨ), 0 for the three that end no syllable. */
const FINAL_OF_INITIAL = [1, 2, 4, 7, 0, 8, 16, 17, 0, 19, 20, 21, 22, 0, 23, 24, 25, 26, 27];
/** The initial-consonant index of each final index (the reverse, for the single consonants). */
const INITIAL_OF_FINAL = new Map(FINAL_OF_INITIAL.map((final, initial) => [final, initial]));

/** What {@link joinJamo} did with a jamo. */
export const JAMO_ALONE = 0;
/** The jamo joined the unit before it, which is now `joined.previous`. */
export const JAMO_JOINED = 1;
/** The unit before gave up its final (now `joined.previous`), which begins a new syllable `joined.next`. */
export const JAMO_SPLIT = 2;
/** The codes {@link joinJamo} made (a module's state is one object). */
export const joined = { previous: 0, next: 0 };

/**
 * Joins the conjoining jamo `code` to the Hangul unit before it, `previous`: an initial and a vowel make a
 * syllable; a final, or an initial that can end one, closes an open syllable; a vowel after a closed
 * syllable takes its final as its initial (`각` + `ㅏ` → `가가`). The new codes are left in {@link joined}.
 */
export function joinJamo(previous: number, code: number): number {
	const vowel = code - VOWEL_FIRST;
	const isVowel = vowel >= 0 && vowel < VOWELS;
	const initial = previous - INITIAL_FIRST;
	if (isVowel && initial >= 0 && initial < 19) {
		joined.previous = SYLLABLE_FIRST + (initial * VOWELS + vowel) * FINALS;
		return JAMO_JOINED;
	}
	const syllable = previous - SYLLABLE_FIRST;
	if (syllable < 0 || syllable >= SYLLABLE_COUNT) return JAMO_ALONE;
	const final = syllable % FINALS;
	if (isVowel) {
		const next = INITIAL_OF_FINAL.get(final);
		if (final === 0 || next === undefined) return JAMO_ALONE;
		joined.previous = previous - final;
		joined.next = SYLLABLE_FIRST + (next * VOWELS + vowel) * FINALS;
		return JAMO_SPLIT;
	}
	if (final !== 0) return JAMO_ALONE;
	const asFinal = code - FINAL_FIRST;
	if (asFinal > 0 && asFinal < FINALS) {
		joined.previous = previous + asFinal;
		return JAMO_JOINED;
	}
	const closing =
		code - INITIAL_FIRST >= 0 && code - INITIAL_FIRST < 19 ? FINAL_OF_INITIAL[code - INITIAL_FIRST] : 0;
	if (closing === undefined || closing === 0) return JAMO_ALONE;
	joined.previous = previous + closing;
	return JAMO_JOINED;
}

/** Whether a folded unit is a Hangul syllable (what a jamo joined to the unit before it makes). */
export const isHangulSyllable = (code: number) =>
	code >= SYLLABLE_FIRST && code < SYLLABLE_FIRST + SYLLABLE_COUNT;

/** Whether a folded unit is a conjoining jamo (what every other jamo folds to), which may join the unit before. */
export const isConjoiningJamo = (code: number) => code >= 0x1100 && code <= 0x11ff;

/** Whether a folded unit is a Hangul syllable or conjoining jamo. */
export function isHangulUnit(code: number): boolean {
	return isHangulSyllable(code) || isConjoiningJamo(code);
}

/** The folded units as folding.ts keeps them (the fields {@link joinsPrevious} reads and writes). */
interface FoldedUnits {
	count: number;
	codes: Uint16Array;
	from: Int32Array;
	to: Int32Array;
	flags: Uint8Array;
}

/** Most separator units between a unit and the mark or jamo that still joins it (`キ...ー`, `ㄷ - ㅗ`). */
const MAX_SEPARATORS_JOINED = 4;

/** Whether a character of a name is a Hangul jamo (compatibility, half-width, conjoining or extended). */
function isJamo(code: number): boolean {
	return (
		isConjoiningJamo(code) ||
		(code >= 0x3131 && code <= 0x318e) ||
		(code >= 0xffa0 && code <= 0xffdc) ||
		(code >= 0xa960 && code <= 0xa97f) ||
		(code >= 0xd7b0 && code <= 0xd7ff)
	);
}

/** Whether a conjoining jamo is a vowel (medial). */
const isVowelJamo = (code: number) => code >= 0x1160 && code <= 0x11a7;

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Whether the next letter of `name` from `at` (past a few separators) is a vowel jamo (`ㅏ`, `ﾟ`…). */
function vowelFollows(name: string, at: number): boolean {
	for (let i = at; i < name.length && i < at + 2 * MAX_SEPARATORS_JOINED; i++) {
		const code = name.charCodeAt(i);
		if (
			(code >= 0x314f && code <= 0x3163) ||
			(code >= 0x3187 && code <= 0x318e) ||
			(code >= 0xffc2 && code <= 0xffdc) ||
			isVowelJamo(code)
		)
			return true;
		if (LETTER_OR_DIGIT.test(name.charAt(i))) return false;
	}
	return false;
}

/** The unit before a run of at most {@link MAX_SEPARATORS_JOINED} separator units ending at n - 1, or -1. */
function unitBeforeSeparators(units: FoldedUnits, n: number): number {
	// A symbol read as a letter in Latin words (`ソ$ー`) is a separator here too.
	const separator = (k: number) => ((units.flags[k] as number) & (LETTER_UNIT | SYMBOL_UNIT)) !== LETTER_UNIT;
	let k = n - 1;
	while (k > 0 && k >= n - MAX_SEPARATORS_JOINED && separator(k)) k--;
	return separator(k) ? -1 : k;
}

/**
 * Joins the character at code point `codePoint` (folded to `text`, ending at `end` in `name`) to unit
 * n - 1 of `units` (folding.ts) when it belongs to it: a voicing mark to its kana, the prolonged sound mark
 * (or a dash TR39 reads as one, `―`) as its kana again, a Hangul jamo to the syllable it completes. The
 * mark, or a jamo after a unit that ends in a jamo, joins across a few separators too (`キ...ー`,
 * `ㄷ.ㅗ`, `마ㅇ ㅑㄱ`): no one writes them apart but to hide a word. Leaves the new unit count in
 * `units.count`.
 */
export function joinsPrevious(
	units: FoldedUnits,
	codePoint: number,
	text: string,
	n: number,
	end: number,
	name: string,
): boolean {
	const { codes, from, to, flags } = units;
	const previous = codes[n - 1] as number;
	units.count = n;
	if (isProlongedMark(codePoint) || text === "\u30fc") {
		// The kana it holds longer: the unit before, or the last kana before a few separators (`キ.ー`).
		const k = unitBeforeSeparators(units, n);
		if (k < 0) return false;
		if (!isKanaUnit(codes[k] as number)) return false;
		codes[n] = codes[k] as number;
		from[n] = end - 1;
		to[n] = end;
		flags[n] = flags[k] as number;
		units.count = n + 1;
		return true;
	}
	if (isKanaUnit(previous)) {
		const mark = voicingMark(codePoint);
		const code = mark === 0 ? 0 : voiced(previous, mark);
		if (code === 0) return false;
		codes[n - 1] = code;
		to[n - 1] = end;
		return true;
	}
	const code = text.length === 1 ? text.charCodeAt(0) : 0;
	if (!isConjoiningJamo(code)) return false;
	// The unit it joins: the one before, or across separators one that ends in a jamo (`ㄷ.ㅗ`, not `도 ㅋ`).
	let k = n - 1;
	if (!isHangulUnit(previous)) {
		k = unitBeforeSeparators(units, n);
		if (k < 0 || !isHangulUnit(codes[k] as number) || !isJamo(name.charCodeAt((to[k] as number) - 1)))
			return false;
		// A consonant that a vowel follows begins the next syllable (`ㄹㅗ.ㅍㅗㄴ`): it closes none.
		if (!isVowelJamo(code) && vowelFollows(name, end)) return false;
	}
	const how = joinJamo(codes[k] as number, code);
	if (how === JAMO_ALONE) return false;
	codes[k] = joined.previous;
	to[k] = end;
	units.count = k + 1;
	if (how === JAMO_SPLIT) {
		codes[k + 1] = joined.next;
		from[k + 1] = end - 1;
		to[k + 1] = end;
		flags[k + 1] = flags[k] as number;
		units.count = k + 2;
	}
	return true;
}
