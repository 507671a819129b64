// The quality benchmark's cases for scripts beyond Latin and Han: faux Cyrillic and Greek (letters of those
// scripts drawn for Latin ones in memes), the remaining stroke and bar letters, `!` `|` anywhere, Japanese
// kana, Korean Hangul and Chinese pinyin, and the innocent sets of real Russian, Ukrainian, Greek, French and
// Spanish words (npm word lists) and of Japanese and Korean topic names. Every table here is written out by
// hand from the characters' Unicode names and charts (kana widths and Hangul jamo from the Unicode
// standard's own decompositions), not taken from any engine's tables.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { random } from "../../tools/lib/policy-fixture.mjs";

const require = createRequire(import.meta.url);

/** One of the items of `list` (a string or an array), chosen with `next`. */
export function pick(list, next) {
	const items = [...list];
	return items[Math.floor(next() * items.length)];
}

/** Replaces each character for which `choose` gives a replacement with probability `p`, at least one when any can be. */
export function replaceSome(word, next, p, choose) {
	const chars = [...word];
	const candidates = chars.map((c, i) => (choose(c) === undefined ? -1 : i)).filter((i) => i >= 0);
	if (candidates.length === 0) return null;
	const picked = new Set(candidates.filter(() => next() < p));
	if (picked.size === 0) picked.add(candidates[Math.floor(next() * candidates.length)]);
	return chars.map((c, i) => (picked.has(i) ? pick(choose(c), next) : c)).join("");
}

/**
 * Faux Cyrillic: Cyrillic letters that are not look-alikes in Unicode's sense, drawn for the Latin letter
 * they resemble (Д for A, Я for R, И for N, Ш for W).
 */
const FAUX_CYRILLIC = {
	a: "дД",
	b: "ьъбвЬЪБ",
	e: "ёєэзЁЄЭЗ",
	h: "ћђнЋ",
	i: "їЇ",
	k: "к",
	m: "м",
	n: "ийлпИЙЛП",
	o: "өфѳӨФ",
	r: "яЯг",
	t: "т",
	u: "цџЦ",
	w: "шщШЩ",
	x: "жЖ",
	y: "чЧ",
};
/** Faux Greek: Λ for A, Σ for E, η for n, σ for o, ω for w … */
const FAUX_GREEK = {
	a: "λΛΔ",
	b: "β",
	e: "ξΣεΞ",
	n: "ηπΠ",
	o: "σθΘφΦ",
	t: "τ",
	u: "μ",
	w: "ωψ",
	x: "χ",
	y: "γ",
};
/** Stroke and bar letters, all of them (the older class has nine). */
const STROKE_BAR = {
	a: "ⱥȺ",
	b: "ƀɃ",
	c: "ȼȻ",
	d: "đĐ",
	e: "ɇɆ",
	g: "ǥǤ",
	h: "ħĦ",
	i: "ɨƗ",
	j: "ɉ",
	k: "ꝁ",
	l: "łŁƚ",
	o: "øØ",
	p: "ᵽ",
	r: "ɍɌ",
	t: "ŧŦ",
	u: "ʉɄ",
	y: "ɏɎ",
	z: "ƶƵ",
};

/**
 * Whole alphabets of "fancy text" generators, a to z, each letter as the generator draws it: Canadian
 * syllabics (ᗩᗷᑕᗪ, Latin where it has none), the "cute" mix of Greek and Cyrillic (αв¢∂є), and faux
 * Cyrillic capitals (ДБ…Я).
 */
const FANCY_ALPHABETS = [
	"ᗩᗷᑕᗪEᖴGᕼIᒍKᒪᗰᑎOᑭᑫᖇᔕTᑌᐯᗯ᙭Yᘔ",
	"αв¢∂єƒgнιנкℓмησρqяѕтυνωχуz",
	"ДБCDЁFGНЇJКLМИФРQЯЅТЦVШЖЧZ",
];

