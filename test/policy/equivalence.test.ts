// The compiled policy against its definition: the text form's ASCII fast path against the general path,
// the readings' spans against the name, and the automaton-based banned list against a plain loop over
// the entries and the readings, on generated policies and names built to overlap (shared prefixes,
// look-alikes, leetspeak, repeated letters, separators, word boundaries).
import { RE2JS } from "re2js";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { parsePolicyText } from "../../src/policy/document/parse";
import { type BannedEntry, PolicyDocumentSchema } from "../../src/policy/document/schema";
import { findAll } from "../../src/policy/engine/automaton";
import { buildAutomaton } from "../../src/policy/engine/automaton-build";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateCreation } from "../../src/policy/engine/evaluate";
import {
	characterCount,
	foldedLengthBound,
	foldText,
	isWordCharacterAt,
	LOWERED_ALIKE_RANGES,
	MOST_UNITS_FOLDED,
} from "../../src/policy/engine/folding";
import { foldedValue, nameReadings, type Reading } from "../../src/policy/engine/readings";
import { random } from "../../tools/lib/policy-fixture.mjs";

// The normalizer's definition, written the plain way: the text form and the skeleton as first specified.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]/gu;
function foldTextReference(name: string): string {
	const visible = name.normalize("NFKC").replace(INVISIBLE, "");
	return visible.toUpperCase().toLowerCase().normalize("NFKC").replace(/\s+/gu, " ").trim();
}

/**
 * The glob oracle, written independently of src's matcher: the glob's pieces (split at `*`) become one
 * anchored JavaScript regular expression, each `*` any run of UTF-16 units. Fine for the short names here.
 */
function globOracle(pieces: readonly string[], text: string): boolean {
	const escaped = pieces.map((piece) => piece.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"));
	return new RegExp(`^${escaped.join("[\\s\\S]*")}$`).test(text);
}

const ASCII = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c));

/**
 * Every unit of every reading points at a span of the name, in order; collapsing keeps the written units
 * (runs add up to the written length).
 */
function expectSpansInName(name: string): void {
	for (const reading of nameReadings(name)) {
		const context = `${JSON.stringify(name)} ${reading.label}`;
		expect(
			reading.runs.reduce((a, b) => a + b, 0),
			context,
		).toBe(reading.written.length);
		expect(reading.collapsed.length, context).toBe(reading.runs.length);
		let previous = 0;
		for (let i = 0; i < reading.collapsed.length; i++) {
			const from = reading.from[i] as number;
			const to = reading.to[i] as number;
			expect(from >= previous && from < to && to <= name.length, context).toBe(true);
			previous = from;
		}
	}
}

