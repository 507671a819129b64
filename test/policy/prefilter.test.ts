// The prefilter of long texts (src/policy/engine/prefilter.ts) allows a text without making its readings
// when one pass proves no folded pattern can match any of them, and otherwise has only the parts that may
// match read. Its decisions must be the whole text's: every text here is judged twice, by evaluateText
// (which uses the prefilter) and by explainText (which always reads the text in full), and the two must
// agree, refusal rule included. The texts put evasions of every kind the
// readings undo (look-alikes, leetspeak, separators, repeats, faux Cyrillic and Greek, Han, kana, Hangul,
// pinyin with tones) inside innocent sentences, next to the innocent words that share letters with them.
import { describe, expect, it } from "vitest";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { mayMatchReadings, partsThatMayMatch, regexSpellings } from "../../src/policy/engine/prefilter";
import { evaluateText, explainText, textRules } from "../../src/policy/engine/texts";
import type { CompiledPolicy } from "../../src/policy/engine/types";
import { random } from "../../tools/lib/policy-fixture.mjs";

const BANNED = [
	"casino",
	{ match: "word", value: "ass" },
	{ match: "word-start", value: "cum" },
	{ match: "word-end", value: "fag" },
	{ match: "word", value: "anal" },
	"double penetration",
	{ match: "prefix", value: "spam" },
	{ match: "suffix", value: "scam" },
	{ match: "glob", value: "free*money" },
	{ match: "exact", value: "just this" },
	{ match: "regex", value: "f.?ck", fold: true },
	{ match: "regex", value: "\\bv.?gina", fold: true },
	{ value: "赌博", pinyin: true },
	"色情",
	"エロ動画",
	"ギャンブル",
	"바카라",
	"шлюха",
	"bollocks",
	"shit",
	"kill",
	"cock",
	{ match: "word", value: "€uro" },
	{ match: "regex", value: "^Notice: spam" },
	{ value: "RAW", normalize: false },
];
// Exceptions holding a space may reach across the spaces a text's parts are cut at.
const ALLOWED = [
	"scunthorpe",
	"cocktail",
	"assassin",
	"classic",
	{ match: "contains", value: "an al" },
	{ match: "contains", value: "double penetration test" },
];