/** English evasion classes added by this module (appended to cases.mjs's list). */
export const SCRIPT_EVASION_CLASSES = [
	{
		id: "faux-cyrillic",
		label: "faux Cyrillic (д for a, я for r, и for n, т for t)",
		make: (w, next) => replaceSome(w, next, 0.5, (c) => FAUX_CYRILLIC[c]),
	},
	{
		id: "faux-greek",
		label: "faux Greek (λ for a, η for n, σ for o, ω for w)",
		make: (w, next) => replaceSome(w, next, 0.5, (c) => FAUX_GREEK[c]),
	},
	{
		id: "fancy-alphabets",
		label: "fancy-text alphabets, the whole word (ᖴᑌᑕK, ѕнιт, ДБЦЅЁ)",
		make: (w, next) => {
			const alphabet = [...pick(FANCY_ALPHABETS, next)];
			const out = [...w].map((c) => (c >= "a" && c <= "z" ? alphabet[c.charCodeAt(0) - 97] : c)).join("");
			// An alphabet that keeps every letter of the word Latin (`KIKE` in syllabics) makes no evasion.
			return out.toLowerCase() === w ? null : out;
		},
	},
	{
		id: "stroke-bar",
		label: "every stroke and bar letter (ʉ ƀ ȼ ɇ ɍ ɏ ⱥ ł ħ ŧ …)",
		make: (w, next) => replaceSome(w, next, 0.6, (c) => STROKE_BAR[c]),
	},
	{
		id: "bang-bar-anywhere",
		label: "`!` `|` as i or l anywhere, doubled, at either end",
		make: (w, next) => replaceSome(w, next, 0.8, (c) => (c === "i" ? "!|" : c === "l" ? "|!" : undefined)),
	},
];

/** The pinyin of each Chinese banned word of cases.mjs, syllable by syllable, without tones. */
export const CHINESE_PINYIN = {
	赌博: ["du", "bo"],
	色情: ["se", "qing"],
	毒品: ["du", "pin"],
	博彩: ["bo", "cai"],
	裸聊: ["luo", "liao"],
	嫖娼: ["piao", "chang"],
	卖淫: ["mai", "yin"],
	冰毒: ["bing", "du"],
	海洛因: ["hai", "luo", "yin"],
	大麻: ["da", "ma"],
	代孕: ["dai", "yun"],
	枪支: ["qiang", "zhi"],
	诈骗: ["zha", "pian"],
	传销: ["chuan", "xiao"],
	洗钱: ["xi", "qian"],
	假币: ["jia", "bi"],
	六合彩: ["liu", "he", "cai"],
	迷药: ["mi", "yao"],
	黄色网站: ["huang", "se", "wang", "zhan"],
	摇头丸: ["yao", "tou", "wan"],
};

const PINYIN_SEPARATORS = ["", " ", "-", ".", "_"];
const capitalized = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** Mixed and separated Han separators (`赌 . 博`, `賭_博`). */
const MIXED_HAN_SEPARATORS = [
	" ",
	".",
	"*",
	"_",
	"-",
	"/",
	"·",
	"\u3000",
	"．",
	"＊",
	"、",
	" . ",
	"--",
	"~",
];

/** `!` `|` (half- and full-width), symbols, emoji and dashes, put between characters, kana or syllables. */
const SYMBOL_SEPARATORS = [
	"!",
	"！",
	"|",
	"｜",
	"♪",
	"★",
	"♥",
	"…",
	"？",
	"～",
	"\u2014", // EM DASH
	"\u2015", // HORIZONTAL BAR
	"😂",
	"🎲",
	"💰",
	"🔥",
	"✨",
	"🌸",
];

/**
 * Between characters, kana or syllables also symbols read as letters in Latin words: `$` `@` `€` (leetspeak),
 * a flag (two regional indicators), U+2500 BOX DRAWINGS LIGHT HORIZONTAL (drawn as the prolonged sound mark).
 */
const CJK_SYMBOL_SEPARATORS = [...SYMBOL_SEPARATORS, "$", "@", "€", "🇨🇳", "─"];

