// The quality benchmark's cases, generated reproducibly from a seed: evasions of obscenity's English word
// list embedded in innocent topic names (one class per evasion technique), Chinese banned words with
// Traditional, separator and full-width variants, and the innocent sets (an English dictionary, world city
// names, a Scunthorpe list, innocent Chinese names). The look-alike tables here are written out by hand from
// the characters' Unicode names, not taken from any engine's tables, so no engine is tested on its own data.
import { createRequire } from "node:module";
import { englishDataset } from "obscenity";
import { random } from "../../tools/lib/policy-fixture.mjs";
import {
	JAPANESE_BANNED,
	JAPANESE_CLASSES,
	JAPANESE_FRAMES,
	KOREAN_BANNED,
	KOREAN_CLASSES,
	KOREAN_FRAMES,
	MORE_CHINESE_CLASSES,
	pick,
	replaceSome,
	SCRIPT_EVASION_CLASSES,
	scriptInnocentSets,
} from "./scripts-cases.mjs";

const require = createRequire(import.meta.url);

/** The default seed; `npm run bench:quality -- --seed N` picks another. */
export const DEFAULT_SEED = 20261129;

/** How many evasions are made of each word in each class (each in another innocent frame). */
const VARIANTS_PER_WORD = 4;

/** Innocent topic names a banned word is embedded in (`{}` is the word); every engine must allow each alone. */
export const ENGLISH_FRAMES = [
	"{}",
	"{} fans",
	"The {} Club",
	"team {}",
	"Friday {} night",
	"my {} page",
	"{} and friends",
	"Weekend {} chat",
	"Official {} group",
	"{} memes",
];

/** Innocent Chinese topic names a banned Chinese word is embedded in. */
export const CHINESE_FRAMES = [
	"{}",
	"{}讨论群",
	"关于{}",
	"周末{}交流",
	"我的{}频道",
	"{}新闻",
	"城市{}话题",
];

/**
 * Chinese banned words of the benchmark's own (gambling, pornography, drugs, fraud, weapons), each with its
 * Traditional form where that differs, written out by hand.
 */
export const CHINESE_BANNED = [
	["赌博", "賭博"],
	["色情", null],
	["毒品", null],
	["博彩", null],
	["裸聊", null],
	["嫖娼", null],
	["卖淫", "賣淫"],
	["冰毒", null],
	["海洛因", null],
	["大麻", null],
	["代孕", null],
	["枪支", "槍支"],
	["诈骗", "詐騙"],
	["传销", "傳銷"],
	["洗钱", "洗錢"],
	["假币", "假幣"],
	["六合彩", null],
	["迷药", "迷藥"],
	["黄色网站", "黃色網站"],
	["摇头丸", "搖頭丸"],
];

/**
 * In-name exceptions for the Chinese list: innocent words that hold a banned word across a word boundary
 * (大麻烦 is 大 + 麻烦, "big trouble"; 大麻袋 is 大 + 麻袋, "a big sack"), as obscenity's whitelist does for
 * English. Written for the innocent names below that hold them, so they say nothing of other such words.
 */
export const CHINESE_EXCEPTIONS = [
	{ match: "contains", value: "大麻烦", note: "大 + 麻烦, big trouble (holds 大麻)" },
	{ match: "contains", value: "大麻袋", note: "大 + 麻袋, a big sack (holds 大麻)" },
];

/**
 * Innocent Chinese names: everyday topics, many sharing a character with a banned word (博物馆, 色彩,
 * 中毒急救). The last ones hold a banned word across a word boundary (大麻烦 is 大 + 麻烦, "big trouble"):
 * Chinese's own Scunthorpe cases, which no substring engine can tell apart without an exception
 * ({@link CHINESE_EXCEPTIONS}).
 */
