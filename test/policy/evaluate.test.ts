// Unit tests of the pure policy: document → compile → evaluate, and the normalizer.
import { describe, expect, it } from "vitest";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateCreation, explainCreation } from "../../src/policy/engine/evaluate";
import { foldText } from "../../src/policy/engine/folding";
import { foldedValue, nameReadings } from "../../src/policy/engine/readings";
import type { CompiledPolicy } from "../../src/policy/engine/types";

function compile(document: unknown): CompiledPolicy {
	const compiled = compilePolicyText(JSON.stringify(document));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

const topic = (policy: CompiledPolicy, name: string, operatorAccount = "leckie") =>
	evaluateCreation(policy, "topic", { operatorAccount, name, type: "Community" });

const ISSUE_EXAMPLE = {
	version: "2026-11-21.1",
	mode: "enforce",
	refusal: { errorCode: 1, errorInfo: "" },
	operators: { allow: [], deny: ["spammer01"], bypass: ["administrator"] },
	names: {
		minLength: 1,
		maxLength: 50,
		banned: [
			"casino",
			{ match: "exact", value: "general" },
			{ match: "word", value: "bet" },
			{ match: "prefix", value: "admin" },
			{ match: "suffix", value: "official" },
			{ match: "glob", value: "free*money" },
			{ match: "regex", value: "^[0-9]+$", errorCode: 10101, errorInfo: "Topic names need letters" },
		],
		allowed: ["Casino Royale Book Club"],
	},
	groupCreation: {},
};

/** The folded form of each reading of a name. */
const readingsOf = (name: string) => nameReadings(name).map((reading) => reading.collapsed);
const writtenReadingsOf = (name: string) => nameReadings(name).map((reading) => reading.written);

describe("normalization", () => {
	it("folds width, case, invisibles, look-alikes and leetspeak to one folded form", () => {
		for (const name of [
			"ＣＡＳＩＮＯ",
			"ca\u200bsino",
			"cаsino",
			"c4s1no",
			"CA$INO",
			"çàsïnö",
			"c\u00adasino",
		]) {
			expect(readingsOf(name)[0], name).toBe("casino");
		}
	});

	it.each([
		["uppercase look-alikes (Cyrillic and Greek capitals)", "САЅІΝΟ"],
		["lowercase look-alikes", "саѕіnо"],
		["stroke letters", "ȼasɨnø"],
		["small capitals", "ᴄᴀꜱɪɴᴏ"],
		["circled letters", "ⒸⒶⓈⒾⓃⓄ"],
		["negative circled letters", "🅒🅐🅢🅘🅝🅞"],
		["regional indicators", "🇨🇦🇸🇮🇳🇴"],
		["parenthesised letters", "⒞⒜⒮⒤⒩⒪"],
		["mathematical letters", "𝐜𝐚𝐬𝐢𝐧𝐨"],
		["combining marks", "c\u0301a\u0308sino"],
	])("folds %s to the letters they stand for", (_, name) => {
		expect(readingsOf(name)).toContain("casino");
	});

	it("reads repeated letters collapsed, keeping each run's length", () => {
		const [reading] = nameReadings("caaasinooo");
		expect(reading?.collapsed).toBe("casino");
		expect(reading?.runs).toEqual([1, 3, 1, 1, 1, 3]);
		expect(reading?.written).toBe("caaasinooo");
	});

	it("skips separators between single letters and between Han characters, and reads 1 ! | as i or l", () => {
		expect(readingsOf("c a s i n o")).toContain("casino");
		expect(readingsOf("c.a.s.i.n.o")).toContain("casino");
		expect(readingsOf("赌 博")).toContain("赌博");
		expect(readingsOf("赌*博")).toContain("赌博");
		expect(readingsOf("赌_博")).toContain("赌博");
		expect(readingsOf("d!ck")).toContain("dick");
		expect(readingsOf("s|ut")).toContain("slut");
		expect(readingsOf("s1ut")).toContain("slut");
		// Runs between letters, each read either way (`best|a||ty`: `|` as i, then l, then i).
		expect(writtenReadingsOf("bo||ocks")).toContain("bollocks");
		expect(writtenReadingsOf("d||do")).toContain("dildo");
		expect(writtenReadingsOf("best|a||ty")).toContain("bestiality");
		expect(writtenReadingsOf("f!st|ng")).toContain("fisting");
		// A lone one at a word's edge: punctuation as written, a letter in another reading.
		expect(readingsOf("bet!")).toEqual(["bet!", "beti", "betl"]);
		expect(readingsOf("ana|")).toEqual(["ana|", "anal", "anai"]);
		expect(readingsOf("|ncest")).toContain("incest");
		// A run at a word's edge: each one as written or as l.
		expect(writtenReadingsOf("bet!!")).toEqual(["bet!!", "betl!", "bet!l", "betll"]);
		expect(writtenReadingsOf("||ama")).toEqual(["||ama", "l|ama", "|lama", "llama"]);
		// Anywhere else punctuation, and words of more than one letter keep their spaces.
		expect(readingsOf("bet ! win")).toEqual(["bet ! win"]);
		expect(writtenReadingsOf("bet !! win")).toEqual(["bet !! win"]);
		expect(readingsOf("my casino club")).toEqual(["my casino club"]);
	});

	it("folds Traditional Han to Simplified and full width to ASCII", () => {
		expect(foldedValue("賭博").written).toBe("赌博");
		expect(readingsOf("ＣＡＳＩＮＯ賭博")).toEqual(["casino赌博"]);
	});

	it("folds no ASCII letter into another (no m → rn)", () => {
		expect(readingsOf("Pompeii")[0]).toBe("pompei");
		expect(nameReadings("Pompeii")[0]?.written).toBe("pompeii");
		expect(readingsOf("Il")).toEqual(["il"]);
	});
	it("keeps the text form free of look-alike folding", () => {
		expect(foldText("  Straße\u200b  １２３ ")).toBe("strasse 123");
	});
});

describe("the example policy document", () => {
	const policy = compile(ISSUE_EXAMPLE);

	it.each([["ＣＡＳＩＮＯ night"], ["ca\u200bsino"], ["cаsino"], ["c4s1no"]])(
		"refuses %j by the plain entry casino",
		(name) => {
			expect(topic(policy, name)).toMatchObject({
				allowed: false,
				errorCode: 1,
				rule: 'names.banned[0] "casino"',
			});
		},
	);

	it.each([["Occasional"], ["alphabet soup"], ["MyFirstTopic"], ["generally speaking"], ["betting tips"]])(
		"allows %j",
		(name) => {
			expect(topic(policy, name)).toEqual({
				allowed: true,
				errorCode: 0,
				errorInfo: "",
				rule: null,
				dryRun: false,
			});
		},
	);

	it("refuses each match mode with its rule", () => {
		expect(topic(policy, "General").rule).toBe('names.banned[1] exact "general"');
		expect(topic(policy, "place your bet here").rule).toBe('names.banned[2] word "bet"');
		expect(topic(policy, "b3t!").rule).toBe('names.banned[2] word "bet"');
		expect(topic(policy, "Administrators lounge").rule).toBe('names.banned[3] prefix "admin"');
		expect(topic(policy, "my admin").allowed).toBe(true);
		expect(topic(policy, "Stream Official").rule).toBe('names.banned[4] suffix "official"');
		expect(topic(policy, "official stream").allowed).toBe(true);
		expect(topic(policy, "Free easy Money").rule).toBe('names.banned[5] glob "free*money"');
		expect(topic(policy, "get free money").allowed).toBe(true);
	});

	it("gives a regex entry's own code, matching digits on the text form", () => {
		expect(topic(policy, "12345")).toEqual({
			allowed: false,
			errorCode: 10101,
			errorInfo: "Topic names need letters",
			rule: 'names.banned[6] regex "^[0-9]+$"',
			dryRun: false,
		});
		expect(topic(policy, "１２３").errorCode).toBe(10101);
	});

	it("lets an allowed exception through, but not a look-alike of it", () => {
		expect(topic(policy, "casino royale  book club")).toMatchObject({
			allowed: true,
			rule: 'names.allowed[0] "Casino Royale Book Club"',
		});
		expect(topic(policy, "Cаsino Royale Book Club").allowed).toBe(false);
	});

	it("applies the operator rules first", () => {
		expect(topic(policy, "MyFirstTopic", "spammer01")).toMatchObject({
			allowed: false,
			rule: "operators.deny",
		});
		expect(topic(policy, "casino", "administrator")).toMatchObject({
			allowed: true,
			rule: "operators.bypass",
		});
	});

	it("counts lengths after normalization", () => {
		expect(topic(policy, "\u200b \u200b").rule).toBe("names.minLength");
		expect(topic(policy, "x".repeat(51)).rule).toBe("names.maxLength");
		expect(topic(policy, "ｘ".repeat(50)).allowed).toBe(true);
	});

	it("applies the topic rules to groups through an empty groupCreation", () => {
		expect(evaluateCreation(policy, "group", { operatorAccount: "a", name: "casino" }).rule).toBe(
			'names.banned[0] "casino"',
		);
	});
});

describe("matching v2", () => {
	const policy = compile({
		names: {
			banned: [
				"porn",
				"dick",
				{ match: "word", value: "bet" },
				"boob",
				"赌博",
				{ match: "regex", value: "fre+ money", fold: true },
				{ match: "regex", value: "^slur$" },
			],
			allowed: [
				{ match: "contains", value: "dickens" },
				{ match: "word", value: "benedick" },
				"Casino Royale Book Club",
			],
		},
	});
	const rule = (name: string) => topic(policy, name).rule;

	it("refuses the evasions of each class", () => {
		expect(rule("p0rn")).toBe('names.banned[0] "porn"');
		expect(rule("ᴘᴏʀɴ")).toBe('names.banned[0] "porn"');
		expect(rule("p o r n")).toBe('names.banned[0] "porn"');
		expect(rule("pooorn")).toBe('names.banned[0] "porn"');
		expect(rule("d!ck")).toBe('names.banned[1] "dick"');
		expect(rule("b00000b")).toBe('names.banned[3] "boob"');
		expect(rule("賭博")).toBe('names.banned[4] "赌博"');
		expect(rule("赌 博")).toBe('names.banned[4] "赌博"');
		expect(rule("大赌博场")).toBe('names.banned[4] "赌博"');
		expect(rule("frēē money")).toBe('names.banned[5] regex "fre+ money"');
	});

	it("reads runs of ! and | between letters, and a lone one at a word's edge, as i or l", () => {
		const bang = compile({
			names: { banned: ["bollocks", "dildo", "fisting", "hentai", { match: "word-start", value: "anal" }] },
		});
		const refused = (name: string) => !topic(bang, name).allowed;
		for (const name of [
			"bo||ocks fans",
			"d||do",
			"d!|do",
			"my f!st|ng page",
			"henta!",
			"henta| night",
			"The ana| Club",
		])
			expect(refused(name), name).toBe(true);
		// At a word's end too: a lone `!` as l (`Ana!` reads `anal`), a doubled one as ll.
		for (const name of ["Ana!", "Go Ana! Go", "ana||", "ana!! fans", "my ana!| page"])
			expect(refused(name), name).toBe(true);
		// A run that touches no letter stays punctuation; so does `!` after a space.
		for (const name of ["bo || ocks", "Ana ! Go", "Ana !! Go", "ban!"])
			expect(refused(name), name).toBe(false);
	});

	it("no longer refuses names the m → rn look-alike made guilty", () => {
		expect(rule("Pompeii")).toBeNull();
		expect(rule("pomegranate")).toBeNull();
		expect(rule("homegrown")).toBeNull();
	});

	it("counts a run in a name only when it is at least as long as the value's", () => {
		expect(rule("bob")).toBeNull();
		expect(rule("boob")).toBe('names.banned[3] "boob"');
	});

	it("ends a word at a digit: bet2win is refused by the word bet, alphabet is not", () => {
		expect(rule("bet2win")).toBe('names.banned[2] word "bet"');
		expect(rule("2bet")).toBe('names.banned[2] word "bet"');
		expect(rule("alphabet soup")).toBeNull();
		expect(rule("betting")).toBeNull();
	});

	it("ignores a banned match lying wholly inside an allowed pattern's span, and only that one", () => {
		expect(rule("Dickens Fans")).toBeNull();
		expect(rule("Benedick")).toBeNull();
		expect(rule("Dickens fans dick")).toBe('names.banned[1] "dick"');
		// A regex without fold sees the text form: only a whole-name exception excuses it.
		expect(rule("slur")).toBe('names.banned[6] regex "^slur$"');
	});

	it("looks past a folded regex match lying inside an allowed span, to its next match and the next entry", () => {
		const folded = compile({
			names: {
				banned: [
					{ match: "regex", value: "f.?ck", fold: true },
					{ match: "regex", value: "sh.t", fold: true },
				],
				allowed: [{ match: "word", value: "fackelman" }],
			},
		});
		const ruleOf = (name: string) => topic(folded, name).rule;
		expect(ruleOf("Fackelman")).toBeNull();
		expect(ruleOf("Fackelman fack")).toBe('names.banned[0] regex "f.?ck"');
		expect(ruleOf("Fackelman shit")).toBe('names.banned[1] regex "sh.t"');
	});

	it("explains a refusal: folded form, span in the name, entry", () => {
		const { verdict, explanation } = explainCreation(policy, "topic", {
			operatorAccount: "a",
			name: "My P 0 R N club",
		});
		expect(verdict.allowed).toBe(false);
		expect(explanation).toMatchObject({
			text: "my p 0 r n club",
			normalized: "my p o r n club",
			match: {
				rule: 'names.banned[0] "porn"',
				entry: 0,
				match: "plain",
				value: "porn",
				reading: "separators skipped",
				span: { start: 3, end: 10, text: "P 0 R N" },
			},
			exceptions: [],
		});
	});

	it("explains an exception: the allowed entry, its span and the match it excused", () => {
		const { verdict, explanation } = explainCreation(policy, "topic", {
			operatorAccount: "a",
			name: "Dickens Fans",
		});
		expect(verdict).toMatchObject({ allowed: true, rule: null });
		expect(explanation?.match).toBeNull();
		expect(explanation?.exceptions).toEqual([
			{
				rule: 'names.allowed[0] contains "dickens"',
				span: { start: 0, end: 7, text: "Dickens" },
				excused: { rule: 'names.banned[1] "dick"', span: { start: 0, end: 4, text: "Dick" } },
			},
		]);
	});
});