/**
 * Other forms of characters of the banned words, from the Unicode charts: Kangxi Radicals (U+2F24 BIG, U+2F40
 * BRANCH, U+2F79 NET, U+2F8A COLOR, U+2FC7 HEMP, U+2FC8 YELLOW), CJK Radicals Supplement (U+2EE9 SIMPLIFIED
 * YELLOW), and the Japanese shinjitai of 卖 钱 药 传 摇 (売 銭 薬 伝 揺, the forms Japanese writes).
 */
const RADICALS_AND_SHINJITAI = {
	大: "⼤",
	支: "⽀",
	网: "⽹",
	色: "⾊",
	麻: "⿇",
	黄: "⿈⻩",
	卖: "売",
	钱: "銭",
	药: "薬",
	传: "伝",
	摇: "揺",
};

/** The vowels with each tone mark (first to fourth tone), from the Latin-1 and Latin Extended charts. */
const TONE_MARKS = { a: "āáǎà", e: "ēéěè", i: "īíǐì", o: "ōóǒò", u: "ūúǔù" };

/** A syllable with a tone mark where pinyin puts it: on a or e, on the o of ou, else on the last vowel. */
function toneMarked(syllable, next) {
	const vowel = /[ae]/.exec(syllable) ?? /o(?=u)/.exec(syllable) ?? /[aeiou](?=[^aeiou]*$)/.exec(syllable);
	if (vowel === null) return syllable;
	const marked = pick(TONE_MARKS[vowel[0]], next);
	return syllable.slice(0, vowel.index) + marked + syllable.slice(vowel.index + 1);
}

/** Separators between pinyin syllables beyond the common ones (`du*bo`, `du·bo`, `du，bo`). */
const MORE_PINYIN_SEPARATORS = ["*", "/", "·", "・", "~", "+", "，", "、"];

/** More Chinese classes (appended to cases.mjs's): each makes a variant of (simplified, traditional). */
export const MORE_CHINESE_CLASSES = [
	{
		id: "han-separators-mixed",
		label: "Chinese: a different separator in each gap, Traditional characters mixed in",
		make: (s, t, next) => {
			const simplified = [...s];
			const traditional = t === null ? simplified : [...t];
			let out = "";
			simplified.forEach((c, i) => {
				if (i > 0) out += pick(MIXED_HAN_SEPARATORS, next);
				out += next() < 0.5 ? traditional[i] : c;
			});
			return out;
		},
	},
	{
		id: "pinyin-whole",
		label: "Chinese in pinyin (dubo, du bo, Du-Bo, d u b o); the entries say `pinyin: true`",
		make: (s, _t, next) => {
			const syllables = CHINESE_PINYIN[s];
			if (next() < 0.2) return [...syllables.join("")].join(" ");
			const upper = next() < 0.3;
			return syllables.map((p) => (upper ? capitalized(p) : p)).join(pick(PINYIN_SEPARATORS, next));
		},
	},
	{
		id: "pinyin-mixed",
		label: "Chinese mixed with pinyin (赌bo, du博, 黄se网站)",
		make: (s, _t, next) => {
			const chars = [...s];
			const syllables = CHINESE_PINYIN[s];
			// At least one character and one syllable.
			const asPinyin = chars.map(() => next() < 0.5);
			const k = Math.floor(next() * chars.length);
			if (asPinyin.every((x) => x)) asPinyin[k] = false;
			if (asPinyin.every((x) => !x)) asPinyin[k] = true;
			const separator = next() < 0.7 ? "" : " ";
			return chars.map((c, i) => (asPinyin[i] ? syllables[i] : c)).join(separator);
		},
	},
	{
		id: "han-separators-symbols",
		label: "Chinese: `!` `|`, symbols, emoji and dashes between characters (赌！博, 赌🎲博, 賭—博)",
		make: (s, t, next) => {
			const simplified = [...s];
			const traditional = t === null ? simplified : [...t];
			return simplified
				.map((c, i) => (i > 0 ? pick(CJK_SYMBOL_SEPARATORS, next) : "") + (next() < 0.5 ? traditional[i] : c))
				.join("");
		},
	},
	{
		id: "han-radicals-shinjitai",
		label:
			"Chinese: Kangxi and supplementary radicals, Japanese shinjitai for characters (⿈色网站, ⻩色网站, 売淫)",
		make: (s, _t, next) => replaceSome(s, next, 0.6, (c) => RADICALS_AND_SHINJITAI[c]),
	},
	{
		id: "pinyin-tones",
		label: "Chinese in pinyin with tone marks or tone numbers (dǔ bó, du4bo2, Du3-Bo2)",
		make: (s, _t, next) => {
			const marks = next() < 0.5;
			const syllables = CHINESE_PINYIN[s].map((p) => (marks ? toneMarked(p, next) : p + pick("12345", next)));
			const upper = next() < 0.3;
			return syllables.map((p) => (upper ? capitalized(p) : p)).join(pick(["", " ", "-"], next));
		},
	},
	{
		id: "pinyin-separators",
		label:
			"Chinese in pinyin with other separators, or mixed with characters across any (du*bo, du·bo, 赌，bo)",
		make: (s, _t, next) => {
			const syllables = CHINESE_PINYIN[s];
			// One separator between syllables, as a writer keeps to; any next to a character.
			const between = pick([...PINYIN_SEPARATORS, ...MORE_PINYIN_SEPARATORS], next);
			if (next() < 0.5) return syllables.join(pick(MORE_PINYIN_SEPARATORS, next));
			const chars = [...s];
			const asPinyin = chars.map(() => next() < 0.5);
			const k = Math.floor(next() * chars.length);
			if (asPinyin.every((x) => x)) asPinyin[k] = false;
			if (asPinyin.every((x) => !x)) asPinyin[k] = true;
			const any = [...MIXED_HAN_SEPARATORS, ...SYMBOL_SEPARATORS];
			return chars
				.map((c, i) => {
					const gap = i === 0 ? "" : asPinyin[i - 1] && asPinyin[i] ? between : pick(any, next);
					return gap + (asPinyin[i] ? syllables[i] : c);
				})
				.join("");
		},
	},
];

