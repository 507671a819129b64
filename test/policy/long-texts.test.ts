// Long texts (notifications, introductions): a text longer than a topic name reads its other readings
// (separators skipped, `1 ! |` read otherwise, faux Cyrillic and Greek as Latin) only in windows around the
// units where they differ from the text as written. These cases put the only match of a banned entry in
// such a reading at the start, in the middle and at the end of a long text, and put the patterns that look
// at a reading's edges (prefix, suffix, anchored regexes, word edges) where a window begins or ends.

import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateCreation } from "../../src/policy/engine/evaluate";
import { RegexMatchers, regexSpan, requiredPieces } from "../../src/policy/engine/matcher";
import { nameReadings } from "../../src/policy/engine/readings";
import { evaluateText, explainText } from "../../src/policy/engine/texts";
import type { CompiledPolicy } from "../../src/policy/engine/types";

function compile(banned: unknown[], allowed: unknown[] = []): CompiledPolicy {
	const compiled = compilePolicyText(
		JSON.stringify({ names: { banned, allowed }, texts: { banned: "names" } }),
	);
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

/** An innocent sentence of 104 characters: every text below is longer than a topic name. */
const FILLER =
	"Welcome to the new members who joined this month. Our next gathering is on Sunday at the community hall.";

const judge = (policy: CompiledPolicy, text: string) => {
	const verdict = evaluateText(policy, "topic", "notification", text);
	return { text, allowed: verdict.allowed, rule: verdict.rule };
};
const refused = (text: string, rule: string) => ({ text, allowed: false, rule });
const allowed = (text: string) => ({ text, allowed: true, rule: null });

describe("long texts", () => {
	const policy = compile(["casino", "kill", { match: "word", value: "bet" }]);

	it("find a match only a mixed reading holds (`1` as l) at the start, in the middle and at the end", () => {
		for (const text of [
			`ki11 them all. ${FILLER}`,
			`${FILLER} Then ki11 the lights. ${FILLER}`,
			`${FILLER} ${FILLER} ki11`,
			`${FILLER}!ki11`,
		]) {
			expect(judge(policy, text)).toEqual(refused(text, 'names.banned[1] "kill"'));
		}
	});

	it("find a word spelled letter by letter, and faux letters read as Latin, anywhere in the text", () => {
		for (const text of [
			`c a s i n o tonight. ${FILLER}`,
			`${FILLER} Come to the c a s i n o tonight. ${FILLER}`,
			`${FILLER} ${FILLER} c.a.s.i.n.o`,
			`сдѕіио tonight. ${FILLER}`,
			`${FILLER} Come to the сдѕіио tonight. ${FILLER}`,
			`${FILLER} come to my cдsino`,
		]) {
			expect(judge(policy, text)).toEqual(refused(text, 'names.banned[0] "casino"'));
		}
	});

	it("with a faux word and an ambiguous `!` far apart, reads each where it is", () => {
		const faux = `Great news, everyone! ${FILLER} See you at the сдѕіио`;
		expect(judge(policy, faux)).toEqual(refused(faux, 'names.banned[0] "casino"'));
		const mixed = `Come and ki11 time with us! ${FILLER} Мы ждём вас, друзья: подарок для всех`;
		expect(judge(policy, mixed)).toEqual(refused(mixed, 'names.banned[1] "kill"'));
		const innocent = `Great news, everyone! ${FILLER} Мы ждём вас, друзья: подарок для всех! Bring a ladder.`;
		expect(judge(policy, innocent)).toEqual(allowed(innocent));
	});

	it("keep word edges where a window begins or ends", () => {
		// The words before the spelled-out letters are `alphabet`, those after are `bets`, and a word of a few
		// other letters in between moves where a window's edge falls: a window cut inside one of them would
		// read `bet` as a word.
		for (let shift = 0; shift < 10; shift++) {
			const pad = "qwrtyuiozx".slice(0, shift);
			const inside = `${"alphabet ".repeat(12)}${pad} a b c ${pad} ${"bets ".repeat(12)}${FILLER}`;
			expect(judge(policy, inside)).toEqual(allowed(inside));
			const word = `${"alphabet ".repeat(12)}${pad} a b c ${pad} ${"bets ".repeat(12)}bet ${FILLER}`;
			expect(judge(policy, word)).toEqual(refused(word, 'names.banned[2] word "bet"'));
		}
	});

	it("find an entry of several words whose only differing unit is in its first word", () => {
		const words = compile(["kill them all"]);
		const text = `${FILLER} Go ki11 them all tonight. ${FILLER}`;
		expect(judge(words, text)).toEqual(refused(text, 'names.banned[0] "kill them all"'));
		const last = `${FILLER} Go kill them a11 tonight. ${FILLER}`;
		expect(judge(words, last)).toEqual(refused(last, 'names.banned[0] "kill them all"'));
	});

	it("match a prefix or suffix entry at the text's own edges only, not where a window begins or ends", () => {
		const edges = compile([
			{ match: "prefix", value: "poker" },
			{ match: "suffix", value: "drugs" },
		]);
		// Every word before (or after) the letters spelled out is the entry's, so that some window of the
		// reading with separators skipped begins (or ends) on one, whatever its margin.
		const middle = `x ${"poker ".repeat(30)}a b c ${FILLER}`;
		expect(judge(edges, middle)).toEqual(allowed(middle));
		const start = `${"poker ".repeat(30)}a b c ${FILLER}`;
		expect(judge(edges, start)).toEqual(refused(start, 'names.banned[0] prefix "poker"'));
		const before = `${FILLER} a b c${" drugs".repeat(30)} x`;
		expect(judge(edges, before)).toEqual(allowed(before));
		const end = `${FILLER} a b c${" drugs".repeat(30)}`;
		expect(judge(edges, end)).toEqual(refused(end, 'names.banned[1] suffix "drugs"'));
	});

	it("match an anchored folded regex at the text's start only", () => {
		const anchored = compile([{ match: "regex", value: "^gamble", fold: true }]);
		const middle = `x ${"gamble ".repeat(30)}a b c! ${FILLER}`;
		expect(judge(anchored, middle)).toEqual(allowed(middle));
		const start = `${"gamble ".repeat(30)}a b c! ${FILLER}`;
		expect(judge(anchored, start)).toEqual(refused(start, 'names.banned[0] regex "^gamble"'));
	});

	it("find a bounded folded regex only a mixed reading holds", () => {
		const wildcard = compile([{ match: "regex", value: "k.?ll", fold: true }]);
		const text = `${FILLER} Then k1l the lights. ${FILLER}`;
		expect(judge(wildcard, text)).toEqual(refused(text, 'names.banned[0] regex "k.?ll"'));
		expect(judge(wildcard, `${FILLER} ${FILLER}`)).toEqual(allowed(`${FILLER} ${FILLER}`));
	});

	it("excuse a match only a mixed reading holds when an allowed pattern covers it, and no other", () => {
		// An exception excuses a digit read as a letter only when it is written with that digit itself.
		const excusing = compile(["kill"], [{ match: "contains", value: "ski11" }]);
		const excused = `${FILLER} Learn a new ski11 today! ${FILLER}`;
		expect(judge(excusing, excused)).toEqual(allowed(excused));
		const both = `${FILLER} Learn a new ski11 today, then ki11 the lights! ${FILLER}`;
		expect(judge(excusing, both)).toEqual(refused(both, 'names.banned[0] "kill"'));
		const none = `${FILLER} Then ki11 the lights! ${FILLER}`;
		expect(judge(excusing, none)).toEqual(refused(none, 'names.banned[0] "kill"'));
	});

	it("look for an allowed pattern longer than every banned value as far as it reaches", () => {
		const long = compile(["kill"], [{ match: "contains", value: "ski11ful hands of the old master" }]);
		const excused = `${FILLER} Watch the ski11ful hands of the old master at work. ${FILLER}`;
		expect(judge(long, excused)).toEqual(allowed(excused));
		const cut = `${FILLER} Watch the ski11ful hands of the old masons at work. ${FILLER}`;
		expect(judge(long, cut)).toEqual(refused(cut, 'names.banned[0] "kill"'));
	});

	it("excuse a match by an exact allowed pattern that only the whole of a reading equals", () => {
		// The faux reading of the whole text is the exception: a window of it never is.
		const exact = compile(["casino"], [{ match: "exact", value: `${FILLER} Come to the casino tonight` }]);
		const text = `${FILLER} Come to the сдѕіио tonight`;
		expect(judge(exact, text)).toEqual(allowed(text));
		const creation = (name: string) =>
			evaluateCreation(exact, "topic", { operatorAccount: "leckie", name }).allowed;
		expect(creation(text)).toBe(true);
		const other = `${FILLER} Come to the сдѕіио today`;
		expect(judge(exact, other)).toEqual(refused(other, 'names.banned[0] "casino"'));
		expect(creation(other)).toBe(false);
	});

	it("explain a match only a mixed reading holds with its span in the text", () => {
		const text = `${FILLER} Then ki11 the lights. ${FILLER}`;
		const { verdict, explanation } = explainText(policy, "topic", "notification", text);
		expect(verdict.allowed).toBe(false);
		expect(explanation?.match?.reading).toBe("1 ! | as i or l");
		const at = FILLER.length + " Then ".length;
		expect(explanation?.match?.span).toEqual({ start: at, end: at + 4, text: "ki11" });
	});
});

describe("regexSpan", () => {
	it("bounds a regex without open repetition or anchors by at least its longest match", () => {
		// f.?ck matches at most 4 characters; x{3}y{2} at most 5; (ab|cde){2} at most 6.
		expect(regexSpan("f.?ck")).toBeGreaterThanOrEqual(4);
		expect(regexSpan("x{3}y{2}")).toBeGreaterThanOrEqual(5);
		expect(regexSpan("(ab|cde){2}")).toBeGreaterThanOrEqual(6);
		expect(regexSpan("\\bv.?gina")).toBeGreaterThanOrEqual(6);
	});

	it("gives no bound for open repetition or anchors", () => {
		for (const pattern of ["a+", "ca*t", "a{2,}", "^cat", "cat$", "\\Acat", "cat\\z", "(?m)^cat"]) {
			expect(regexSpan(pattern), pattern).toBe(-1);
		}
	});
});

describe("the regexes' letter pieces", () => {
	it("are the runs of plain letters every match holds, or nothing for other patterns", () => {
		expect(requiredPieces("f.?ck")).toEqual(["f", "ck"]);
		expect(requiredPieces("\\bV.?GINA")).toEqual(["v", "gina"]);
		expect(requiredPieces("\\bV.?GINA", false)).toEqual(["V", "GINA"]);
		expect(requiredPieces("ab?c")).toEqual(["a", "c"]);
		expect(requiredPieces("a??b")).toEqual(["b"]);
		for (const pattern of ["a*b", "a+", "(ab)", "a|b", "[ab]", "\\d", "a{2}", "^ab", "é"]) {
			expect(requiredPieces(pattern), pattern).toBeNull();
		}
	});

	/** The entries a set of regexes offers for `subject`, each once. */
	const offered = (matchers: RegexMatchers, subject: string) => {
		const entries: number[] = [];
		matchers.matches(subject, Number.POSITIVE_INFINITY, true, (entry) => {
			entries.push(entry);
			return false;
		});
		return entries;
	};

	it("leave out no match: capitals, the long s and the Kelvin sign match without case", () => {
		const caseless = new RegexMatchers([0, 1], ["k.?ll", "a.?s"], RE2JS.CASE_INSENSITIVE);
		expect(offered(caseless, "nothing to see here")).toEqual([]);
		expect(offered(caseless, "then kxll the lights")).toEqual([0]);
		expect(offered(caseless, "then KILL the lights")).toEqual([0]);
		expect(offered(caseless, "then \u212Aill the lights")).toEqual([0]);
		expect(offered(caseless, "an a\u017F here")).toEqual([1]);
		const cased = new RegexMatchers([0], ["k.?ll"], 0);
		expect(offered(cased, "then KILL the lights")).toEqual([]);
		expect(offered(cased, "then kill the lights")).toEqual([0]);
		// A pattern the pieces say nothing about is always run.
		const other = new RegexMatchers([0, 1], ["k.?ll", "[xyz]{3}"], RE2JS.CASE_INSENSITIVE);
		expect(offered(other, "xyz")).toEqual([1]);
	});
});

describe("a word's own `1 ! |` in a long text", () => {
	const policy = compile(["bestiality", "fisting", "kill", { match: "word-start", value: "anal" }]);

	it("are read every way while that word has few of them, wherever the word is", () => {
		for (const [text, rule] of [
			[`best|a||ty fans. ${FILLER}`, 'names.banned[0] "bestiality"'],
			[`${FILLER} Then best|a||ty! ${FILLER}`, 'names.banned[0] "bestiality"'],
			[`${FILLER} my f!st|ng page`, 'names.banned[1] "fisting"'],
			[`${FILLER} Go ana! Go`, 'names.banned[3] word-start "anal"'],
			[`${FILLER} we k1!! them all!`, 'names.banned[2] "kill"'],
		] as const) {
			expect(judge(policy, text)).toEqual(refused(text, rule));
			// The explanation reads the same windows and finds the same entry.
			expect(explainText(policy, "topic", "notification", text).verdict.rule).toBe(rule);
		}
	});

	it("are read every way in a name with too many to mix all of them together", () => {
		// 8 ways in each word, 64 in the name: past 8, only the word's own are mixed every way.
		const name = "f!st|ng best|a||ty";
		expect(judge(policy, name)).toEqual(refused(name, 'names.banned[0] "bestiality"'));
		const creation = compilePolicyText(JSON.stringify({ names: { banned: ["bestiality"] } }));
		if (!creation.ok) throw new Error(creation.problem.message);
		expect(evaluateCreation(creation.value, "topic", { operatorAccount: "leckie", name }).allowed).toBe(
			false,
		);
	});

	it("leave the other words as written, and punctuation apart from a word alone", () => {
		for (const text of [`${FILLER} best | a || ty`, `${FILLER} Go ana ! Go`, `${FILLER} See you at noon!`])
			expect(judge(policy, text)).toEqual(allowed(text));
	});
});

describe("the readings of words' own mixes", () => {
	it("are at most 32 for one text, however many words want them", () => {
		const text = "ana! ".repeat(200);
		const readings = nameReadings(text, undefined, -1, () => 8);
		const mixed = readings.filter((reading) => reading.label === "1 ! | as i or l");
		// The reading where each reads otherwise, then one window per word's own mix, up to the bound.
		expect(mixed.length).toBeGreaterThan(2);
		expect(mixed.length).toBeLessThanOrEqual(1 + 32);
		expect(mixed.slice(1).every((reading) => reading.end - reading.start < text.length)).toBe(true);
	});
});
