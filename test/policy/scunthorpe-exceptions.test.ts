// examples/scunthorpe-exceptions.json, the recommended in-name exceptions for an English profanity list, as
// the Worker reads a policy: they compile as names.allowed and excuse only the part of a name they cover.
// Each entry's need and narrowness against the list it is made for: test/node/scunthorpe-exceptions.test.ts.
import { describe, expect, it } from "vitest";
import recommended from "../../examples/scunthorpe-exceptions.json";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateCreation } from "../../src/policy/engine/evaluate";

/** Whether a policy banning `banned` (plain) with the allowed patterns `allowed` lets `name` through. */
function allows(banned: string, allowed: unknown[], name: string): boolean {
	const compiled = compilePolicyText(JSON.stringify({ names: { banned: [banned], allowed } }));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return evaluateCreation(compiled.value, "topic", { operatorAccount: "moderator", name }).allowed;
}

describe("the recommended Scunthorpe exceptions", () => {
	it("compile as names.allowed", () => {
		const compiled = compilePolicyText(
			JSON.stringify({ names: { banned: ["x"], allowed: recommended.allowed } }),
		);
		expect(compiled.ok ? "valid" : compiled.problem.message).toBe("valid");
		expect(recommended.allowed.length).toBeGreaterThan(500);
	});

	it("excuse only the part of the name they cover", () => {
		expect(allows("penis", [], "Penistone")).toBe(false);
		expect(allows("penis", recommended.allowed, "Penistone")).toBe(true);
		expect(allows("penis", recommended.allowed, "Penistone penis")).toBe(false);
		expect(allows("cunt", recommended.allowed, "Scunthorpe United")).toBe(true);
		expect(allows("cunt", recommended.allowed, "Scunthorpe cunts")).toBe(false);
		expect(allows("cum", recommended.allowed, "Cumming")).toBe(false);
		expect(allows("dick", recommended.allowed, "Emily Dickinson")).toBe(true);
		expect(allows("dick", recommended.allowed, "Emily Dickhead")).toBe(false);
	});
});