/** Japanese banned words of the benchmark's own (drugs, pornography, sex work, gambling). */
export const JAPANESE_BANNED = [
	"コカイン",
	"ヘロイン",
	"マリファナ",
	"ポルノ",
	"デリヘル",
	"ギャンブル",
	"ジャンキー",
	"アダルトビデオ",
	"ソープランド",
	"覚せい剤",
];

/** Innocent Japanese topic names, many sharing kana with a banned word. */
export const JAPANESE_INNOCENT = [
	"コカ・コーラ好き",
	"ヘルシー料理",
	"ポルトガル語教室",
	"マリオカート大会",
	"デリバリー情報",
	"ギャラリー巡り",
	"ソープ作り教室",
	"ジャングル探検",
	"ヘリコプター写真",
	"カイロ旅行",
	"アダルトチルドレン研究",
	"ヘロヘロな一日",
	"こかげで昼寝",
	"ランドセル選び",
	"ビデオ編集",
	"ロイン肉の焼き方",
	"ファナティック",
	"マリンスポーツ",
	"プランター菜園",
	"ギャンギャン泣く",
	"ジャンケン大会",
	"キーボード自作",
	"アンブレラ",
	"ひらがな練習",
	"カタカナ練習",
	"けいざいニュース",
	"せいじの話",
	"かくせいき",
	"ソープストーン",
	"ぽるとがる旅行",
	"ヘルシー♪料理",
	"コカ・コーラ🎉",
	"カイロ—旅行",
	"ジャングル！探検",
];

/** Korean banned words of the benchmark's own (gambling, drugs, sex work, pornography, hidden cameras). */
export const KOREAN_BANNED = [
	"도박",
	"마약",
	"대마초",
	"필로폰",
	"성매매",
	"야동",
	"바카라",
	"조건만남",
	"몰카",
	"불법촬영",
];