describe("the normalizer", () => {
	it("gives the definition's text form for every pair of ASCII characters", () => {
		for (const a of ASCII) {
			for (const b of ASCII) {
				const text = `${a}${b}`;
				expect(foldText(text), JSON.stringify(text)).toBe(foldTextReference(text));
				expectSpansInName(text);
			}
		}
		// 9,025 pairs, each folded twice: CPU only, which a loaded two-core machine stretches past 5 s.
	}, 60_000);

	it("gives the definition's forms and length for random strings of any script", () => {
		const next = random(4);
		const pick = [
			..."aAmMiI01 4$@€\t\u00a0\u3000",
			"\u200b",
			"\u00ad",
			"\u0430",
			"\u0441",
			"\u0301",
			"é",
			"ß",
			"ẞ",
			"ς",
			"Σ",
			"ﬁ",
			"Ⅻ",
			"①",
			"ｃ",
			"℃",
			"ℓ",
			"丁",
			"話",
			"\u{1d4d2}",
			"\u{1f600}",
			"\ud800",
			"\udc00",
			"İ",
			"\u0627",
			"\u0660",
			// Spaces around words of other scripts, which the text form folds word by word.
			"  ",
			" ",
			"\u0345",
			"ǅ",
			"ΐ",
			"ŉ",
			"\u1d2c",
			// Words that fold to their lower case, and their neighbours that do not.
			"λ",
			"Λ",
			"σ",
			"д",
			"Д",
			"か",
			"\u3099",
			"가",
			"\u11a8",
			"À",
			"ŀ",
			"\ufdfa",
			"\u3316",
		];
		for (let n = 0; n < 10000; n++) {
			let text = "";
			const length = Math.floor(next() * 10);
			for (let i = 0; i < length; i++) text += pick[Math.floor(next() * pick.length)];
			expect(foldText(text), JSON.stringify(text)).toBe(foldTextReference(text));
			expectSpansInName(text);
			expect(characterCount(text), JSON.stringify(text)).toBe([...text].length);
			const outside = [...text].reduce((sum, c) => sum + (c.charCodeAt(0) >= 0x80 ? c.length : 0), 0);
			expect(foldText(text).length).toBeLessThanOrEqual(foldedLengthBound(text.length, outside));
		}
	});

	it("makes no character's text form longer than the most units it allows a unit", () => {
		let longest = 0;
		const longer: string[] = [];
		for (let code = 0x80; code <= 0x10ffff; code++) {
			if (code >= 0xd800 && code <= 0xdfff) continue;
			const character = String.fromCodePoint(code);
			// Before invisible characters are removed and white space is folded and trimmed, which only
			// shorten: what the character may make beside others.
			const folded = character.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC").length;
			if (folded > MOST_UNITS_FOLDED * character.length) longer.push(`U+${code.toString(16)}`);
			longest = Math.max(longest, folded);
		}
		expect(longer).toEqual([]);
		// U+FDFA, the longest: a bound above it would still hold, but read fewer texts without their form.
		expect(longest).toBe(MOST_UNITS_FOLDED);
	}, 60_000);

	it("folds the characters it only changes the case of as the definition does, alone and beside letters", () => {
		// The characters that end a canonical decomposition: NFKC may join them to the character before.
		const joiners = new Set<number>();
		for (let code = 0; code <= 0x10ffff; code++) {
			if (code >= 0xd800 && code <= 0xdfff) continue;
			const character = String.fromCodePoint(code);
			const parts = [...character.normalize("NFD")];
			for (const part of parts.slice(1)) joiners.add(part.codePointAt(0) as number);
		}
		// Letters of each script beside them: a mark or a jamo would join one, a sigma would end a word.
		const neighbours = ["a", "É", "Λ", "σ", "Д", "か", "가", "1"];
		let checked = 0;
		for (const [first, last] of LOWERED_ALIKE_RANGES) {
			// Han and Hangul syllables (thousands alike): every 13th beside letters, each alone.
			const stride = last - first > 1000 ? 13 : 1;
			for (let code = first; code <= last; code++) {
				const character = String.fromCharCode(code);
				const context = `U+${code.toString(16)}`;
				expect(joiners.has(code) || /[\p{M}\s]/u.test(character), context).toBe(false);
				expect(foldText(character), context).toBe(foldTextReference(character));
				for (const neighbour of (code - first) % stride === 0 ? neighbours : []) {
					for (const text of [neighbour + character, `${character}${neighbour} x`]) {
						expect(foldText(text), `${context} in ${text}`).toBe(foldTextReference(text));
					}
				}
				checked++;
			}
		}
		expect(checked).toBeGreaterThan(39_000);
	}, 60_000);

	it("gives the definition's text form for random ASCII strings", () => {
		const next = random(1);
		const pick = " \t\n  aAbBiIlLmM01345789$@%|`\"'_-*!.xyzXYZ";
		for (let n = 0; n < 5000; n++) {
			let text = "";
			const length = Math.floor(next() * 12);
			for (let i = 0; i < length; i++) text += pick.charAt(Math.floor(next() * pick.length));
			expect(foldText(text), JSON.stringify(text)).toBe(foldTextReference(text));
			expectSpansInName(text);
		}
	});
});

describe("the automaton", () => {
	// Few needles over a small alphabet (states with few children), and many over a wider one, so that
	// states near the root have rows of the complete transition function: names then also hold ASCII
	// letters no needle has (x, y, z), and non-ASCII code units at those states.
	it.each([
		{ needleAlphabet: "abcab\u0430\u00e9\u{1f600}", textAlphabet: "", most: 40, rounds: 50 },
		{ needleAlphabet: "abcdefgh\u00e9", textAlphabet: "xyz \u0430", most: 600, rounds: 12 },
	])(
		"finds every occurrence of every needle, as a scan of each needle would ($needleAlphabet, up to $most needles)",
		({ needleAlphabet, textAlphabet, most, rounds }) => {
			const next = random(2);
			const draw = (max: number, alphabet: string) => {
				let out = "";
				const length = 1 + Math.floor(next() * max);
				for (let i = 0; i < length; i++) out += [...alphabet][Math.floor(next() * [...alphabet].length)];
				return out;
			};
			for (let round = 0; round < rounds; round++) {
				const count = 1 + Math.floor(next() * most);
				const needles = [...new Set(Array.from({ length: count }, () => draw(4, needleAlphabet)))];
				const automaton = buildAutomaton(needles);
				if (most > 100) expect(automaton.rows.length).toBeGreaterThan(0);
				expect(automaton.rows.length).toBeLessThanOrEqual(Math.max(automaton.states, 4096));
				for (let t = 0; t < 20; t++) {
					const text = draw(16, needleAlphabet + textAlphabet);
					const found: string[] = [];
					findAll(automaton, text, (needle, start, end) => found.push(`${needle}@${start}-${end}`));
					const expected: string[] = [];
					for (let end = 1; end <= text.length; end++) {
						needles.forEach((needle, id) => {
							if (end >= needle.length && text.slice(end - needle.length, end) === needle) {
								expected.push(`${id}@${end - needle.length}-${end}`);
							}
						});
					}
					expect(found.sort(), `${JSON.stringify(needles)} in ${JSON.stringify(text)}`).toEqual(
						expected.sort(),
					);
				}
			}
		},
	);
});

