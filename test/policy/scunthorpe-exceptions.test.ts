// examples/scunthorpe-exceptions.json, the recommended in-name exceptions for an English profanity list:
// each must be a valid `allowed` pattern, needed (a plain entry of the word it holds refuses its value
// without it), enough (its value passes with it), and narrow (the word it holds is still refused).
import { describe, expect, it } from "vitest";
import recommended from "../../examples/scunthorpe-exceptions.json";
import { compilePolicyText } from "../../src/policy/compile";
import { evaluateCreation } from "../../src/policy/evaluate";

/** Whether a policy banning `banned` (plain) with the allowed patterns `allowed` lets `name` through. */
function allows(banned: string, allowed: unknown[], name: string): boolean {
	const compiled = compilePolicyText(JSON.stringify({ names: { banned: [banned], allowed } }));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return evaluateCreation(compiled.value, "topic", { operatorAccount: "moderator", name }).allowed;
}

/** The banned word an exception's note says its value holds: every note ends with `(holds WORD)`. */
function heldWord(note: string): string {
	const held = /\(holds ([^)]+)\)$/.exec(note);
	if (held === null) throw new Error(`the note "${note}" does not say which word the value holds`);
	return held[1] as string;
}

describe("the recommended Scunthorpe exceptions", () => {
	it("compile as names.allowed", () => {
		const compiled = compilePolicyText(
			JSON.stringify({ names: { banned: ["x"], allowed: recommended.allowed } }),
		);
		expect(compiled.ok ? "valid" : compiled.problem.message).toBe("valid");
		expect(recommended.allowed.length).toBeGreaterThan(40);
	});

	it.each(recommended.allowed.map((entry) => [entry.value, heldWord(entry.note)]))(
		"%s is refused by a plain %s without the exceptions, allowed with them, and the word alone is still refused",
		(value, word) => {
			expect(allows(word, [], value)).toBe(false);
			expect(allows(word, recommended.allowed, value)).toBe(true);
			expect(allows(word, recommended.allowed, word)).toBe(false);
			expect(allows(word, recommended.allowed, `${word} fans`)).toBe(false);
		},
	);

	it("excuse only the part of the name they cover", () => {
		expect(allows("penis", recommended.allowed, "Penistone")).toBe(true);
		expect(allows("penis", recommended.allowed, "Penistone penis")).toBe(false);
		expect(allows("cum", recommended.allowed, "Cumming")).toBe(false);
	});
});