export const CHINESE_INNOCENT = [
	"博物馆参观",
	"博物馆🎨参观",
	"色彩！搭配技巧",
	"win10 交流群",
	"a1牛排店",
	"mp3 下载",
	"博士论文交流",
	"彩色摄影",
	"色彩搭配技巧",
	"情人节活动",
	"中毒急救知识",
	"药品说明书",
	"大学生活",
	"麻辣烫爱好者",
	"海洋生物",
	"洛阳旅游攻略",
	"因果关系讨论",
	"代码评审",
	"孕妇课堂",
	"传统文化",
	"销售团队",
	"洗衣技巧",
	"钱包设计",
	"六月毕业季",
	"合唱团",
	"迷你世界",
	"黄色小鸭",
	"网站开发",
	"摇滚乐队",
	"头条新闻",
	"丸子汤做法",
	"冰淇淋店",
	"裸麦面包",
	"聊天室",
	"骗子识别",
	"赌气的孩子",
	"博客写作",
	"手枪虾科普",
	"支付宝使用",
	"嫖姚校尉",
	"卖萌日常",
	"淫雨霏霏诗词",
	"假期安排",
	"人民币汇率",
	"大 麻烦",
	"大麻烦",
	"一大麻袋",
];

/**
 * Names that hold a banned word inside a longer, innocent word (the Scunthorpe problem): places, people,
 * words. Names where the banned word stands as a word of its own ("Moby Dick") are a different problem (the
 * word itself, used innocently) and are not in this list.
 */
export const SCUNTHORPE = [
	"Scunthorpe",
	"Penistone",
	"Cockburn",
	"Sussex",
	"Essex",
	"Middlesex",
	"Shitterton",
	"Arsenal",
	"Dickens",
	"Charles Dickens fans",
	"classic",
	"Classic rock",
	"assassin",
	"Assassin's Creed",
	"Pompeii",
	"pomegranate",
	"homegrown",
	"Montenegro",
	"therapist",
	"grape",
	"Grape juice",
	"Cockermouth",
	"Hancock",
	"Clitheroe",
	"Matsushita",
	"Sussex Uni",
	"Lightwater",
	"Scrabble",
	"cocktail bar",
	"analysis club",
	"Manuscript",
	"butterscotch",
	"Titanic",
	"Horsham",
	"peacock",
	"Cummings",
	"Uranus",
	"shuttlecock",
];

/**
 * More names of the Scunthorpe kind, written out by hand from well-known examples (British and other place
 * names, surnames, everyday words that hold a word of obscenity's list, none on the list above: Fukuoka holds
 * `fuk`, feckless `f?ck`, Negroni `negro`, rapeseed `rape`). A seeded coin ({@link SCUNTHORPE_SPLIT_SEED})
 * puts each into one of two halves: the recommended exceptions (examples/scunthorpe-exceptions.json) were
 * generated from public lists (scripts/scunthorpe-exceptions.mjs), plus entries written by hand from the Scunthorpe
 * list above and the first half only; the second half is held out (no entry written for it), so that its
 * figure shows how the exceptions fare on names they were not written for.
 */
export const SCUNTHORPE_POOL = [
	"Cockburnspath",
	"Cockfosters",
	"Cumbernauld",
	"Cumnock",
	"Cumbria",
	"Cumberland sausage",
	"Cuckfield",
	"Bitchfield",
	"Wetwang",
	"Sexhow",
	"Wessex",
	"Assington",
	"Titchfield",
	"Fukuoka",
	"Fukushima",
	"Fukuyama",
	"Francis Fukuyama",
	"Fukui",
	"Wankdorf Stadium",
	"Wankel engine",
	"Pornic",
	"Pornichet",
	"Slutsk",
	"Cumaná",
	"Penisola Sorrentina",
	"Shitamachi",
	"Shittim wood",
	"Shitlington",
	"Bitche",
	"Dickinson",
	"Emily Dickinson",
	"Bruce Dickinson",
	"Dickson",
	"Dickerson",
	"Alan Cumming",
	"E. E. Cummings",
	"Cummins engines",
	"Benedict Cumberbatch",
	"Camille Pissarro",
	"Nicholas Negroponte",
	"Caster Semenya",
	"Semenov",
	"Alfred Hitchcock",
	"Babcock",
	"Woodcock",
	"Glasscock",
	"Alcock",
	"Hiscock",
	"Cockerill",
	"John Cockcroft",
	"Fagan",
	"Fagin",
	"Shittu",
	"Fukuda",
	"Peniston",
	"Penistone Road",
	"cockpit",
	"cockatoo",
	"cockatiel",
	"cockroach",
	"cumin",
	"cumulus",
	"accumulate",
	"cucumber",
	"circumstance",
	"document",
	"cumbersome",
	"incumbent",
	"cuckoo clock",
	"feckless",
	"flame retardant",
	"rapeseed oil",
	"Negroni",
	"niggardly",
	"sniggering",
	"Georgy",
	"blue-footed booby",
	"booby trap",
	"gasmask",
	"shiitake",
	"assortment",
	"assonance",
	"Assyrian",
	"turducken",
	"Turdus merula",
	"pasta e fagioli",
	"Fagus sylvatica",
	"analyst",
	"canal boat",
	"banal",
	"dickcissel",
	"titillate",
	"scrapbook",
	"sextant",
	"cocktail",
	"Middlesbrough",
	"Arsenic",
];

