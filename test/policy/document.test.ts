// Validation: every broken document is refused with a message naming the rule and its position.
import { describe, expect, it } from "vitest";
import { compilePolicyText } from "../../src/policy/engine/compile";

function problemOf(text: string) {
	const compiled = compilePolicyText(text);
	if (compiled.ok) throw new Error("expected a problem");
	return compiled.problem;
}

describe("policy validation", () => {
	it("rejects an unknown key (a typo must not disable a rule), naming it and its line", () => {
		const text = '{\n\t"names": {\n\t\t"baned": ["casino"]\n\t}\n}';
		expect(problemOf(text)).toMatchObject({ rule: "names.baned", line: 3, column: 3 });
		expect(problemOf(text).message).toContain("unknown key");
	});

	it("rejects an unknown key inside a banned entry", () => {
		const text = '{"names":{"banned":["a",{"value":"b","mach":"word"}]}}';
		expect(problemOf(text)).toMatchObject({ rule: "names.banned[1].mach", line: 1 });
	});

	it("rejects a bad match mode and a refusal code outside 1 and 10100–10200", () => {
		expect(problemOf('{"names":{"banned":[{"match":"fuzzy","value":"x"}]}}').rule).toBe(
			"names.banned[0].match",
		);
		expect(problemOf('{"refusal":{"errorCode":10016}}').rule).toBe("refusal.errorCode");
		expect(problemOf('{"names":{"banned":[{"value":"x","errorCode":10201}]}}').rule).toBe(
			"names.banned[0].errorCode",
		);
	});

	it("reports invalid JSON with its line and column", () => {
		const found = problemOf('{\n  "names": {\n    "banned": ["casino",]\n  }\n}');
		expect(found.message).toMatch(/^invalid JSON/);
		expect(found.line).toBe(3);
	});

	it("rejects a regex the linear-time engine cannot run, naming the rule", () => {
		const found = problemOf('{"names":{"banned":["ok",{"match":"regex","value":"(a)\\\\1"}]}}');
		expect(found.rule).toBe("names.banned[1]");
		expect(found.message).toContain("RE2");
		expect(problemOf('{"names":{"banned":[{"match":"regex","value":"(?=x)y"}]}}').rule).toBe(
			"names.banned[0]",
		);
		expect(problemOf('{"names":{"banned":[{"match":"regex","value":"[a-"}]}}').rule).toBe("names.banned[0]");
	});

	// Catastrophic-backtracking patterns run in a worker thread with a deadline (test/node/catastrophic.test.ts),
	// so a regression to a backtracking engine fails there instead of hanging this suite.

	it("rejects minLength above maxLength and values empty once normalized", () => {
		expect(problemOf('{"names":{"minLength":5,"maxLength":2}}').rule).toBe("names.minLength");
		expect(problemOf('{"names":{"banned":["\\u200b"]}}').rule).toBe("names.banned[0]");
	});
});
