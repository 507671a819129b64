// Unit tests of the `texts` section: compile, judge Introduction and Notification with the name matcher,
// judge FaceUrl by scheme and host.
import { describe, expect, it } from "vitest";
import { compilePolicyText } from "../../src/policy/engine/compile";
import { evaluateText, explainText, hostAllowed, textRules } from "../../src/policy/engine/texts";
import type { CompiledPolicy } from "../../src/policy/engine/types";

function compile(document: unknown): CompiledPolicy {
	const compiled = compilePolicyText(JSON.stringify(document));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

const NAMES = {
	names: {
		banned: ["casino", { match: "word-start", value: "ass" }],
		allowed: [{ match: "word", value: "casino royale" }],
	},
};

describe("texts", () => {
	it("a document without texts judges no text, and its compiled form says so", () => {
		const policy = compile(NAMES);
		expect(policy.texts).toBeNull();
		expect(textRules(policy, "topic")).toBeNull();
		expect(evaluateText(policy, "topic", "notification", "casino tonight").allowed).toBe(true);
		expect(evaluateText(policy, "group", "face_url", "javascript:alert(1)").allowed).toBe(true);
	});

	it('banned "names" refuses a notification holding a banned word, evasions included', () => {
		const policy = compile({ ...NAMES, texts: { banned: "names" } });
		for (const text of [
			"Come play at the casino tonight, everyone welcome",
			"Come play at the c4s1no tonight",
			"Come play at the ｃａｓｉｎｏ tonight",
			"Come play at the c.a.s.i.n.o tonight",
		]) {
			const verdict = evaluateText(policy, "topic", "notification", text);
			expect({ text, allowed: verdict.allowed, rule: verdict.rule }).toEqual({
				text,
				allowed: false,
				rule: 'names.banned[0] "casino"',
			});
		}
		expect(evaluateText(policy, "group", "introduction", "casino").allowed).toBe(false);
	});

	it("leaves a Scunthorpe text alone, and honours names.allowed as exceptions", () => {
		const policy = compile({ ...NAMES, texts: {} });
		expect(
			evaluateText(policy, "topic", "notification", "Class starts at nine; bring a passport").allowed,
		).toBe(true);
		expect(evaluateText(policy, "topic", "notification", "You are an ass").allowed).toBe(false);
		const excused = explainText(policy, "topic", "notification", "Reading Casino Royale this week");
		expect(excused.verdict.allowed).toBe(true);
		expect(excused.explanation?.exceptions[0]?.rule).toBe('names.allowed[0] word "casino royale"');
	});

	it("its own banned list and allowed entries are labelled texts.*", () => {
		const policy = compile({
			...NAMES,
			texts: { banned: ["lottery"], allowed: ["no lottery here"], maxLength: 20 },
		});
		expect(evaluateText(policy, "topic", "notification", "casino").allowed).toBe(true);
		expect(evaluateText(policy, "topic", "notification", "win the lottery").rule).toBe(
			'texts.banned[0] "lottery"',
		);
		expect(evaluateText(policy, "topic", "notification", "No lottery here").rule).toBe(
			'texts.allowed[0] "no lottery here"',
		);
		expect(evaluateText(policy, "topic", "introduction", "x".repeat(21)).rule).toBe("texts.maxLength");
		expect(evaluateText(policy, "topic", "introduction", "").allowed).toBe(true);
	});

	it("a long text's text form is measured and compared whenever a rule may look at it", () => {
		// U+FDFA folds to 18 units: 50 letters, a space and 22 of them fold to 447.
		const long = `${"a".repeat(50)} ${"\ufdfa".repeat(22)}`;
		const limited = (maxLength: number) => compile({ ...NAMES, texts: { banned: "names", maxLength } });
		expect(evaluateText(limited(447), "topic", "notification", long).allowed).toBe(true);
		expect(evaluateText(limited(446), "topic", "notification", long).rule).toBe("texts.maxLength");
		// 440 lies between the text form's length and what a bound of 17 units a unit would say (425).
		expect(evaluateText(limited(440), "topic", "notification", long).rule).toBe("texts.maxLength");
		const filler = "Welcome to the new members who joined this month, and see you on Friday";
		const exact = compile({ ...NAMES, texts: { banned: "names", allowed: [`${filler} at the casino`] } });
		expect(evaluateText(exact, "topic", "notification", `${filler} at the CASINO`).rule).toBe(
			`texts.allowed[0] "${filler} at the casino"`,
		);
		// A regex without `fold` reads the text form (capitals lowered), which the prefilter does not see.
		const regex = compile({ texts: { banned: ["lottery", { match: "regex", value: "cas+ino" }] } });
		expect(evaluateText(regex, "topic", "notification", `${filler} at the CASSINO`).rule).toBe(
			'texts.banned[1] regex "cas+ino"',
		);
	});

	it("fields limits which texts are judged", () => {
		const policy = compile({ ...NAMES, texts: { fields: ["Notification"] } });
		expect(evaluateText(policy, "topic", "introduction", "casino").allowed).toBe(true);
		expect(evaluateText(policy, "topic", "notification", "casino").allowed).toBe(false);
	});

	it("faceUrl: hosts (subdomains included) and https", () => {
		const policy = compile({ texts: { faceUrl: { hosts: ["CDN.example.com"], https: true } } });
		const face = (url: string) => evaluateText(policy, "topic", "face_url", url);
		expect(face("https://cdn.example.com/a.png").allowed).toBe(true);
		expect(face("https://img.cdn.example.com/a.png").allowed).toBe(true);
		expect(face("").allowed).toBe(true);
		expect(face("https://evil.example.org/a.png").rule).toBe("texts.faceUrl.hosts");
		expect(face("https://notcdn.example.com/a.png").rule).toBe("texts.faceUrl.hosts");
		expect(face("https://cdn.example.com.evil.org/a.png").rule).toBe("texts.faceUrl.hosts");
		expect(face("https://cdn.example.com@evil.org/a.png").rule).toBe("texts.faceUrl.hosts");
		expect(face("http://cdn.example.com/a.png").rule).toBe("texts.faceUrl.https");
		expect(face("not a url").allowed).toBe(false);
		const http = compile({ texts: { faceUrl: { hosts: [] } } });
		expect(evaluateText(http, "topic", "face_url", "http://any.host/a.png").allowed).toBe(true);
		expect(evaluateText(http, "topic", "face_url", "javascript:alert(1)").allowed).toBe(false);
		expect(hostAllowed("example.com", ["cdn.example.com"])).toBe(false);
	});

	it("dry-run and operator bypass come from the target's rules", () => {
		const policy = compile({ ...NAMES, mode: "dry-run", texts: {} });
		expect(evaluateText(policy, "group", "notification", "casino")).toMatchObject({
			allowed: false,
			dryRun: true,
		});
		const groups = compile({
			...NAMES,
			operators: { bypass: ["admin"] },
			groupCreation: { operators: { bypass: ["owner"] } },
			texts: {},
		});
		expect([...(textRules(groups, "group")?.bypass ?? [])]).toEqual(["owner"]);
		expect([...(textRules(groups, "topic")?.bypass ?? [])]).toEqual(["admin"]);
	});

	it("refuses a bad faceUrl host and an unknown field, naming the rule", () => {
		const host = compilePolicyText(
			JSON.stringify({ texts: { faceUrl: { hosts: ["https://cdn.example.com/"] } } }),
		);
		expect(host.ok ? null : host.problem.rule).toBe("texts.faceUrl.hosts[0]");
		const field = compilePolicyText(JSON.stringify({ texts: { fields: ["FaceUrl"] } }));
		expect(field.ok ? null : field.problem.rule).toBe("texts.fields[0]");
		const mode = compilePolicyText(JSON.stringify({ enforcement: { texts: "destroy" } }));
		expect(mode.ok ? null : mode.problem.rule).toBe("enforcement.texts");
	});
});
