// The compiled policy against its definition: the ASCII fast paths of the normalizer against the general
// path, and the automaton-based banned list against a plain loop over the entries, on generated
// policies and names built to overlap (shared prefixes, look-alikes, leetspeak, word boundaries).
import { RE2JS } from "re2js";
import confusables from "unhomoglyph/data.json";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { buildAutomaton, findAll } from "../../src/policy/automaton";
import { globMatches } from "../../src/policy/banned";
import { compilePolicyText } from "../../src/policy/compile";
import { type BannedEntry, PolicyDocumentSchema, parsePolicyText } from "../../src/policy/document";
import { evaluateCreation } from "../../src/policy/evaluate";
import {
	characterCount,
	foldText,
	isWordCharacterAt,
	nameSkeleton,
	skeleton,
} from "../../src/policy/normalize";

// The normalizer's definition, written the plain way: the text form and the skeleton as first specified.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cc}]/gu;
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
const PROTOTYPES: ReadonlyMap<string, string> = new Map(
	Object.entries(confusables as Record<string, string>),
);

function foldTextReference(name: string): string {
	const visible = name.normalize("NFKC").replace(INVISIBLE, "");
	return visible.toUpperCase().toLowerCase().normalize("NFKC").replace(/\s+/gu, " ").trim();
}

function skeletonReference(text: string): string {
	const unleet = text.replace(/[01345789$@€]/g, (c) => LEET[c] ?? c);
	const bare = unleet.normalize("NFD").replace(/\p{M}/gu, "");
	let out = "";
	for (const c of bare) out += PROTOTYPES.get(c) ?? c;
	return out.toLowerCase().normalize("NFC");
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const ASCII = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c));

describe("the normalizer", () => {
	it("gives the definition's text form and skeleton for every pair of ASCII characters", () => {
		for (const a of ASCII) {
			for (const b of ASCII) {
				const text = `${a}${b}`;
				expect(foldText(text), JSON.stringify(text)).toBe(foldTextReference(text));
				expect(skeleton(text), JSON.stringify(text)).toBe(skeletonReference(text));
				expect(nameSkeleton(text), JSON.stringify(text)).toBe(skeletonReference(foldTextReference(text)));
			}
		}
	});

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
		];
		for (let n = 0; n < 5000; n++) {
			let text = "";
			const length = Math.floor(next() * 10);
			for (let i = 0; i < length; i++) text += pick[Math.floor(next() * pick.length)];
			expect(foldText(text), JSON.stringify(text)).toBe(foldTextReference(text));
			expect(skeleton(text), JSON.stringify(text)).toBe(skeletonReference(text));
			expect(nameSkeleton(text), JSON.stringify(text)).toBe(skeletonReference(foldTextReference(text)));
			expect(characterCount(text), JSON.stringify(text)).toBe([...text].length);
		}
	});

	it("gives the definition's forms for random ASCII strings", () => {
		const next = random(1);
		const pick = " \t\n  aAbBiIlLmM01345789$@%|`\"'_-*!.xyzXYZ";
		for (let n = 0; n < 5000; n++) {
			let text = "";
			const length = Math.floor(next() * 12);
			for (let i = 0; i < length; i++) text += pick.charAt(Math.floor(next() * pick.length));
			expect(foldText(text), JSON.stringify(text)).toBe(foldTextReference(text));
			const folded = foldText(text);
			expect(skeleton(folded), JSON.stringify(folded)).toBe(skeletonReference(folded));
			expect(skeleton(text), JSON.stringify(text)).toBe(skeletonReference(text));
			expect(nameSkeleton(text), JSON.stringify(text)).toBe(skeletonReference(foldTextReference(text)));
		}
	});
});

describe("the automaton", () => {
	it("finds every occurrence of every needle, as a scan of each needle would", () => {
		const next = random(2);
		const alphabet = "abcab\u0430\u00e9\u{1f600}";
		const draw = (max: number) => {
			let out = "";
			const length = 1 + Math.floor(next() * max);
			for (let i = 0; i < length; i++) out += [...alphabet][Math.floor(next() * [...alphabet].length)];
			return out;
		};
		for (let round = 0; round < 50; round++) {
			const needles = [...new Set(Array.from({ length: 1 + Math.floor(next() * 40) }, () => draw(4)))];
			const automaton = buildAutomaton(needles);
			for (let t = 0; t < 20; t++) {
				const text = draw(16);
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
	});
});

/** The first entry refusing `name`, by a plain loop over the entries and the definitions of each mode. */
function firstBannedByLoop(entries: readonly BannedEntry[], name: string): number {
	const text = foldTextReference(name);
	const nameSkeleton = skeletonReference(text);
	for (const [index, item] of entries.entries()) {
		const entry = typeof item === "string" ? { value: item } : item;
		const normalize = entry.normalize !== false;
		const subject = normalize ? nameSkeleton : name;
		const mode = entry.match ?? "plain";
		if (mode === "regex") {
			const regex = RE2JS.compile(entry.value, normalize ? RE2JS.CASE_INSENSITIVE : 0);
			if (regex.matcher(normalize ? text : name).find()) return index;
			continue;
		}
		if (mode === "glob") {
			const pieces = normalize
				? foldTextReference(entry.value).split("*").map(skeletonReference)
				: entry.value.split("*");
			if (globMatches(pieces, subject)) return index;
			continue;
		}
		const value = normalize ? skeletonReference(foldTextReference(entry.value)) : entry.value;
		if (mode === "exact" && subject === value) return index;
		if (mode === "plain" && subject.includes(value)) return index;
		if (mode === "prefix" && subject.startsWith(value)) return index;
		if (mode === "suffix" && subject.endsWith(value)) return index;
		if (mode === "word") {
			for (let at = subject.indexOf(value); at >= 0; at = subject.indexOf(value, at + 1)) {
				const end = at + value.length;
				if (!isWordCharacterAt(subject, at - 1) && !isWordCharacterAt(subject, end)) return index;
			}
		}
	}
	return -1;
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
					if (skeleton(foldText(value)) === "") continue;
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