/** Innocent Korean topic names, many sharing syllables with a banned word. */
export const KOREAN_INNOCENT = [
	"도서관 모임",
	"박물관 탐방",
	"마라톤 동호회",
	"약국 정보",
	"대마도 여행",
	"성수동 맛집",
	"부동산 매매 상담",
	"야구 동호회",
	"필라테스 클래스",
	"바다 낚시",
	"카페 투어",
	"조건 없는 사랑",
	"만남의 광장",
	"몰디브 여행",
	"카메라 동호회",
	"불고기 맛집",
	"사진 촬영 팁",
	"초등학교 동창회",
	"폰케이스 디자인",
	"대학교 새내기",
	"나야 동네 친구",
	"도 대회 준비",
	"박 선생님 반",
	"성 매주 모임",
	"바 카운터 알바",
	"한글 공부",
	"김치 담그기",
	"영화 추천",
	"독서 모임",
	"주말 등산",
	"좋아요 ㅋㅋ",
	"도 ㅋㅋ 모임",
	"야 ㅎㅎ 동네",
	"도서관·박물관",
	"마라톤!약속",
];

/** The banned word's kana as hiragana, each katakana of U+30A1–U+30F6 moved down by 0x60 (the blocks' offset). */
const toHiragana = (c) => {
	const code = c.codePointAt(0);
	return code >= 0x30a1 && code <= 0x30f6 ? String.fromCodePoint(code - 0x60) : c;
};

/** Full-width katakana → half-width form(s), read from the half-width block's own compatibility mappings. */
function halfWidthTable() {
	const table = new Map();
	for (let code = 0xff66; code <= 0xff9d; code++) {
		const half = String.fromCodePoint(code);
		table.set(half.normalize("NFKC"), half);
	}
	return table;
}
const HALF_WIDTH = halfWidthTable();
const HALF_VOICED = "\uff9e";
const HALF_SEMI_VOICED = "\uff9f";

/** The half-width spelling of one katakana (`ガ` → `ｶﾞ`), or null when it has none. */
function halfWidth(c) {
	const direct = HALF_WIDTH.get(c);
	if (direct !== undefined) return direct;
	const [base, mark] = [...c.normalize("NFD")];
	const half = HALF_WIDTH.get(base);
	if (half === undefined) return null;
	if (mark === "\u3099") return half + HALF_VOICED;
	if (mark === "\u309a") return half + HALF_SEMI_VOICED;
	return null;
}

/** Small kana and their full-size letters (both directions are an evasion). */
const SMALL_KANA = {
	ア: "ァ",
	イ: "ィ",
	ウ: "ゥ",
	エ: "ェ",
	オ: "ォ",
	ツ: "ッ",
	ヤ: "ャ",
	ユ: "ュ",
	ヨ: "ョ",
	ワ: "ヮ",
	カ: "ヵ",
	ケ: "ヶ",
};
const FULL_KANA = Object.fromEntries(Object.entries(SMALL_KANA).map(([big, small]) => [small, big]));
const KANA_SEPARATORS = [" ", "・", ".", "-", "_", "\u3000", "*", "／"];
const isKana = (c) => /[\p{sc=Katakana}\p{sc=Hiragana}]/u.test(c);