/** Start offsets (in collapsed units) where `value` occurs in the reading with runs at least as long. */
function occurrences(reading: Reading, value: { collapsed: string; runs: number[] }): number[] {
	const found: number[] = [];
	for (let at = 0; at + value.collapsed.length <= reading.collapsed.length; at++) {
		if (reading.collapsed.slice(at, at + value.collapsed.length) !== value.collapsed) continue;
		if (value.runs.every((run, k) => (reading.runs[at + k] as number) >= run)) found.push(at);
	}
	return found;
}

/** The first entry refusing `name`, by a plain loop over the entries, the readings and each mode's definition. */
function firstBannedByLoop(entries: readonly BannedEntry[], name: string): number {
	const text = foldTextReference(name);
	const readings = nameReadings(name);
	for (const [index, item] of entries.entries()) {
		const entry = typeof item === "string" ? { value: item } : item;
		const mode = entry.match ?? "plain";
		if (entry.normalize === false) {
			if (mode === "regex") {
				if (RE2JS.compile(entry.value, 0).matcher(name).find()) return index;
			} else if (mode === "glob") {
				if (globOracle(entry.value.split("*"), name)) return index;
			} else if (rawMatches(mode, entry.value, name)) {
				return index;
			}
			continue;
		}
		if (mode === "regex") {
			if (RE2JS.compile(entry.value, RE2JS.CASE_INSENSITIVE).matcher(text).find()) return index;
			continue;
		}
		for (const reading of readings) {
			if (mode === "glob") {
				const pieces = entry.value.split("*").map((piece) => foldedValue(piece).written);
				if (globOracle(pieces, reading.written)) return index;
				continue;
			}
			// The value as written and, for several words, the words joined (docs/policy.md).
			const asWritten = foldedValue(entry.value);
			const joined = foldedValue(entry.value.replace(/\s+/gu, ""));
			const values = [asWritten];
			if (asWritten.written.includes(" ") && joined.written !== "" && !joined.written.includes(" "))
				values.push(joined);
			if (mode === "exact") {
				if (values.some((value) => reading.written === value.written)) return index;
				continue;
			}
			for (const value of values)
				for (const at of occurrences(reading, value)) {
					const end = at + value.collapsed.length;
					// A `!` or `|` read as l ending a word is only taken by a match from that word's start.
					const tail = reading.tails?.slice(at, end).includes(1) === true;
					if (tail && reading.word[at - 1] === 1) continue;
					if (
						mode === "plain" ||
						(mode === "prefix" && at === 0) ||
						(mode === "suffix" && end === reading.collapsed.length) ||
						(mode === "word" && reading.word[at - 1] !== 1 && reading.word[end] !== 1)
					) {
						return index;
					}
				}
		}
	}
	return -1;
}

/** A `normalize: false` entry's mode, on the name as received. */
function rawMatches(mode: string, value: string, name: string): boolean {
	if (mode === "exact") return name === value;
	if (mode === "plain") return name.includes(value);
	if (mode === "prefix") return name.startsWith(value);
	if (mode === "suffix") return name.endsWith(value);
	for (let at = name.indexOf(value); at >= 0; at = name.indexOf(value, at + 1)) {
		if (!isWordCharacterAt(name, at - 1) && !isWordCharacterAt(name, at + value.length)) return true;
	}
	return false;
}

