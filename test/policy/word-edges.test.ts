// Matching rules added with the quality benchmark: `word-start` and `word-end` entries, folded regexes on
// the reading with runs collapsed, bare i/l strokes read both ways, kappa as k. Expectations are written
// out by hand (what a reader of the name sees), not computed by the code under test.
import { describe, expect, it } from "vitest";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateCreation, explainCreation } from "../../src/policy/engine/evaluate";
import type { CompiledPolicy } from "../../src/policy/engine/types";

function compile(banned: unknown[]): CompiledPolicy {
	const compiled = compilePolicyText(JSON.stringify({ names: { banned } }));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

const refused = (policy: CompiledPolicy, name: string) =>
	!evaluateCreation(policy, "topic", { operatorAccount: "leckie", name }).allowed;

describe("word-start and word-end entries", () => {
	const start = compile([{ match: "word-start", value: "ass" }]);
	const end = compile([{ match: "word-end", value: "shit" }]);

	it.each([
		["asshole", true],
		["big ass", true],
		["ass", true],
		["Ass-kicking", true],
		["2ass", true], // a digit is no letter: the word starts after it
		["АSSHOLE", true], // Cyrillic capital A
		["a s s h o l e", true], // separated single letters
		["class", false],
		["bass guitar", false],
		["Glassware", false],
	])("word-start ass: %s → refused %s", (name, expected) => {
		expect(refused(start, name)).toBe(expected);
	});

	it.each([
		["bullshit", true],
		["shit", true],
		["holy shit!", true],
		["bullsh1t", true],
		["shitake", false],
		["shitterton", false],
		["bullshits", false],
	])("word-end shit: %s → refused %s", (name, expected) => {
		expect(refused(end, name)).toBe(expected);
	});

	it("explains which entry matched, with its mode", () => {
		const { explanation } = explainCreation(start, "topic", { operatorAccount: "leckie", name: "my asshat" });
		expect(explanation?.match).toMatchObject({
			rule: 'names.banned[0] word-start "ass"',
			match: "word-start",
			span: { start: 3, end: 6, text: "ass" },
		});
	});

	it("refuses an unknown mode, naming it", () => {
		const compiled = compilePolicyText(
			JSON.stringify({ names: { banned: [{ match: "word-middle", value: "x" }] } }),
		);
		expect(compiled.ok).toBe(false);
		if (!compiled.ok) expect(compiled.problem.rule).toBe("names.banned[0].match");
	});
});

describe("folded regexes see runs collapsed too", () => {
	const folded = compile([{ match: "regex", value: "\\btrany", fold: true }]);
	const unfolded = compile([{ match: "regex", value: "\\btrany" }]);

	it.each(["trany", "tranny", "traaannnny", "TRАNNY fans"])("fold: %s is refused", (name) => {
		expect(refused(folded, name)).toBe(true);
	});

	it("without fold, the regex sees the text form only", () => {
		expect(refused(unfolded, "trany")).toBe(true);
		expect(refused(unfolded, "tranny")).toBe(false);
	});

	it("keeps its word boundary: a run collapsed inside a longer word does not start a word", () => {
		expect(refused(folded, "contrany")).toBe(false);
	});
});

describe("bare i/l strokes and kappa", () => {
	const policy = compile(["lip", "blowjob", "kick"]);

	it.each([
		["\u04cfip", true], // Cyrillic palochka: a bare stroke, read as l as well as i
		["b\u04cfowjob", true],
		["bl\u03bfwj\u03bfb", true], // Greek omicron
		["\u03baick", true], // Greek kappa
		["\u0138ick", true], // kra
		["\u0456ip", false], // Cyrillic і has its dot: it is an i, not an l
		["iip", false],
	])("%s → refused %s", (name, expected) => {
		expect(refused(policy, name)).toBe(expected);
	});

	it("reads a name mixing dotted i's and a stroke l with the stroke alone swapped", () => {
		const bestiality = compile(["bestiality"]);
		expect(refused(bestiality, "b\u0435st\u0456a\u04cf\u0456ty")).toBe(true);
	});
});

describe("a value of several words is also compared with its words joined", () => {
	const plain = compile(["double penetration", "赌 博"]);
	const word = compile([{ match: "word", value: "jerk off" }]);

	it.each([
		["double penetration", true],
		["d o u b l e p e n e t r a t i o n", true], // spelled letter by letter: the separators are skipped
		["d.o.u.b.l.e.p.e.n.e.t.r.a.t.i.o.n", true],
		["my d o u b l e p e n e t r a t i o n page", true],
		["doublepenetration", true], // the space dropped
		["赌博", true],
		["double pen", false],
		["penetration test", false],
		["double the penetration", false],
	])("plain %s → refused %s", (name, expected) => {
		expect(refused(plain, name)).toBe(expected);
	});

	it.each([
		["jerk off", true],
		["jerkoff", true],
		["j e r k o f f", true],
		["jerkoffs", false], // still a word entry: the joined form must end a word
		["Jerkoffice", false],
	])("word jerk off: %s → refused %s", (name, expected) => {
		expect(refused(word, name)).toBe(expected);
	});

	it("names the entry as written when the joined form matched", () => {
		const { verdict, explanation } = explainCreation(plain, "topic", {
			operatorAccount: "leckie",
			name: "d o u b l e p e n e t r a t i o n",
		});
		expect(verdict.rule).toBe('names.banned[0] "double penetration"');
		expect(explanation?.match?.value).toBe("double penetration");
		expect(explanation?.match?.span).toEqual({
			start: 0,
			end: 33,
			text: "d o u b l e p e n e t r a t i o n",
		});
	});
});
