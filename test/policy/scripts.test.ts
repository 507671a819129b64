// Name matching across scripts: faux Cyrillic and Greek read as Latin only where they stand for it, the
// remaining stroke and bar letters, Japanese kana, Korean Hangul and pinyin entries. Every expectation is
// written out by hand (what a reader of each script sees), not computed by the code under test.
import { describe, expect, it } from "vitest";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateCreation, explainCreation } from "../../src/policy/engine/evaluate";
import type { CompiledPolicy } from "../../src/policy/engine/types";

function compile(banned: unknown[], allowed: unknown[] = []): CompiledPolicy {
	const compiled = compilePolicyText(JSON.stringify({ names: { banned, allowed } }));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

function problemOf(banned: unknown[]): string {
	const compiled = compilePolicyText(JSON.stringify({ names: { banned } }));
	if (compiled.ok) throw new Error("expected a problem");
	return compiled.problem.message;
}

const refuses = (policy: CompiledPolicy, name: string) =>
	!evaluateCreation(policy, "topic", { operatorAccount: "leckie", name, type: "Community" }).allowed;

describe("faux Cyrillic and Greek letters", () => {
	const policy = compile(["casino", "porn", "anal", { match: "word", value: "bet" }]);

	it("are read as the Latin letter they are drawn for inside a word that mixes scripts", () => {
		for (const name of [
			"cдsino night", // д for a
			"CДSINO", // Д for A
			"casiиo club", // и for n
			"pөrn", // ө for o
			"poяn fans", // я for r
			"cλsino", // Greek λ for a
			"cΛsino", // Greek Λ for A
			"pσrn", // Greek σ for o
			"porη", // Greek η for n
			"ЬET now", // Ь for B, as a word
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("are read as Latin in a word of Cyrillic or Greek letters alone only when the whole word spells the entry", () => {
		// сдѕіио: с а-like д ѕ і и о, every letter Cyrillic; as a whole word it spells casino.
		expect(refuses(policy, "сдѕіио")).toBe(true);
		expect(refuses(policy, "my сдѕіио page")).toBe(true);
		// The same letters inside a longer Cyrillic word are that word's own letters.
		expect(refuses(policy, "сдѕіиов")).toBe(false);
		expect(refuses(policy, "всдѕіио")).toBe(false);
	});

	it("leave real Russian, Ukrainian and Greek words alone", () => {
		// Real words holding letters of the faux table: дом (house), подарок (gift), дорога (road), ландыш
		// (lily of the valley), їжак (hedgehog, Ukrainian), λάμπα (lamp), πορτοκάλι (orange), ανάλυση (analysis).
		for (const name of ["дом", "подарок", "дорога", "ландыш", "їжак", "λάμπα", "πορτοκάλι", "ανάλυση"]) {
			expect(refuses(policy, name), name).toBe(false);
		}
	});
});

describe("fancy-text alphabets", () => {
	const policy = compile(["fuck", "shit", "cunt", { match: "word", value: "cum" }]);

	it("are read as Latin inside a word that mixes scripts", () => {
		for (const name of [
			"ᖴᑌᑕK", // Canadian syllabics ᖴ ᑌ ᑕ with a Latin K
			"ᔕᕼIT happens", // ᔕ for S, ᕼ for H
			"fцcк", // Cyrillic к for k
			"sнit", // Cyrillic н for h
			"shiт", // Cyrillic т for t
			"¢υηт", // the "cute" alphabet: ¢ υ η т
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("are read as Latin in a word of their letters alone when the whole word spells the entry", () => {
		expect(refuses(policy, "ѕнιт")).toBe(true); // ѕ н ι т, every letter Cyrillic or Greek
		expect(refuses(policy, "ᑕᑌᗰ")).toBe(true); // syllabics alone
		expect(refuses(policy, "∂ѕнιт")).toBe(true); // ∂ (a symbol) is no part of the word
	});

	it("read hooked, tailed and turned Latin letters, symbols and mathematical letters as their letter", () => {
		for (const name of [
			"ʄuck", // f with a dotless j stroke and hook
			"ƒυcƙ", // k with a hook
			"ғυcĸ", // Cyrillic ғ for f, kra for k
			"fυc𝜅", // mathematical italic kappa
			"fυcϰ", // the kappa symbol
			"₵unt", // the cedi sign for c
			"ꮪhit", // Cherokee small letter for s
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("read Han, kana and Thai look-alikes as Latin only in a run of them alone", () => {
		const asian = compile([
			"shit",
			"bitch",
			"blowjob",
			{ match: "word", value: "wo" },
			{ match: "word", value: "fwl" },
		]);
		for (const name of ["丂卄工丅", "my 丂卄工丅 page", "乃工丅匚卄", "blo山job", "bitc卄"]) {
			expect(refuses(asian, name), name).toBe(true);
		}
		// 山口 (Yamaguchi) alone would read wo; 下山了 (came down the mountain) holds 了, no look-alike.
		for (const name of ["山口", "山口 fans", "下山了", "丂卄工丅了", "我的丂卄工丅"]) {
			expect(refuses(asian, name), name).toBe(false);
		}
	});

	it("leave real Russian words with к м н т з alone", () => {
		// кот (cat), мама (mother), нет (no), там (there), зима (winter), книга (book), сыт (full), шум (noise),
		// кум (godfather), тушь (ink), шутка (joke), щит (shield).
		for (const name of [
			"кот",
			"мама",
			"нет",
			"там",
			"зима",
			"книга",
			"сыт",
			"шум",
			"кум",
			"тушь",
			"шутка",
			"щит",
		]) {
			expect(refuses(policy, name), name).toBe(false);
		}
	});

	it("never read a letter as Latin through two tables in turn", () => {
		// TR39 reads к as ĸ, и as ᴎ and Σ as Ʃ: letters that are themselves read as k, n and f when written.
		// Read in turn, Пороги (rapids) would spell porn, соскребаемый (scraped off) cock and Σκύλλα (Scylla) fk.
		const words = compile([
			"porn",
			{ match: "word-start", value: "cock" },
			{ match: "word-start", value: "fk" },
		]);
		for (const name of ["Пороги", "соскребаемый", "Σκύλλα"]) expect(refuses(words, name), name).toBe(false);
		expect(refuses(words, "ᴎ")).toBe(false);
		expect(refuses(words, "porᴎ")).toBe(true);
	});
});

describe("leetspeak punctuation and digits", () => {
	const policy = compile([
		"cock",
		"slut",
		"fuck",
		"cunt",
		"nigger",
		"dick",
		"bitch",
		"bollocks",
		"spastic",
		"twat",
		{ match: "word", value: "lube" },
		{ match: "word", value: "fag" },
	]);

	it("read ( / + * between letters as c, l, t and u or i, an unclosed ( at a word's edge as c, and 6 as g", () => {
		for (const name of [
			"bo//0cks", // a run of / as l
			"/ube", // / at a word's start
			"spasti(", // ( at a word's end, unclosed
			"c0(k",
			"fu(k",
			"s/ut",
			"ni66er",
			"fa6",
			"d!(k",
			"(0(k",
			"my (unt page",
			"bi+ch",
			"cun+",
			"+wat", // + at a word's start
			"c*nt", // * for a masked u
			"b*tch", // or i
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("read a word's punctuation every way even when its other units are too many to mix with it", () => {
		// 1 (i or l), + (t) and ! (i or l, at the edge of f1s+): twelve ways, more than are mixed at once.
		const fisting = compile(["fisting"]);
		expect(refuses(fisting, "f1s+!ng")).toBe(true);
		expect(refuses(fisting, "team f1s+!ng")).toBe(true);
	});

	it("are not excused by an exception that spells the word with letters only", () => {
		// obscenity's whitelist keeps `fick` (a German word) for `f?ck`: it protects fick as written, not a
		// digit or punctuation read as its i.
		const fick = compile(
			[{ match: "regex", value: "f.?ck", fold: true }],
			[{ match: "contains", value: "fick" }],
		);
		for (const name of ["f!ck", "f1ck", "f|ck", "f*ck"]) expect(refuses(fick, name), name).toBe(true);
		expect(refuses(fick, "fick")).toBe(false);
		const digits = compile(["kill"], [{ match: "contains", value: "ski11" }]);
		expect(refuses(digits, "my ski11 set")).toBe(false);
	});

	it("leave a closed parenthesis and a slash or plus between words as they are", () => {
		for (const name of [
			"Brake (Unterweser)",
			"(unterweser)",
			"and/or",
			"s/he",
			"w/o",
			"c + t",
			"cun++",
			"C++",
		]) {
			expect(refuses(policy, name), name).toBe(false);
		}
	});
});

describe("punctuation inside a word", () => {
	const policy = compile(["shit", "cunt", "casino", { match: "word", value: "anal" }]);

	it("is skipped in the reading with separators skipped", () => {
		for (const name of ["sh-it", "Friday c.unt night", "ca_sino", "cas*ino", "an~al", "sh--it"]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("joins nothing across a space, an apostrophe or a slash, nor words that stay innocent", () => {
		for (const name of ["sh it happens", "ca' sino", "cas/ino", "e-mail", "co-op", "Stratford-upon-Avon"]) {
			expect(refuses(policy, name), name).toBe(false);
		}
	});
});

describe("stroke and bar letters", () => {
	const policy = compile(["casino", "poker", "drugs"]);

	it("are read as their letter, alone or mixed", () => {
		for (const name of [
			"cⱥsino",
			"CȺSINO",
			"poꝁer",
			"drʉgs",
			"DRɄGS",
			"CASƗNO",
			"ȼⱥsɨnø",
			"pøꝁɇr",
			"dɍʉǥs",
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});
});

describe("`!` and `|` at a word's edge", () => {
	const policy = compile(["lust", "anal", "kill", "hell", "hentai"]);

	it("read as i or l, alone or doubled, at either end", () => {
		for (const name of ["!ust fans", "Go Ana! Go", "ana| club", "ki!! team", "he|| memes", "henta!", "k1!!"])
			expect(refuses(policy, name), name).toBe(true);
		for (const name of ["Go Ana ! Go", "he !! memes", "k1 ||", "hel", "ki"])
			expect(refuses(policy, name), name).toBe(false);
	});

	it("read as l at a word's end only for a match from that word's start", () => {
		for (const name of ["Go Dana!", "Montana! fans", "Lariana!!", "Hanna| club", "sKi!!"])
			expect(refuses(policy, name), name).toBe(false);
		const sentence = "Welcome to the new members who joined this month. Our next gathering is on Sunday.";
		expect(refuses(policy, `${sentence} Go Montana!`)).toBe(false);
		expect(refuses(policy, `${sentence} Go ana! Go`)).toBe(true);
	});
});

describe("Japanese kana", () => {
	const policy = compile(["コカイン", "ギャンブル", "ヘロイン"]);

	it("fold hiragana, half-width and small kana, voicing marks and the prolonged sound mark", () => {
		for (const name of [
			"こかいん", // hiragana
			"コかイん", // mixed
			"ｺｶｲﾝ", // half-width
			"ｷﾞｬﾝﾌﾞﾙ", // half-width with separate voicing marks
			"ギヤンブル", // full-size ヤ for small ャ
			"コヵイン", // small ヵ for カ
			"コーカイン", // prolonged sound mark added
			"ヘロイーン",
			"ｺｰｶｲﾝ", // half-width prolonged sound mark
			"コカインの話",
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("skip separators between kana", () => {
		for (const name of ["コ・カ・イ・ン", "コ カ イ ン", "こ.か.い.ん", "ヘ_ロ_イ_ン"]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("read a dash after a kana as the prolonged sound mark, and skip emoji and longer separator runs", () => {
		for (const name of [
			"ヘロ―イン", // U+2015 HORIZONTAL BAR after ロ
			"コカ—イン", // U+2014 EM DASH
			"ヘロイ...ーン", // a prolonged sound mark three separators after its kana
			"コ♪カ♪イ♪ン", // ♪, which TR39 reads as a musical symbol outside the BMP
			"コ🎲カ🎲イ🎲ン",
			"ヘロ$ーイン", // a prolonged sound mark after a symbol read as a letter in Latin words
			"こ　か♪イ　ん",
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("keep voicing apart, and leave other words alone", () => {
		// キャンブル has no voicing mark on キ: another word than ギャンブル.
		for (const name of ["キャンブル", "コカ・コーラ", "ヘルシー料理", "カイロ旅行", "ギャラリー"]) {
			expect(refuses(policy, name), name).toBe(false);
		}
	});
});

describe("Korean Hangul", () => {
	const policy = compile(["도박", "야동", "카지노"]);

	it("composes compatibility and conjoining jamo into syllables", () => {
		for (const name of [
			"ㄷㅗㅂㅏㄱ", // compatibility jamo
			"도ㅂㅏㄱ 이야기",
			"ㅋㅏㅈㅣㄴㅗ",
			"\u1103\u1169\u1107\u1161\u11a8", // conjoining jamo (도박 decomposed)
			"ㅇㅑㄷㅗㅇ",
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("composes jamo written apart by separators, a consonant before a vowel beginning the next syllable", () => {
		for (const name of [
			"ㄷ.ㅗ.ㅂ.ㅏ.ㄱ",
			"ㄷ-ㅗ*ㅂ.ㅏ ㄱ 이야기",
			"ㅋ ㅏ ㅈ ㅣ ㄴ ㅗ",
			"ㄷ.ㅗ박",
			"ㅇㅑ ㄷㅗㅇ", // 야 then 동 (ㄷ begins 동, it does not close 야)
			"도ㅂ ㅏㄱ",
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
		// A jamo after a syllable written whole does not reach back across a space: laughter after a word.
		for (const name of ["도 ㅋㅋ", "야 ㅎㅎ 동네"]) expect(refuses(policy, name), name).toBe(false);
	});

	it("skips `!` `|`, emoji and punctuation between syllables as separators", () => {
		for (const name of ["도!박", "도|박", "도！박", "도🎲박", "카🌸지노", "카·지노 모임", "야—동"]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("skips separators between single syllables, not between words", () => {
		for (const name of ["도 박", "도.박", "도_박 모임", "카-지-노", "우리 야 동 모임"]) {
			expect(refuses(policy, name), name).toBe(true);
		}
		// 나야 동네 (it's me, the neighbourhood): 야 and 동 end and begin words of their own.
		for (const name of ["나야 동네 친구", "도서관 박물관", "야구 동호회", "박 도사"]) {
			expect(refuses(policy, name), name).toBe(false);
		}
	});
});

describe("pinyin entries", () => {
	const policy = compile([
		{ value: "赌博", pinyin: true },
		{ value: "银行", pinyin: true },
		{ value: "大麻", pinyin: "initials" },
		"色情",
	]);

	it("match the toneless pinyin, whole or mixed with the characters, with or without separators", () => {
		for (const name of [
			"dubo",
			"DuBo群",
			"du bo",
			"du-bo",
			"d u b o",
			"赌bo",
			"du博",
			"賭bo",
			"关于du博的讨论",
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("match pinyin with tone numbers, other separators, and separators next to a character", () => {
		for (const name of [
			"du4bo2",
			"du4 bo2",
			"Du3-Bo2群",
			"du*bo",
			"du/bo",
			"du·bo",
			"du・bo",
			"赌，bo",
			"du*博",
			"du 博",
			"yin2/hang2",
			"yin2·hang2",
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
		// A digit is a tone only after a syllable's end and not before another digit.
		for (const name of ["dub4o", "du44bo", "win10"]) expect(refuses(policy, name), name).toBe(false);
	});

	it("match every reading of a polyphonic character", () => {
		// 行 is read hang (as in 银行, bank) and xing (to walk).
		expect(refuses(policy, "yinhang")).toBe(true);
		expect(refuses(policy, "yinxing")).toBe(true);
	});

	it("match initials only when the entry says so", () => {
		expect(refuses(policy, "dm")).toBe(true); // 大麻 with "initials"
		expect(refuses(policy, "d麻")).toBe(true);
		expect(refuses(policy, "db")).toBe(false); // 赌博 with pinyin true only
	});

	it("do not match pinyin inside a longer Latin word, nor for entries without pinyin", () => {
		for (const name of ["Dubois", "subdubo", "seqing", "se情"])
			expect(refuses(policy, name), name).toBe(false);
	});

	it("show the pinyin that matched in the explanation", () => {
		const { explanation } = explainCreation(policy, "topic", {
			operatorAccount: "leckie",
			name: "我的du博频道",
		});
		expect(explanation?.match).toMatchObject({ value: "赌博", span: { text: "du博" }, pinyin: "du 博" });
		const whole = explainCreation(policy, "topic", { operatorAccount: "leckie", name: "yin-hang" });
		expect(whole.explanation?.match?.pinyin).toBe("yin hang");
		const characters = explainCreation(policy, "topic", { operatorAccount: "leckie", name: "赌博" });
		expect(characters.explanation?.match?.pinyin).toBeUndefined();
	});

	it("are refused on entries that cannot have pinyin", () => {
		expect(problemOf([{ value: "casino", pinyin: true }])).toContain("no character");
		expect(problemOf([{ match: "regex", value: "赌.博", pinyin: true }])).toContain('"pinyin" applies to');
		expect(problemOf([{ value: "赌博", pinyin: "yes" }])).toContain("banned[0]");
	});
});

describe("Han characters", () => {
	const policy = compile(["赌博", "黄色网站", "卖淫", "洗钱"]);

	it("skip `!` `|`, emoji, symbols and dashes between characters as separators", () => {
		for (const name of [
			"赌！博",
			"赌!博",
			"賭|博",
			"赌🎲博",
			"关于賭💰博",
			"赌♪博",
			"賭—博讨论群",
			"黄😂色🔥网✨站",
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
	});

	it("skip symbols read as letters between characters, kana or syllables, but keep enclosed characters", () => {
		const more = compile(["赌博", "六合彩", "コカイン", "도박", "casino"]);
		// `$` `@` are s and a in Latin words, `🇨🇳` the letters cn, `ⓐ` a, `─` the prolonged sound mark.
		for (const name of [
			"赌$博",
			"赌@博",
			"关于赌🇨🇳博",
			"コカ─イン",
			"コ€カイン",
			"도ⓐ박",
			"도$박 모임",
			"c@sino",
		]) {
			expect(refuses(more, name), name).toBe(true);
		}
		// 🈴 is the character 合 squared, not a separator; a Latin letter between characters stays a letter.
		expect(refuses(more, "六🈴彩")).toBe(true);
		expect(refuses(more, "赌x博")).toBe(false);
	});

	it("read Kangxi and supplementary radicals drawn as characters, and Japanese shinjitai", () => {
		for (const name of [
			"⿈⾊⽹站", // Kangxi radicals yellow, colour, net: NFKC gives 黃色网, 黃 then Simplified
			"⻩色网站", // CJK RADICAL SIMPLIFIED YELLOW, which NFKC leaves alone
			"売淫", // shinjitai 売 (賣, 卖)
			"洗銭", // shinjitai 銭 (錢, 钱)
		]) {
			expect(refuses(policy, name), name).toBe(true);
		}
		// 欠 is a shinjitai (of 缺) but a character of Chinese itself: it stays 欠.
		expect(refuses(compile(["缺钱"]), "欠钱")).toBe(false);
	});
});