/** Japanese classes: each makes a variant of one banned word. */
export const JAPANESE_CLASSES = [
	{
		id: "kana-hiragana",
		label: "Japanese: hiragana for katakana, whole or mixed (こかいん, コかイン)",
		make: (w, next) =>
			next() < 0.5
				? [...w].map(toHiragana).join("")
				: replaceSome(w, next, 0.5, (c) => (toHiragana(c) === c ? undefined : toHiragana(c))),
	},
	{
		id: "kana-half-width",
		label: "Japanese: half-width katakana (ｺｶｲﾝ, ｷﾞｬﾝﾌﾞﾙ)",
		make: (w, next) => {
			const whole = next() < 0.6;
			return [...w]
				.map((c) => ((whole || next() < 0.5) && halfWidth(c) !== null ? halfWidth(c) : c))
				.join("");
		},
	},
	{
		id: "kana-small",
		label: "Japanese: small kana for full-size ones and back (コヵイン, ジヤンキー)",
		make: (w, next) => replaceSome(w, next, 0.5, (c) => SMALL_KANA[c] ?? FULL_KANA[c]),
	},
	{
		id: "kana-prolonged",
		label: "Japanese: the prolonged sound mark added (コーカイン, ヘロイーン)",
		make: (w, next) => {
			const chars = [...w];
			// After a kana that carries a vowel of its own (not ン, ー or a small kana), neither at the end nor before a ー.
			const after = chars
				.map((c, i) => (isKana(c) && !"ンーァィゥェォッャュョヮヵヶ".includes(c) ? i + 1 : -1))
				.filter((i) => i > 0 && i < chars.length && chars[i] !== "ー");
			chars.splice(pick(after, next), 0, pick(["ー", "ー", "ｰ"], next));
			return chars.join("");
		},
	},
	{
		id: "kana-symbols",
		label:
			"Japanese: `!`, symbols, emoji and dashes between kana, a dash for the prolonged sound mark (コ♪カ🎲イン, ヘロ―イン)",
		make: (w, next) => {
			const chars = [...w];
			if (next() < 0.6)
				return chars
					.map((c, i) => (i > 0 && next() < 0.7 ? pick(CJK_SYMBOL_SEPARATORS, next) : "") + c)
					.join("");
			// A dash after a kana that carries a vowel of its own, where the prolonged sound mark would stand.
			const after = chars
				.map((c, i) => (isKana(c) && !"ンーァィゥェォッャュョヮヵヶ".includes(c) ? i + 1 : -1))
				.filter((i) => i > 0 && i < chars.length && chars[i] !== "ー");
			chars.splice(pick(after, next), 0, pick(["\u2014", "\u2015"], next));
			return chars.join("");
		},
	},
	{
		id: "kana-separators",
		label: "Japanese: separators between kana (コ・カ・イ・ン, コ カ イ ン)",
		make: (w, next) => {
			const separator = pick(KANA_SEPARATORS, next);
			return [...w].join(separator);
		},
	},
];

// Hangul's compatibility jamo by role (Unicode's Hangul Compatibility Jamo chart): initial consonants,
// vowels, final consonants (index 0: none), in the order of the syllable arithmetic (Unicode ch. 3.12).
const COMPAT_INITIAL = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ";
const COMPAT_VOWEL = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ";
const COMPAT_FINAL = ["", ..."ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"];

/** A syllable written as compatibility jamo (`박` → `ㅂㅏㄱ`). */
function compatJamo(syllable) {
	const index = syllable.codePointAt(0) - 0xac00;
	if (index < 0 || index >= 11172) return syllable;
	const initial = Math.floor(index / 588);
	const vowel = Math.floor((index % 588) / 28);
	const final = index % 28;
	return COMPAT_INITIAL[initial] + COMPAT_VOWEL[vowel] + COMPAT_FINAL[final];
}

const HANGUL_SEPARATORS = [" ", ".", "-", "_", "*", "/", "·", "~"];

/** Korean classes: each makes a variant of one banned word. */
export const KOREAN_CLASSES = [
	{
		id: "hangul-compat-jamo",
		label: "Korean: compatibility jamo (ㄷㅗㅂㅏㄱ for 도박), whole or in part",
		make: (w, next) => {
			const whole = next() < 0.6;
			const out = [...w].map((c) => (whole || next() < 0.5 ? compatJamo(c) : c)).join("");
			return out === w ? [...w].map(compatJamo).join("") : out;
		},
	},
	{
		id: "hangul-conjoining",
		label: "Korean: conjoining jamo (the syllables decomposed, NFD)",
		make: (w) => w.normalize("NFD"),
	},
	{
		id: "hangul-jamo-separators",
		label: "Korean: compatibility jamo with separators between them (ㄷ.ㅗ.ㅂ.ㅏ.ㄱ, ㄷ ㅗ박)",
		make: (w, next) => {
			const separator = pick(HANGUL_SEPARATORS, next);
			const whole = next() < 0.5;
			const k = Math.floor(next() * [...w].length);
			return [...w]
				.map((c, i) => (whole || i === k ? [...compatJamo(c)].join(separator) : c))
				.join(whole ? separator : "");
		},
	},
	{
		id: "hangul-symbols",
		label: "Korean: `!`, symbols and emoji between syllables, in some gaps or all (도!박, 대🌸마초)",
		make: (w, next) => {
			const chars = [...w];
			const k = 1 + Math.floor(next() * (chars.length - 1));
			return chars
				.map((c, i) => (i === k || (i > 0 && next() < 0.5) ? pick(CJK_SYMBOL_SEPARATORS, next) : "") + c)
				.join("");
		},
	},
	{
		id: "hangul-separators",
		label: "Korean: separators between syllables (도 박, 도.박)",
		make: (w, next) => [...w].join(pick(HANGUL_SEPARATORS, next)),
	},
];

