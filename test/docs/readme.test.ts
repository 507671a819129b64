// The README shows examples/policy.json itself, so the policy a newcomer reads is the one `npm start` seeds.
import { describe, expect, it } from "vitest";
import examplePolicy from "../../examples/policy.json?raw";
import readme from "../../README.md?raw";

describe("README", () => {
	it("quotes examples/policy.json verbatim", () => {
		const intro = "`examples/policy.json`, the policy `npm start` puts into local KV:\n\n```json\n";
		const from = readme.indexOf(intro);
		expect(from).toBeGreaterThan(0);
		const block = readme.slice(from + intro.length, readme.indexOf("```", from + intro.length));
		expect(block).toBe(examplePolicy);
	});
});
