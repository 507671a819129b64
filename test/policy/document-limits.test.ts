// The policy document's limits (POLICY_LIMITS): each one enforced by the validation every path shares
// (the KV loader, publication, the check API), with a problem naming the entry; and the bound they put on
// the cost of one decision, computed from the real compiled regexes rather than timed.
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { POLICY_LIMITS } from "../../src/policy/document/limits";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateCreation } from "../../src/policy/engine/evaluate";
import { foldText } from "../../src/policy/engine/folding";
import type { RegexMatchers } from "../../src/policy/engine/matcher";
import { nameReadings } from "../../src/policy/engine/readings";
import { fetchWith } from "../support/tencent";

const regex = (value: string, extra: Record<string, unknown> = {}) => ({ match: "regex", value, ...extra });
const policyOf = (banned: unknown[], more: Record<string, unknown> = {}) =>
	JSON.stringify({ ...more, names: { banned } }, null, "\t");

function problemOf(text: string) {
	const compiled = compilePolicyText(text);
	if (compiled.ok) throw new Error("expected a problem");
	return compiled.problem;
}

function accepted(text: string) {
	const compiled = compilePolicyText(text);
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

/** RE2's own program size for a pattern (the oracle is re2js itself, as the matcher compiles it). */
const programSize = (pattern: string, flags = RE2JS.CASE_INSENSITIVE) =>
	RE2JS.compile(pattern, flags).programSize();

describe("policy document limits", () => {
	it(`accepts ${POLICY_LIMITS.regexCount} regex entries and refuses one more, naming the first over`, () => {
		const many = Array.from({ length: POLICY_LIMITS.regexCount }, (_, i) => regex(`^x${i}$`));
		accepted(policyOf(["casino", ...many]));
		const found = problemOf(policyOf(["casino", ...many, regex("^one-more$")]));
		expect(found.rule).toBe(`names.banned[${POLICY_LIMITS.regexCount + 1}]`);
		expect(found.message).toContain(`more than the limit of ${POLICY_LIMITS.regexCount}`);
		expect(found.line).toBeGreaterThan(1);
	});

	it("counts the regexes of groupCreation with the topic rules'", () => {
		const half = Math.ceil(POLICY_LIMITS.regexCount / 2) + 1;
		const topics = Array.from({ length: half }, (_, i) => regex(`^t${i}$`));
		const groups = Array.from({ length: half }, (_, i) => regex(`^g${i}$`));
		const found = problemOf(policyOf(topics, { groupCreation: { names: { banned: groups } } }));
		expect(found.rule).toMatch(/^groupCreation\.names\.banned\[\d+\]$/);
	});

	it(`refuses a pattern over ${POLICY_LIMITS.patternLength} characters`, () => {
		const atLimit = "a".repeat(POLICY_LIMITS.patternLength);
		expect(programSize(atLimit)).toBeLessThanOrEqual(POLICY_LIMITS.regexProgramSize);
		accepted(policyOf([regex(atLimit)]));
		const found = problemOf(policyOf([regex(`${atLimit}a`)]));
		expect(found).toMatchObject({ rule: "names.banned[0]" });
		expect(found.message).toContain(`${POLICY_LIMITS.patternLength + 1} characters, more than the limit`);
	});

	it(`refuses groups nested over ${POLICY_LIMITS.regexGroupDepth} deep; brackets in classes and escapes do not count`, () => {
		const nested = (depth: number) => `${"(".repeat(depth)}a${")".repeat(depth)}`;
		accepted(policyOf([regex(nested(POLICY_LIMITS.regexGroupDepth))]));
		accepted(policyOf([regex(`[(((((((((]\\(\\(\\(\\(\\(\\(\\(\\(\\(${nested(2)}`)]));
		const found = problemOf(policyOf(["ok", regex(nested(POLICY_LIMITS.regexGroupDepth + 1))]));
		expect(found.rule).toBe("names.banned[1]");
		expect(found.message).toContain(`nests groups ${POLICY_LIMITS.regexGroupDepth + 1} deep`);
		// Far deeper: still the same clear problem, never a RangeError.
		expect(problemOf(policyOf([regex(nested(200))])).message).toContain("nests groups 200 deep");
	});

	it(`refuses a regex compiling to over ${POLICY_LIMITS.regexProgramSize} RE2 instructions`, () => {
		const big = "[a-z]{1000}";
		expect(programSize(big)).toBeGreaterThan(POLICY_LIMITS.regexProgramSize);
		const found = problemOf(policyOf(["casino", regex(big)]));
		expect(found.rule).toBe("names.banned[1]");
		expect(found.message).toContain(
			`compiles to ${programSize(big)} RE2 instructions, more than the limit of ${POLICY_LIMITS.regexProgramSize}`,
		);
		// normalize: false compiles without case folding, and is measured that way.
		const raw = problemOf(policyOf([regex(big, { normalize: false })]));
		expect(raw.message).toContain(`compiles to ${programSize(big, 0)} RE2 instructions`);
	});

	it(`refuses regexes compiling to over ${POLICY_LIMITS.totalProgramSize} instructions together`, () => {
		const each = "[a-z]{400}";
		const size = programSize(each);
		const fit = Math.floor(POLICY_LIMITS.totalProgramSize / size);
		const entries = Array.from({ length: fit + 1 }, (_, i) => regex(`${each}${i}`));
		accepted(policyOf(entries.slice(0, fit)));
		const found = problemOf(policyOf(entries));
		expect(found.rule).toBe(`names.banned[${fit}]`);
		expect(found.message).toContain(`more than the document's limit of ${POLICY_LIMITS.totalProgramSize}`);
	});

	it(`refuses JSON nested over ${POLICY_LIMITS.jsonDepth} levels before parsing it`, () => {
		const nested = (depth: number) => `{"note":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`;
		const found = problemOf(nested(POLICY_LIMITS.jsonDepth + 1));
		expect(found.rule).toBeNull();
		expect(found.message).toContain(`more than ${POLICY_LIMITS.jsonDepth} levels deep`);
		// At the limit, the schema (not the depth check) is what refuses this one.
		expect(problemOf(nested(POLICY_LIMITS.jsonDepth)).message).not.toContain("levels deep");
		expect(problemOf(`${"[".repeat(100_000)}${"]".repeat(100_000)}`).message).toContain("levels deep");
	});

	it(`refuses names.maxLength over ${POLICY_LIMITS.nameLength}`, () => {
		const found = problemOf(JSON.stringify({ names: { maxLength: POLICY_LIMITS.nameLength + 1 } }));
		expect(found.rule).toBe("names.maxLength");
		accepted(JSON.stringify({ names: { maxLength: POLICY_LIMITS.nameLength } }));
	});

	it("refuses a name over the limit by names.maxLength before matching, with or without maxLength", () => {
		const policy = accepted(policyOf(["zzz", regex("^y")]));
		const decide = (name: string) => evaluateCreation(policy, "topic", { operatorAccount: "leckie", name });
		expect(decide("y".repeat(POLICY_LIMITS.nameLength))).toMatchObject({
			allowed: false,
			rule: expect.stringContaining("names.banned[1]"),
		});
		expect(decide("a".repeat(POLICY_LIMITS.nameLength))).toMatchObject({ allowed: true });
		// One more character: refused by length, although the regex would have matched first otherwise.
		expect(decide("y".repeat(POLICY_LIMITS.nameLength + 1))).toMatchObject({
			allowed: false,
			rule: "names.maxLength",
		});
		// Invisible characters do not count once folded, but the raw name is still bounded.
		expect(decide("\u200b".repeat(POLICY_LIMITS.nameLength + 1))).toMatchObject({ rule: "names.maxLength" });
		// A name that folding lengthens (U+FDFA is 18 characters in NFKC) is bounded after folding too.
		const expanding = "\ufdfa".repeat(100);
		expect(foldText(expanding).length).toBeGreaterThan(POLICY_LIMITS.nameLength);
		expect(decide(expanding)).toMatchObject({ rule: "names.maxLength" });
	});

	it("answers an over-limit inline policy of the check API 400, naming the rule", async () => {
		const ADMIN_TOKEN = "admin-token-for-document-limit-tests";
		const policy = { names: { banned: Array.from({ length: 100 }, () => regex("[a-z]{1000}")) } };
		const response = await fetchWith(
			new Request("https://webhooks.example.com/api/policy/check", {
				method: "POST",
				headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
				body: JSON.stringify({ Operator_Account: "leckie", Name: "n".repeat(1024), policy }),
			}),
			{ ADMIN_TOKEN },
		);
		expect(response.status).toBe(400);
		const body = await response.json<{ error: { message: string; field?: string } }>();
		expect(body.error.message).toContain("names.banned[50]");
		expect(body.error.message).toContain(`more than the limit of ${POLICY_LIMITS.regexCount}`);
	});
});

/**
 * The work of one decision's regex matching, in RE2 instruction-steps: each side's regexes run once as a
 * set and then one by one (at most), each over its subject (the folded readings for `fold` regexes, the
 * text form or the raw name otherwise). RE2 simulates at most every instruction once per character, so
 * program size × subject length bounds each run.
 */
function regexSteps(matchers: RegexMatchers | null, subjects: readonly string[]): number {
	if (matchers === null) return 0;
	const sizes = matchers.patterns.map((pattern) => RE2JS.compile(pattern, matchers.flags).programSize());
	const program = sizes.reduce((a, b) => a + b, 0);
	const units = subjects.reduce((sum, subject) => sum + subject.length, 0);
	return 2 * program * units;
}

describe("the cost of the worst decision a policy can ask for", () => {
	// The stated budget: 2 passes × the total program size × 4 readings × 2 UTF-16 units per character
	// of a name at the length limit: 32,768,000 steps, where the unbounded check API allowed 100 regexes
	// of {1000} repetitions (about 10^5 instructions) over a 5,000-character name, 10^9 steps and more.
	const BUDGET = 2 * POLICY_LIMITS.totalProgramSize * 4 * 2 * POLICY_LIMITS.nameLength;

	it(`stays within ${BUDGET.toLocaleString("en")} RE2 steps at every limit at once`, () => {
		// The heaviest regexes the limits let through: as many instructions as allowed, all of them folded
		// (matched in every reading) or all over the text form; the names, the longest and most varied.
		const each = "[a-z0-9]{490}";
		const perRegex = programSize(each);
		const count = Math.floor(POLICY_LIMITS.totalProgramSize / perRegex);
		const names = [
			"a".repeat(POLICY_LIMITS.nameLength),
			"1!|l ".repeat(POLICY_LIMITS.nameLength / 5),
			"\u{1d400}".repeat(POLICY_LIMITS.nameLength / 2),
			"a-b 1".repeat(POLICY_LIMITS.nameLength / 5),
			// Few ambiguous units (every mix of them would be read in a short name) and single letters.
			"1 a 1 b 1 ".padEnd(POLICY_LIMITS.nameLength, "c d "),
		];
		let worst = 0;
		for (const fold of [true, false]) {
			const banned = Array.from({ length: count }, (_, i) => regex(`${each}${i}`, { fold }));
			const policy = accepted(policyOf(banned));
			const { normalized } = policy.topic.banned;
			const total = (normalized.regexes?.patterns ?? normalized.foldedRegexes?.patterns ?? [])
				.map((pattern) => programSize(pattern))
				.reduce((a, b) => a + b, 0);
			expect(total).toBeLessThanOrEqual(POLICY_LIMITS.totalProgramSize);
			expect(total).toBeGreaterThan(POLICY_LIMITS.totalProgramSize - perRegex);
			for (const name of names) {
				const decision = evaluateCreation(policy, "topic", { operatorAccount: "leckie", name });
				expect(decision.rule).not.toBe("names.maxLength");
				const readings = nameReadings(name).map((reading) => reading.written);
				const steps =
					regexSteps(normalized.foldedRegexes, readings) + regexSteps(normalized.regexes, [foldText(name)]);
				worst = Math.max(worst, steps);
			}
		}
		expect(worst).toBeGreaterThan(0);
		expect(worst).toBeLessThanOrEqual(BUDGET);
	});

	it("refuses the policy that stalled the check API for minutes", () => {
		const attack = policyOf(Array.from({ length: 100 }, (_, i) => regex(`(x|[a-z]{1000})${i}`)));
		expect(compilePolicyText(attack).ok).toBe(false);
	});
});