/** The seed of the coin that splits {@link SCUNTHORPE_POOL}: fixed, unlike the cases' seed, because the exceptions were written from one half. */
export const SCUNTHORPE_SPLIT_SEED = 1996;

/** The two halves of {@link SCUNTHORPE_POOL}: `seen` (the exceptions were written from it) and `heldOut`. */
export function scunthorpeSplit() {
	const next = random(SCUNTHORPE_SPLIT_SEED);
	const seen = [];
	const heldOut = [];
	for (const name of SCUNTHORPE_POOL) (next() < 0.5 ? seen : heldOut).push(name);
	return { seen, heldOut };
}

/** What an evasion class is called in the tables, and how it is made from a word. */
const LOOK_ALIKE_CAPITALS = {
	A: "АΑ", // Cyrillic А, Greek Alpha
	B: "ВΒ",
	C: "СϹ",
	E: "ЕΕ",
	H: "НΗ",
	I: "ІΙ",
	J: "Ј",
	K: "КΚ",
	M: "МΜ",
	N: "Ν",
	O: "ОΟ",
	P: "РΡ",
	S: "Ѕ",
	T: "ТΤ",
	X: "ХΧ",
	Y: "ҮΥ",
	Z: "Ζ",
};
const LOOK_ALIKE_SMALL = {
	a: "аα", // Cyrillic а, Greek alpha
	c: "сϲ",
	d: "ԁ",
	e: "е",
	g: "ɡ",
	h: "һ",
	i: "і",
	j: "ј",
	k: "κ",
	l: "ӏ",
	o: "оο",
	p: "рρ",
	s: "ѕ",
	u: "υ",
	v: "ν",
	x: "х",
	y: "у",
};
const STROKES = { o: "ø", l: "ł", d: "đ", h: "ħ", t: "ŧ", b: "ƀ", g: "ǥ", i: "ɨ", z: "ƶ" };
const SMALL_CAPITALS = {
	a: "ᴀ",
	b: "ʙ",
	c: "ᴄ",
	d: "ᴅ",
	e: "ᴇ",
	f: "ꜰ",
	g: "ɢ",
	h: "ʜ",
	i: "ɪ",
	j: "ᴊ",
	k: "ᴋ",
	l: "ʟ",
	m: "ᴍ",
	n: "ɴ",
	o: "ᴏ",
	p: "ᴘ",
	r: "ʀ",
	s: "ꜱ",
	t: "ᴛ",
	u: "ᴜ",
	v: "ᴠ",
	w: "ᴡ",
	y: "ʏ",
	z: "ᴢ",
};
/** First code point of a–z in each enclosed style: circled small and capital, parenthesised, negative circled, squared, negative squared, regional indicators. */
const ENCLOSED_STYLES = [0x24d0, 0x24b6, 0x249c, 0x1f150, 0x1f130, 0x1f170, 0x1f1e6];
/** First code point of small a in mathematical alphabets without holes among the small letters. */
const MATH_STYLES = [
	0x1d41a, 0x1d482, 0x1d4ea, 0x1d51e, 0x1d552, 0x1d586, 0x1d5ba, 0x1d5ee, 0x1d622, 0x1d656, 0x1d68a,
];
/** Leetspeak: digits and symbols for the letters they are drawn like. */
const LEET = {
	a: "4@",
	b: "8",
	c: "(",
	e: "3",
	g: "69",
	i: "1!",
	l: "1|",
	o: "0",
	s: "5$",
	t: "7+",
};
const INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"];
const MARKS = ["\u0301", "\u0300", "\u0308", "\u0303", "\u0327", "\u0332", "\u0336", "\u030c", "\u0323"];
const SEPARATORS = [" ", ".", "-", "_", "*"];
const SPLITTERS = [".", "-", "_", "*", "~"];
const HAN_SEPARATORS = [" ", ".", "*", "_", "-", "/", "·"];
const HAN_FULL_WIDTH_SEPARATORS = ["\u3000", "．", "＊", "＿", "－", "／", "、"];

