// The quality benchmark (npm run bench:quality) judges engines on generated names; its figures can be
// compared from run to run only if the same seed always generates the same names. The benchmark itself is
// not run here (it takes about a minute).
import { describe, expect, it } from "vitest";
import {
	CHINESE_CLASSES,
	CJK_CLASSES,
	DEFAULT_SEED,
	EVASION_CLASSES,
	qualityCases,
	SCUNTHORPE,
	SCUNTHORPE_POOL,
	scunthorpeSplit,
} from "../../bench/quality/cases.mjs";

// Stands in for obscenity's verdict on a word as written: every word is taken as enforced.
const everyWord = () => true;

/** Two separate generations for the default seed (each takes seconds), made once for the whole file. */
const generated = {
	once: undefined as ReturnType<typeof qualityCases> | undefined,
	again: undefined as ReturnType<typeof qualityCases> | undefined,
};
function twice() {
	generated.once ??= qualityCases(DEFAULT_SEED, everyWord);
	generated.again ??= qualityCases(DEFAULT_SEED, everyWord);
	return { once: generated.once, again: generated.again };
}

describe("the quality benchmark's cases", () => {
	it("are the same for the same seed, and different for another", () => {
		const { once, again } = twice();
		expect(again.evasions).toEqual(once.evasions);
		expect(again.controls).toEqual(once.controls);
		const other = qualityCases(DEFAULT_SEED + 1, everyWord);
		expect(other.evasions.map((c) => c.name)).not.toEqual(once.evasions.map((c) => c.name));
	});

	it("make evasions of every class, none holding the word as written", () => {
		const { evasions } = twice().once;
		for (const { id } of [...EVASION_CLASSES, ...CHINESE_CLASSES]) {
			const ofClass = evasions.filter((c) => c.class === id);
			expect(ofClass.length, id).toBeGreaterThan(20);
			for (const c of ofClass) {
				// The word as written never stands alone in the name (`abooo` is an evasion of `abo`).
				const alone = new RegExp(`(^|[^a-z])${c.word}([^a-z\\p{M}]|$)`, "u");
				expect(alone.test(c.name.toLowerCase()), `${id}: ${c.name}`).toBe(false);
			}
		}
	});

	it("leave out the words obscenity does not enforce", () => {
		const cases = qualityCases(DEFAULT_SEED, (word) => word !== "jizz");
		expect(cases.unenforced).toEqual(["jizz"]);
		expect(cases.evasions.some((c) => c.word === "jizz")).toBe(false);
	});

	it("split the second Scunthorpe pool the same way every run, into two halves apart from the first list", () => {
		const { seen, heldOut } = scunthorpeSplit();
		expect(scunthorpeSplit()).toEqual({ seen, heldOut });
		expect([...seen, ...heldOut].sort()).toEqual([...SCUNTHORPE_POOL].sort());
		expect(seen.filter((name) => heldOut.includes(name) || SCUNTHORPE.includes(name))).toEqual([]);
		expect(heldOut.filter((name) => SCUNTHORPE.includes(name))).toEqual([]);
		expect(Math.min(seen.length, heldOut.length)).toBeGreaterThan(30);
	});

	it("make Japanese and Korean evasions of every class, each spelled otherwise than the word", () => {
		const { evasions } = twice().once;
		for (const { id, words } of CJK_CLASSES) {
			const ofClass = evasions.filter((c) => c.class === id);
			// Only some kana have small forms: fewer words give small-kana evasions.
			expect(ofClass.length, id).toBeGreaterThan(15);
			for (const c of ofClass) {
				expect(words, id).toContain(c.word);
				expect(c.name.includes(c.word), `${id}: ${c.name}`).toBe(false);
			}
		}
	});

	it("sample the same real words of six languages for the same seed", () => {
		const once = twice().once.innocent;
		const again = twice().again.innocent;
		for (const set of ["russian", "ukrainian", "bulgarian", "greek", "french", "spanish"] as const) {
			expect(once[set].length, set).toBe(20000);
			expect(new Set(once[set]).size, set).toBe(20000);
			expect(again[set], set).toEqual(once[set]);
		}
		expect(once.russian.every((word) => /\p{sc=Cyrillic}/u.test(word))).toBe(true);
		expect(once.bulgarian.every((word) => /\p{sc=Cyrillic}/u.test(word))).toBe(true);
		expect(once.greek.every((word) => /\p{sc=Greek}/u.test(word))).toBe(true);
	});
});