function compile(): CompiledPolicy {
	const compiled = compilePolicyText(
		JSON.stringify({ names: { banned: BANNED, allowed: ALLOWED }, texts: { banned: "names" } }),
	);
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

/** Words a community writes, several sharing letters with the banned values. */
const INNOCENT = [
	"Welcome",
	"to",
	"the",
	"meeting",
	"on",
	"Thursday",
	"class",
	"classic",
	"passes",
	"Scunthorpe",
	"cocktail",
	"assassin",
	"cucumber",
	"Dickens",
	"analysis",
	"canal",
	"document",
	"vagrant",
	"shitake",
	"skill",
	"a",
	"I",
	"x",
	"Привет",
	"обсъдя",
	"друзья",
	"Ελλάδα",
	"東京",
	"天气",
	"한국어",
	"ドラマ",
	"ラーメン",
	"コーヒー",
	"ガーデン",
	"café",
	"Straße",
	"ﬁne",
	"😀",
	"(see",
	"below)",
	"C++",
	"and/or",
	"4",
	"2024",
	"1st",
];

/** Evasions of the banned values, each a spelling some reading undoes (or nearly: some are innocent). */
const EVASIONS = [
	"c4s1no",
	"CASINO",
	"c a s i n o",
	"c.a.s.i.n.o",
	"ca-sino",
	"ca sino",
	"саsino",
	"сазино",
	"ｃａｓｉｎｏ",
	"ⓒⓐⓢⓘⓝⓞ",
	"caaasino",
	"c@$ino",
	"ass",
	"a$$",
	"@ss",
	"a s s",
	"cumming",
	"cum",
	"fag",
	"homofag",
	"ana!",
	"anal",
	"ana|",
	"double penetration",
	"doublepenetration",
	"d o u b l e p e n e t r a t i o n",
	"spam",
	"scam",
	"freemoney",
	"just this",
	"fuck",
	"fffuuuck",
	"f*ck",
	"f ck",
	"phuck",
	"fu ck",
	"vagina",
	"v@gina",
	"赌博",
	"赌 博",
	"赌$博",
	"赌😀博",
	"赌，博",
	"c•a•s•i•n•o",
	"dubo",
	"du4bo2",
	"du博",
	"色情",
	"色/情",
	"エロ動画",
	"ｴﾛ動画",
	// Voicing marks join the kana before them, the prolonged mark reads as it again.
	"キ゛ャンフ゛ル",
	"ｷﾞｬﾝﾌﾞﾙ",
	"キ\u3099ャンフ\u3099ル",
	"エーロ動画",
	"エ.ーロ動画",
	"바카라",
	"바 카 라",
	"ㅂㅏㅋㅏㄹㅏ",
	"шлюха",
	"ѕнιт",
	"sh!t",
	"sh1t",
	"$hit",
	"ѕhit",
	"sh*t",
	"sh-it",
	"bo||ocks",
	"bo11ocks",
	"boӏӏocks",
	"ki11",
	"b0ll0cks",
	"вσℓℓσ¢кѕ",
	// `ъ` folds to two units (ˉb), or to its faux letter b; `ᔡ` to `·ᔕ`, or s.
	"ъollocks",
	"ᔡhit",
	"k1ll",
	"ki!!",
	"kiII",
	"€uro",
	"RAW",
	"raw",
	"丂卄工丅",
	"(ock",
	"an al",
	"ki!! ki!! ki!!",
];

/** Characters put into a word now and then: what the readings take for letters, join, skip or drop. */
const INSERTS = [
	..."1!|(/+*$@)",
	"\u200b",
	"\u007f",
	"\t",
	"（",
	"）",
	"ー",
	"゛",
	"\u3099",
	"ㅋ",
	" ",
	"\u00a0",
];

function text(next: () => number, words: number, evasions: number): string {
	const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
	const out: string[] = [];
	for (let i = 0; i < words; i++) out.push(pick(INNOCENT));
	for (let i = 0; i < evasions; i++) out.splice(Math.floor(next() * (out.length + 1)), 0, pick(EVASIONS));
	const separators = [" ", " ", " ", ", ", ". ", "  ", " - ", "! ", "\u200b ", " ( ", ") "];
	return out
		.map((word, i) => {
			let mutated = word;
			while (next() < 0.15) {
				const at = Math.floor(next() * (mutated.length + 1));
				mutated = mutated.slice(0, at) + pick(INSERTS) + mutated.slice(at);
			}
			return i === 0 ? mutated : `${pick(separators)}${mutated}`;
		})
		.join("");
}

/** Whether a refusal is by a folded pattern (not the text form's regex or the raw entry, searched apart). */
const folded = (rule: string | null) => rule !== null && !rule.includes("^Notice") && !rule.includes("RAW");

describe("the prefilter of long texts", () => {
	const policy = compile();
	const side = (textRules(policy, "topic") ?? policy.topic).banned.normalized;

	it("decides every text as reading it in full does, refusals and their rule alike", () => {
		const next = random(20261207);
		let clean = 0;
		let refused = 0;
		for (let i = 0; i < 3000; i++) {
			const sample = text(next, 14 + Math.floor(next() * 20), i % 3);
			if (sample.length <= 64) continue;
			const quick = evaluateText(policy, "topic", "notification", sample);
			const full = explainText(policy, "topic", "notification", sample).verdict;
			expect({ sample, allowed: quick.allowed, rule: quick.rule }).toEqual({
				sample,
				allowed: full.allowed,
				rule: full.rule,
			});
			if (!full.allowed) {
				refused++;
				// Sound: a text refused by a folded pattern always may match.
				if (folded(full.rule)) expect(mayMatchReadings(side, sample), sample).toBe(true);
			} else if (!mayMatchReadings(side, sample)) clean++;
		}
		// Both kinds are well represented, and most innocent texts skip the readings.
		expect(refused).toBeGreaterThan(500);
		expect(clean).toBeGreaterThan(50);
	});

	it("finds each evasion alone in a long innocent sentence", () => {
		const filler = "Welcome to the meeting on Thursday evening, where the classic canal analysis passes";
		for (const evasion of EVASIONS) {
			for (const sample of [
				`${evasion} ${filler}`,
				`${filler} ${evasion} ${filler}`,
				`${filler} ${evasion}`,
			]) {
				const full = explainText(policy, "topic", "notification", sample).verdict;
				expect(evaluateText(policy, "topic", "notification", sample), sample).toEqual(full);
				if (!full.allowed && folded(full.rule)) expect(mayMatchReadings(side, sample), sample).toBe(true);
			}
		}
	});

	it("follows a jamo into the syllable before it, and reads a text holding jamo in parts", () => {
		const filler = "Welcome to the meeting on Thursday evening, where the classic canal analysis passes";
		const excuses = (textRules(policy, "topic") ?? policy.topic).allowedPatterns;
		// Spelled in jamo, a final taken back as the next initial (`밬` + `ㅏ`), decomposed, jamo ending it.
		for (const evasion of ["ㅂ.ㅏ.ㅋ.ㅏ.ㄹ.ㅏ", "밬ㅏ라", "바카라".normalize("NFD"), "바카ㄹㅏ"]) {
			for (const sample of [`${filler} ${evasion} ${filler}`, `${filler} ${evasion}`]) {
				const full = explainText(policy, "topic", "notification", sample).verdict;
				expect(full.rule, sample).toContain("바카라");
				expect(evaluateText(policy, "topic", "notification", sample), sample).toEqual(full);
				expect(partsThatMayMatch(side, sample, excuses), sample).not.toBeNull();
			}
		}
		// An entry going on past the syllable a jamo made, across spaces a part could be cut at.
		const compiled = compilePolicyText(
			JSON.stringify({ names: { banned: ["casino", "바카라 big win"] }, texts: { banned: "names" } }),
		);
		if (!compiled.ok) throw new Error(compiled.problem.message);
		const phrase = `${filler} 밬ㅏ라 big win tonight ${filler}`;
		expect(evaluateText(compiled.value, "topic", "notification", phrase).rule).toBe(
			'names.banned[1] "바카라 big win"',
		);
		const laughter = `${filler} ㅋㅋㅋ 한국어 ${filler}`;
		expect(partsThatMayMatch(side, laughter, excuses)).not.toBeNull();
		expect(evaluateText(policy, "topic", "notification", laughter).allowed).toBe(true);
	});

	it("lets an innocent text through without reading it in full", () => {
		const filler = "Welcome to the meeting on Thursday evening, where the classic canal analysis passes";
		for (const sample of [
			`${filler}. See you there!`,
			// `f.?ck` needs at most one unit between f and ck, even with runs collapsed.
			`${filler}. Thanks for the feedback: we check back quickly, off the clock.`,
			`${filler}: Привет, друзья! 東京 天气 한국어`,
			`${filler}: ラーメン、コーヒー、ガーデン、ｶﾞｰﾃﾞﾝ`,
			`${filler} (2024) and/or C++ at Straße 4 ﬁne café 😀`,
		]) {
			expect(mayMatchReadings(side, sample), sample).toBe(false);
			expect(evaluateText(policy, "topic", "notification", sample).allowed).toBe(true);
		}
	});

	it("keeps word entries to word edges, and follows repeats, skips and faux letters", () => {
		const filler = "Welcome to the meeting on Thursday evening, where the analysis passes";
		// `ass` inside `class` and `passes` is no word: nothing may match.
		expect(mayMatchReadings(side, `${filler} in class`)).toBe(false);
		for (const evasion of [
			"a s s",
			"fffuuuck",
			"c.a.s.i.n.o",
			"c•a•s•i•n•o",
			"саѕіnо",
			"du4bo2",
			"赌😀博",
			"赌，博",
			"a$$",
			"bo11ocks",
			"boӏӏocks",
		])
			expect(mayMatchReadings(side, `${filler} ${evasion}`), evasion).toBe(true);
	});
});

describe("the parts of a long text read alone", () => {
	const policy = compile();
	const rules = textRules(policy, "topic") ?? policy.topic;
	const parts = (text: string) => {
		const found = partsThatMayMatch(rules.banned.normalized, text, rules.allowedPatterns)?.parts ?? [];
		return Array.from({ length: found.length / 3 }, (_, i) => text.slice(found[3 * i], found[3 * i + 1]));
	};
	const filler = "Welcome to the meeting on Thursday evening, where the classic canal analysis passes";

	it("are the words around what may match, cut where no reading joins words", () => {
		expect(parts(`${filler} and c4s1no night. ${filler}`)).toEqual(["c4s1no"]);
		expect(parts(`${filler} c a s i n o ${filler}`)).toEqual(["passes c a s i n o Welcome"]);
		// An entry of two words keeps both in one part, and so does an exception holding a space.
		expect(parts(`${filler} with double penetration now`)).toEqual(["double penetration now"]);
		expect(parts(`${filler} the double penetration test today`)).toEqual(["double penetration test"]);
		expect(parts(`${filler}.`)).toEqual([]);
	});

	it("give the decision and rule of the whole text, the first entry in document order", () => {
		const small = compilePolicyText(
			JSON.stringify({
				names: {
					banned: ["casino", "shit", "cock", "fisting", "double penetration", "scam", "kill bill"],
					allowed: [
						"cocktail",
						{ match: "contains", value: "double penetration test" },
						// The same needle as a banned value: it excuses every match of it.
						{ match: "contains", value: "scam" },
					],
				},
				texts: { banned: "names" },
			}),
		);
		if (!small.ok) throw new Error(small.problem.message);
		const judge = (sample: string) => evaluateText(small.value, "topic", "notification", sample);
		const full = (sample: string) => explainText(small.value, "topic", "notification", sample).verdict;
		const cases: [string, string | null][] = [
			[`${filler}: shit and then casino`, 'names.banned[0] "casino"'],
			// An exception reaching across a space excuses the match as in the whole text.
			[`${filler} the double penetration test today`, null],
			[`${filler} the double penetration tests today`, null],
			[`${filler} the double penetration today`, 'names.banned[4] "double penetration"'],
			[`${filler} no scam today`, null],
			// A ( is read as c only when no ) closes it anywhere after it: here one does, past the part.
			[`${filler} (ock and more words here, see below) ${filler}`, null],
			[`${filler} (ock ${filler}`, 'names.banned[2] "cock"'],
			// Full-width parentheses fold to the same.
			[`${filler} （ock and more words here, see below） ${filler}`, null],
			// Past the budget of words' own mixes, the last words have none: the text is read whole.
			[`${filler} ${"1l1l ".repeat(20)}f!st|ng ${filler}`, null],
			[`${filler} f!st|ng ${filler}`, 'names.banned[3] "fisting"'],
			// Longer than 64 units as received, not once folded: read as a name, every mix of its `1 ! |`.
			[`k1ll b|ll${"\u200b".repeat(60)}`, 'names.banned[6] "kill bill"'],
		];
		for (const [sample, rule] of cases) {
			expect({ sample, rule: full(sample).rule }).toEqual({ sample, rule });
			expect(judge(sample), sample).toEqual(full(sample));
		}
	});
});

describe("a folded regex's spellings", () => {
	it("are the strings it matches, `.` as each printable ASCII character or any other unit", () => {
		const any = "\u0002";
		const fuck = regexSpellings("f.?ck", true) ?? [];
		expect(fuck).toHaveLength(1 + 96);
		for (const spelling of ["fck", "fuck", "f ck", "f*ck", `f${any}ck`]) expect(fuck).toContain(spelling);
		expect(regexSpellings("\\bV.gina", true)).toContain("vagina");
		expect(regexSpellings("ab?c??", true)).toEqual(["a", "ab", "ac", "abc"]);
		expect(regexSpellings("[a-z]+", true)).toBeNull();
		expect(regexSpellings("^spam", true)).toBeNull();
		// Too many strings, or a regex that may match nothing, say nothing about a text.
		expect(regexSpellings("a...b", true)).toBeNull();
		expect(regexSpellings("a?", true)).toBeNull();
	});
});