const isLetter = (c) => /[a-z]/i.test(c);

/** The word's letters in the alphabet whose `a` is the code point `first` (circled, math bold …). */
function inAlphabet(word, first) {
	return [...word]
		.map((c) => (isLetter(c) ? String.fromCodePoint(first + c.charCodeAt(0) - 97) : c))
		.join("");
}

/** The evasion classes, in table order: label, whether the frame is upper-cased, and the evasion of a word. */
export const EVASION_CLASSES = [
	{
		id: "upper-look-alikes",
		label: "uppercase look-alikes (Cyrillic or Greek capitals)",
		upper: true,
		make: (w, next) => replaceSome(w.toUpperCase(), next, 0.5, (c) => LOOK_ALIKE_CAPITALS[c]),
	},
	{
		id: "lower-look-alikes",
		label: "lowercase look-alikes",
		make: (w, next) => replaceSome(w, next, 0.5, (c) => LOOK_ALIKE_SMALL[c]),
	},
	{
		id: "stroke",
		label: "stroke letters (ø ł đ ħ ŧ ƀ ǥ ɨ ƶ)",
		make: (w, next) => replaceSome(w, next, 0.6, (c) => STROKES[c]),
	},
	{
		id: "small-capitals",
		label: "small capitals (ᴄᴀꜱɪɴᴏ)",
		make: (w, next) => replaceSome(w, next, 1, (c) => SMALL_CAPITALS[c]),
	},
	{
		id: "enclosed",
		label: "enclosed, circled, parenthesised, regional-indicator letters",
		make: (w, next) => inAlphabet(w, pick(ENCLOSED_STYLES, next)),
	},
	{
		id: "repeated",
		label: "repeated letters (caaasinooo)",
		make: (w, next) => {
			const chars = [...w];
			const times = 1 + Math.floor(next() * 3);
			for (let t = 0; t < times; t++) {
				const i = Math.floor(next() * chars.length);
				if (isLetter(chars[i])) chars[i] = chars[i].repeat(3 + Math.floor(next() * 3));
			}
			return chars.join("");
		},
	},
	{
		id: "leetspeak",
		label: "leetspeak (c4s1n0, (0(k, s|u7, bi+ch, ni66er)",
		make: (w, next) => replaceSome(w, next, 0.6, (c) => LEET[c]),
	},
	{
		id: "bang-bar",
		label: "`!` and `|` as i or l",
		make: (w, next) => replaceSome(w, next, 1, (c) => (c === "i" ? "!|" : c === "l" ? "|" : undefined)),
	},
	{
		id: "separated",
		label: "spaced or dotted letters (c a s i n o, c.a.s.i.n.o)",
		make: (w, next) => [...w.replace(/ /g, "")].join(pick(SEPARATORS, next)),
	},
	{
		id: "split",
		label: "a word split by punctuation inside it (sh-it, ca.sino, an_al)",
		make: (w, next) => {
			if (w.length < 3) return null;
			const at = 1 + Math.floor(next() * (w.length - 1));
			return `${w.slice(0, at)}${pick(SPLITTERS, next)}${w.slice(at)}`;
		},
	},
	{
		id: "invisible",
		label: "invisible characters",
		make: (w, next) => {
			const chars = [...w];
			const at = 1 + Math.floor(next() * (chars.length - 1));
			chars.splice(at, 0, pick(INVISIBLES, next));
			if (chars.length > 3 && next() < 0.5) chars.splice(1, 0, pick(INVISIBLES, next));
			return chars.join("");
		},
	},
	{
		id: "math",
		label: "math-styled letters (𝐜𝐚𝐬𝐢𝐧𝐨)",
		make: (w, next) => inAlphabet(w, pick(MATH_STYLES, next)),
	},
	{
		id: "marks",
		label: "combining marks (c̈ásíñó)",
		make: (w, next) =>
			[...w]
				.map((c) => {
					if (!isLetter(c) || next() < 0.4) return c;
					const n = 1 + Math.floor(next() * 2);
					let out = c;
					for (let k = 0; k < n; k++) out += pick(MARKS, next);
					return out;
				})
				.join(""),
	},
	...SCRIPT_EVASION_CLASSES,
];