describe("the compiled banned list", () => {
	const MODES = ["plain", "plain", "word", "prefix", "suffix", "exact", "glob", "regex"] as const;
	const PIECES = [
		"a",
		"b",
		"ab",
		"ba",
		"m",
		"rn",
		"I",
		"l",
		"0",
		"o",
		" ",
		"4",
		"\u0430",
		"\u200b",
		"é",
		"ß",
		"ss",
		"B",
		"aa",
		"1",
		"!",
		"|",
		".",
		"赌",
		"賭",
		"博",
	];
	const REGEXES = ["^[0-9]+$", "ab+a", "^b", "a$", "(ab|ba)a", "[lI]{2}", "rn\\s"];

	function draw(next: () => number, pieces: number): string {
		let out = "";
		for (let i = 0; i < pieces; i++) out += PIECES[Math.floor(next() * PIECES.length)];
		return out;
	}

	it("refuses by the same entry as a plain loop over the entries, for every name", () => {
		const next = random(3);
		for (let round = 0; round < 40; round++) {
			const entries: BannedEntry[] = [];
			const count = 1 + Math.floor(next() * 30);
			while (entries.length < count) {
				const mode = MODES[Math.floor(next() * MODES.length)] ?? "plain";
				const normalize = next() < 0.8 ? undefined : false;
				let value = draw(next, 1 + Math.floor(next() * 3));
				if (mode === "regex") value = REGEXES[Math.floor(next() * REGEXES.length)] ?? "a";
				if (mode === "glob") value = `${next() < 0.3 ? "" : value}*${draw(next, Math.floor(next() * 2))}`;
				if (normalize === undefined && mode !== "regex" && mode !== "glob") {
					if (foldedValue(value).written === "") continue;
				}
				entries.push(mode === "plain" && normalize === undefined ? value : { match: mode, value, normalize });
			}
			const compiled = compilePolicyText(JSON.stringify({ names: { banned: entries } }));
			if (!compiled.ok) throw new Error(compiled.problem.message);
			for (let n = 0; n < 60; n++) {
				const name = draw(next, 1 + Math.floor(next() * 6));
				const expected = firstBannedByLoop(entries, name);
				const verdict = evaluateCreation(compiled.value, "topic", { operatorAccount: "leckie", name });
				const context = `${JSON.stringify(name)} with ${JSON.stringify(entries)}`;
				if (expected === -1) expect(verdict.rule, context).toBeNull();
				else expect(verdict.rule?.startsWith(`names.banned[${expected}] `), context).toBe(true);
			}
		}
	});
});

describe("validation of long banned lists", () => {
	// Banned lists are checked directly (not entry by entry through valibot) when every entry is certainly
	// valid; the outcome must be exactly valibot's, for valid and invalid documents alike.
	const documents: unknown[] = [
		{ names: { banned: ["casino", { match: "word", value: "bet", errorCode: 10101, errorInfo: "x" }] } },
		{ names: { banned: [{ value: "a", normalize: false, note: "n", match: "regex" }] }, groupCreation: {} },
		{ groupCreation: { names: { banned: ["a", { value: "b", errorCode: 1 }] } } },
		{ names: { banned: ["a"], allowed: ["b"] }, groupCreation: { names: { banned: [{ value: "c" }] } } },
		{ names: { banned: [] } },
		{ names: { banned: ["a"] }, mode: "fuzzy" },
		{ names: { banned: ["a"] }, groupCreation: { names: { banned: [""] } } },
		{ names: { banned: ["a", ""] } },
		{ names: { banned: ["x".repeat(1001)] } },
		{ names: { banned: [{ value: "x".repeat(1000), errorInfo: "y".repeat(1001) }] } },
		{ names: { banned: [{ value: "b", mach: "word" }] } },
		{ names: { banned: [{ value: "b", errorCode: 10201 }] } },
		{ names: { banned: [{ value: "b", errorCode: 10100.5 }] } },
		{ names: { banned: [{ value: "b", errorCode: "1" }] } },
		{ names: { banned: [{ value: "b", normalize: "no" }] } },
		{ names: { banned: [{ value: "b", note: 3 }] } },
		{ names: { banned: [{ match: "word" }] } },
		{ names: { banned: [null, 3, ["a"]] } },
		{ names: { banned: "casino" } },
		{ names: "casino" },
		[],
		"casino",
	];
	const texts = [
		...documents.map((document) => JSON.stringify(document)),
		'{"names":{"banned":[{"value":"b","__proto__":{"match":"word"}}]}}',
		'{"names":{"banned":["a"],"banned":["b",""]}}',
	];

	it.each(texts)("gives valibot's outcome for %s", (text) => {
		const reference = v.safeParse(PolicyDocumentSchema, JSON.parse(text));
		const parsed = parsePolicyText(text);
		expect(parsed.ok).toBe(reference.success);
		if (parsed.ok && reference.success) expect(parsed.value).toEqual(reference.output);
	});
});