/** Innocent words per new set: a seeded sample of this many from each word list. */
const SAMPLE = 20000;

/** The words of a Hunspell dictionary (`index.dic`: a count, then `word/FLAGS` lines), the stems only. */
function hunspellWords(packageName) {
	// The packages export only their loader: read the file itself.
	const path = fileURLToPath(new URL(`../../node_modules/${packageName}/index.dic`, import.meta.url));
	const lines = readFileSync(path, "utf8").split("\n").slice(1);
	return lines.map((line) => line.split("/")[0].trim()).filter((word) => word !== "");
}

/** `count` distinct words of `words`, chosen with the seed (all of them when there are fewer). */
function sample(words, count, seed) {
	const unique = [...new Set(words)];
	if (unique.length <= count) return unique;
	const next = random(seed);
	// A partial Fisher–Yates shuffle: the first `count` places.
	for (let i = 0; i < count; i++) {
		const j = i + Math.floor(next() * (unique.length - i));
		[unique[i], unique[j]] = [unique[j], unique[i]];
	}
	return unique.slice(0, count);
}

/** The new innocent sets for `seed`: real words of six languages, and Japanese and Korean topic names. */
export function scriptInnocentSets(seed) {
	return {
		russian: sample(hunspellWords("dictionary-ru"), SAMPLE, seed ^ 0x7275),
		ukrainian: sample(hunspellWords("dictionary-uk"), SAMPLE, seed ^ 0x756b),
		bulgarian: sample(hunspellWords("dictionary-bg"), SAMPLE, seed ^ 0x6267),
		greek: sample(hunspellWords("dictionary-el"), SAMPLE, seed ^ 0x656c),
		french: sample(require("an-array-of-french-words"), SAMPLE, seed ^ 0x6672),
		spanish: sample(require("an-array-of-spanish-words"), SAMPLE, seed ^ 0x6573),
		japanese: JAPANESE_INNOCENT,
		korean: KOREAN_INNOCENT,
	};
}

/** Labels of the new innocent sets, in table order. */
export const SCRIPT_SETS = [
	{ id: "russian", label: `Russian words (dictionary-ru, ${SAMPLE.toLocaleString("en-US")} sampled)` },
	{ id: "ukrainian", label: `Ukrainian words (dictionary-uk, ${SAMPLE.toLocaleString("en-US")} sampled)` },
	{ id: "bulgarian", label: `Bulgarian words (dictionary-bg, ${SAMPLE.toLocaleString("en-US")} sampled)` },
	{ id: "greek", label: `Greek words (dictionary-el, ${SAMPLE.toLocaleString("en-US")} sampled)` },
	{
		id: "french",
		label: `French words (an-array-of-french-words, ${SAMPLE.toLocaleString("en-US")} sampled)`,
	},
	{
		id: "spanish",
		label: `Spanish words (an-array-of-spanish-words, ${SAMPLE.toLocaleString("en-US")} sampled)`,
	},
	{ id: "japanese", label: "innocent Japanese names" },
	{ id: "korean", label: "innocent Korean names" },
];

/** Innocent Japanese and Korean topic names a banned word is embedded in. */
export const JAPANESE_FRAMES = ["{}", "{}の話", "みんなの{}", "{}について", "週末{}チャット"];
export const KOREAN_FRAMES = ["{}", "{} 이야기", "우리 {} 모임", "{} 정보방", "주말 {} 채팅"];