/** Chinese evasion classes: each makes the variant of one banned word (with its Traditional form) or null. */
export const CHINESE_CLASSES = [
	{
		id: "han-traditional",
		label: "Chinese: Traditional form (賭博)",
		make: (_simplified, traditional) => traditional,
	},
	{
		id: "han-separators",
		label: "Chinese: separators between characters (赌 博, 赌.博)",
		make: (s, _t, next) => [...s].join(pick(HAN_SEPARATORS, next)),
	},
	{
		id: "han-full-width",
		label: "Chinese: full-width separators (赌　博, 赌．博), Traditional or not",
		make: (s, t, next) =>
			[...(t !== null && next() < 0.5 ? t : s)].join(pick(HAN_FULL_WIDTH_SEPARATORS, next)),
	},
	...MORE_CHINESE_CLASSES,
];

/** Japanese and Korean classes, each with its banned words and frames. */
export const CJK_CLASSES = [
	...JAPANESE_CLASSES.map((c) => ({ ...c, words: JAPANESE_BANNED, frames: JAPANESE_FRAMES })),
	...KOREAN_CLASSES.map((c) => ({ ...c, words: KOREAN_BANNED, frames: KOREAN_FRAMES })),
];

/**
 * The banned English words: obscenity's English word list (`originalWord` of each phrase of its
 * englishDataset), each as obscenity's own patterns spell it (`finger bang` → `fingerbang` where only that
 * spelling is a pattern's). A word obscenity does not refuse in either spelling (its transformers make its
 * patterns unmatchable: `jizz` is collapsed to `jiz` before matching) is not part of the list it enforces,
 * so no evasion is made of it; it is listed in `unenforced`.
 */
export function englishWords(refusedByObscenity) {
	const words = [];
	const unenforced = [];
	for (const phrase of englishDataset.containers) {
		const word = phrase.metadata.originalWord;
		const spelled = [word, word.replace(/ /g, "")].find((w) => refusedByObscenity(w));
		if (spelled === undefined) unenforced.push(word);
		else words.push(spelled);
	}
	return { words, unenforced };
}

function frame(frames, word, next, upper) {
	const chosen = pick(frames, next);
	const text = upper ? chosen.toUpperCase() : chosen;
	return text.replace("{}", word);
}

/**
 * Every case of the benchmark for `seed`: `evasions` (class, word, name; each should be refused), the
 * controls (each word as written, in a frame), and the innocent sets (each name should be allowed).
 * `refusedByObscenity(word)` says whether obscenity (recommended set-up) refuses a word as written.
 */
