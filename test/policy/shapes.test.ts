// Strict shapes (an array where an object belongs is not a policy) and every problem reported at once.
import { describe, expect, it } from "vitest";
import { policyProblems } from "../../src/policy/document/parse";
import { compilePolicyText } from "../../src/policy/engine/compile";

describe("policy shapes", () => {
	it.each([
		["[]", "document"],
		['{"names":[]}', "names"],
		['{"names":["casino"]}', "names"],
		['{"operators":[]}', "operators"],
		['{"refusal":[]}', "refusal"],
		['{"groupCreation":[]}', "groupCreation"],
		['{"groupCreation":{"names":[]}}', "groupCreation.names"],
	])("refuses %s, naming %s as an array where an object belongs", (text, path) => {
		const compiled = compilePolicyText(text);
		expect(compiled.ok).toBe(false);
		if (compiled.ok) return;
		expect(compiled.problem.message).toBe(`${path}: must be an object, not an array`);
		expect(policyProblems(text).map((p) => p.message)).toEqual([`${path}: must be an object, not an array`]);
	});

	it("still accepts the empty object and empty lists where lists belong", () => {
		expect(compilePolicyText("{}").ok).toBe(true);
		expect(compilePolicyText('{"names":{"banned":[],"allowed":[]},"operators":{"deny":[]}}').ok).toBe(true);
	});
});

describe("policyProblems", () => {
	it("lists every problem of a document at once, in the text's order, each with its path and line", () => {
		const text = [
			"{",
			'\t"refusal": { "errorCode": 7 },',
			'\t"operators": { "alow": ["x"] },',
			'\t"names": { "banned": [1, { "value": "x", "match": "nope" }] }',
			"}",
		].join("\n");
		const problems = policyProblems(text);
		expect(problems.map((p) => [p.rule, p.line])).toEqual([
			["refusal.errorCode", 2],
			["operators.alow", 3],
			["names.banned[0]", 4],
			["names.banned[1].match", 4],
		]);
		const first = compilePolicyText(text);
		expect(first.ok ? null : first.problem).toEqual(problems[0]);
	});

	it("gives the JSON syntax error alone for a text that is not JSON, and nothing for a valid document", () => {
		expect(policyProblems('{"names": {').map((p) => p.message)).toEqual([
			expect.stringMatching(/^invalid JSON/),
		]);
		expect(policyProblems('{"names":{"banned":["casino"]}}')).toEqual([]);
	});
});
