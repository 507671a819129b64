// A 20,000-entry policy compiles and decides correctly (its speed is measured by #5, not asserted here).
import { describe, expect, it } from "vitest";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateCreation } from "../../src/policy/engine/evaluate";

/** A distinct letters-only word per index, all of one length so none contains another (no digits: leetspeak). */
function word(i: number): string {
	let out = "";
	for (let n = i, k = 0; k < 4; n = Math.floor(n / 26), k++) out += String.fromCharCode(97 + (n % 26));
	return `q${out}j`;
}

const MODES = ["plain", "word", "prefix", "suffix", "exact", "glob"] as const;
const entries = Array.from({ length: 20_000 }, (_, i) => {
	const mode = MODES[i % MODES.length] ?? "plain";
	if (i === 19_999) return { match: "regex", value: "^zz[a-z]+zz$", errorCode: 10199 };
	if (mode === "plain") return word(i);
	return {
		match: mode,
		value: mode === "glob" ? `${word(i)}*${word(i)}` : word(i),
		errorCode: 10100 + (i % 100),
	};
});

describe("a 20,000-entry policy", () => {
	const compiled = compilePolicyText(JSON.stringify({ version: "large", names: { banned: entries } }));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	const decide = (name: string) =>
		evaluateCreation(compiled.value, "topic", { operatorAccount: "leckie", name });

	it("finds entries anywhere in the list, by each mode", () => {
		expect(decide(`hello ${word(18_000)} there`).rule).toBe(`names.banned[18000] "${word(18_000)}"`);
		expect(decide(`a ${word(19_993)} b`).rule).toBe(`names.banned[19993] word "${word(19_993)}"`);
		expect(decide(`${word(19_994)}xyz`).rule).toBe(`names.banned[19994] prefix "${word(19_994)}"`);
		expect(decide(`xyz${word(19_995)}`).rule).toBe(`names.banned[19995] suffix "${word(19_995)}"`);
		expect(decide(word(19_996)).rule).toBe(`names.banned[19996] exact "${word(19_996)}"`);
		expect(decide(`${word(19_997)} and ${word(19_997)}`).rule).toBe(
			`names.banned[19997] glob "${word(19_997)}*${word(19_997)}"`,
		);
		expect(decide("zzabczz")).toMatchObject({
			errorCode: 10199,
			rule: 'names.banned[19999] regex "^zz[a-z]+zz$"',
		});
	});

	it("reports the first matching entry in document order", () => {
		expect(decide(`${word(19_992)} ${word(6)}`).rule).toBe(`names.banned[6] "${word(6)}"`);
	});

	it("allows names that match nothing", () => {
		expect(decide("MyFirstTopic")).toMatchObject({ allowed: true, rule: null });
		expect(decide(`x${word(19_993)}`).allowed).toBe(true); // a word entry inside a longer word
	});
});