export function qualityCases(seed, refusedByObscenity) {
	const next = random(seed);
	const { words, unenforced } = englishWords(refusedByObscenity);
	const evasions = [];
	const controls = [];
	for (const word of words) {
		controls.push({ class: "control", word, name: frame(ENGLISH_FRAMES, word, next, false) });
	}
	for (const evasion of EVASION_CLASSES) {
		for (const word of words) {
			const seen = new Set();
			for (let v = 0; v < VARIANTS_PER_WORD; v++) {
				const evaded = evasion.make(word, next);
				if (evaded === null || evaded === word) continue;
				const name = frame(ENGLISH_FRAMES, evaded, next, evasion.upper === true);
				if (seen.has(name)) continue;
				seen.add(name);
				evasions.push({ class: evasion.id, word, name });
			}
		}
	}
	for (const [simplified] of CHINESE_BANNED) {
		controls.push({
			class: "control",
			word: simplified,
			name: frame(CHINESE_FRAMES, simplified, next, false),
		});
	}
	for (const evasion of CHINESE_CLASSES) {
		for (const [simplified, traditional] of CHINESE_BANNED) {
			const seen = new Set();
			for (let v = 0; v < VARIANTS_PER_WORD; v++) {
				const evaded = evasion.make(simplified, traditional, next);
				if (evaded === null) continue;
				const name = frame(CHINESE_FRAMES, evaded, next, false);
				if (seen.has(name)) continue;
				seen.add(name);
				evasions.push({ class: evasion.id, word: simplified, name });
			}
		}
	}
	for (const [words, frames] of [
		[JAPANESE_BANNED, JAPANESE_FRAMES],
		[KOREAN_BANNED, KOREAN_FRAMES],
	]) {
		for (const word of words)
			controls.push({ class: "control", word, name: frame(frames, word, next, false) });
	}
	for (const evasion of CJK_CLASSES) {
		for (const word of evasion.words) {
			const seen = new Set();
			for (let v = 0; v < VARIANTS_PER_WORD; v++) {
				const evaded = evasion.make(word, next);
				if (evaded === null || evaded === word) continue;
				const name = frame(evasion.frames, evaded, next, false);
				if (seen.has(name)) continue;
				seen.add(name);
				evasions.push({ class: evasion.id, word, name });
			}
		}
	}
	return {
		seed,
		words,
		unenforced,
		chineseWords: CHINESE_BANNED.map(([simplified]) => simplified),
		japaneseWords: JAPANESE_BANNED,
		koreanWords: KOREAN_BANNED,
		evasions,
		controls,
		innocent: {
			dictionary: require("an-array-of-english-words"),
			cities: Object.keys(require("cities-list")),
			scunthorpe: SCUNTHORPE,
			scunthorpeSeen: scunthorpeSplit().seen,
			scunthorpeHeldOut: scunthorpeSplit().heldOut,
			chinese: CHINESE_INNOCENT,
			...scriptInnocentSets(seed),
		},
		frames: [
			...ENGLISH_FRAMES,
			...ENGLISH_FRAMES.map((f) => f.toUpperCase()),
			...CHINESE_FRAMES,
			...JAPANESE_FRAMES,
			...KOREAN_FRAMES,
		].map((f) => f.replace("{}", "").trim()),
	};
}

/**
 * Notification-length frames: a topic notification is a sentence or two around whatever the member wrote.
 * `{}` is the name-length case (itself a word in a frame); each text is about 200 characters.
 */
export const NOTIFICATION_FRAMES = [
	"Notice to all members of this community: please read the pinned rules before posting. This week we discuss {} and nothing else, so keep replies short. See you all on Friday at noon!",
	"Update from the moderators: the meeting moved to Thursday evening at seven. The topic for the evening is {}; bring your own questions and a friend or two. Photos will be posted afterwards.",
	"Reminder for everyone here: the weekend schedule is now online. Tomorrow at noon: {}. Questions go to the help topic, and replies below may be removed to keep this notice readable.",
	"Welcome to the new members who joined this month! Our next gathering covers {}, and we would love to hear from you. Thanks to everyone who helped us set up the room on Sunday.",
];

/** A 32-bit FNV-1a hash of `text`, to give each innocent set a seed of its own. */
function nameHash(text) {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	return hash >>> 0;
}

/** Most names of one innocent set put into notifications (a seeded sample; smaller sets whole). */
export const NOTIFICATION_SAMPLE = 2_000;

/**
 * The cases of `cases` (from {@link qualityCases}) as notification texts: every evasion and control in a
 * notification frame, and a seeded sample of at most NOTIFICATION_SAMPLE names of each innocent set. Each
 * innocent set is sampled and framed from a stream of its own (the seed and the set's name), so adding an
 * evasion class or a set changes no other set's texts.
 */
export function notificationCases(cases) {
	const framer = (next) => (name) => pick(NOTIFICATION_FRAMES, next).replace("{}", name);
	const framed = framer(random(cases.seed ^ 0x7e47));
	const sample = (set, names) => {
		const next = random(cases.seed ^ 0x7e47 ^ nameHash(set));
		const frame = framer(next);
		if (names.length <= NOTIFICATION_SAMPLE) return names.map(frame);
		const chosen = new Set();
		while (chosen.size < NOTIFICATION_SAMPLE) chosen.add(Math.floor(next() * names.length));
		return [...chosen].sort((a, b) => a - b).map((index) => frame(names[index]));
	};
	return {
		evasions: cases.evasions.map((c) => ({ ...c, name: framed(c.name) })),
		controls: cases.controls.map((c) => ({ ...c, name: framed(c.name) })),
		innocent: Object.fromEntries(
			Object.entries(cases.innocent).map(([set, names]) => [set, sample(set, names)]),
		),
		frames: NOTIFICATION_FRAMES.map((f) => f.replace("{}", "").trim()),
	};
}
