// Unit tests of the pure policy: document → compile → evaluate, and the normalizer.
import { describe, expect, it } from "vitest";
import { type CompiledPolicy, compilePolicyText } from "../../src/policy/compile";
import { evaluateCreation } from "../../src/policy/evaluate";
import { foldText, nameSkeleton } from "../../src/policy/normalize";

function compile(document: unknown): CompiledPolicy {
	const compiled = compilePolicyText(JSON.stringify(document));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

const topic = (policy: CompiledPolicy, name: string, operatorAccount = "leckie") =>
	evaluateCreation(policy, "topic", { operatorAccount, name, type: "Community" });

const ISSUE_EXAMPLE = {
	version: "2026-11-21.1",
	mode: "enforce",
	refusal: { errorCode: 1, errorInfo: "" },
	operators: { allow: [], deny: ["spammer01"], bypass: ["administrator"] },
	names: {
		minLength: 1,
		maxLength: 50,
		banned: [
			"casino",
			{ match: "exact", value: "general" },
			{ match: "word", value: "bet" },
			{ match: "prefix", value: "admin" },
			{ match: "suffix", value: "official" },
			{ match: "glob", value: "free*money" },
			{ match: "regex", value: "^[0-9]+$", errorCode: 10101, errorInfo: "Topic names need letters" },
		],
		allowed: ["Casino Royale Book Club"],
	},
	groupCreation: {},
};

describe("normalization", () => {
	it("folds width, case, invisibles, look-alikes and leetspeak to one skeleton", () => {
		for (const name of [
			"ＣＡＳＩＮＯ",
			"ca\u200bsino",
			"cаsino",
			"c4s1no",
			"CA$INO",
			"çàsïnö",
			"c\u00adasino",
		]) {
			expect(nameSkeleton(name), name).toBe("casino");
		}
	});
	it("keeps the text form free of look-alike folding", () => {
		expect(foldText("  Straße\u200b  １２３ ")).toBe("strasse 123");
	});
});

describe("the example policy document", () => {
	const policy = compile(ISSUE_EXAMPLE);

	it.each([["ＣＡＳＩＮＯ night"], ["ca\u200bsino"], ["cаsino"], ["c4s1no"]])(
		"refuses %j by the plain entry casino",
		(name) => {
			expect(topic(policy, name)).toMatchObject({
				allowed: false,
				errorCode: 1,
				rule: 'names.banned[0] "casino"',
			});
		},
	);

	it.each([["Occasional"], ["alphabet soup"], ["MyFirstTopic"], ["generally speaking"], ["betting tips"]])(
		"allows %j",
		(name) => {
			expect(topic(policy, name)).toEqual({
				allowed: true,
				errorCode: 0,
				errorInfo: "",
				rule: null,
				dryRun: false,
			});
		},
	);

	it("refuses each match mode with its rule", () => {
		expect(topic(policy, "General").rule).toBe('names.banned[1] exact "general"');
		expect(topic(policy, "place your bet here").rule).toBe('names.banned[2] word "bet"');
		expect(topic(policy, "b3t!").rule).toBe('names.banned[2] word "bet"');
		expect(topic(policy, "Administrators lounge").rule).toBe('names.banned[3] prefix "admin"');
		expect(topic(policy, "my admin").allowed).toBe(true);
		expect(topic(policy, "Stream Official").rule).toBe('names.banned[4] suffix "official"');
		expect(topic(policy, "official stream").allowed).toBe(true);
		expect(topic(policy, "Free easy Money").rule).toBe('names.banned[5] glob "free*money"');
		expect(topic(policy, "get free money").allowed).toBe(true);
	});

	it("gives a regex entry's own code, matching digits on the text form", () => {
		expect(topic(policy, "12345")).toEqual({
			allowed: false,
			errorCode: 10101,
			errorInfo: "Topic names need letters",
			rule: 'names.banned[6] regex "^[0-9]+$"',
			dryRun: false,
		});
		expect(topic(policy, "１２３").errorCode).toBe(10101);
	});

	it("lets an allowed exception through, but not a look-alike of it", () => {
		expect(topic(policy, "casino royale  book club")).toMatchObject({
			allowed: true,
			rule: 'names.allowed[0] "Casino Royale Book Club"',
		});
		expect(topic(policy, "Cаsino Royale Book Club").allowed).toBe(false);
	});

	it("applies the operator rules first", () => {
		expect(topic(policy, "MyFirstTopic", "spammer01")).toMatchObject({
			allowed: false,
			rule: "operators.deny",
		});
		expect(topic(policy, "casino", "administrator")).toMatchObject({
			allowed: true,
			rule: "operators.bypass",
		});
	});

	it("counts lengths after normalization", () => {
		expect(topic(policy, "\u200b \u200b").rule).toBe("names.minLength");
		expect(topic(policy, "x".repeat(51)).rule).toBe("names.maxLength");
		expect(topic(policy, "ｘ".repeat(50)).allowed).toBe(true);
	});

	it("applies the topic rules to groups through an empty groupCreation", () => {
		expect(evaluateCreation(policy, "group", { operatorAccount: "a", name: "casino" }).rule).toBe(
			'names.banned[0] "casino"',
		);
	});
});
