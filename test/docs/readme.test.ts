// The README shows examples/policy.json itself, so the policy a newcomer reads is the one `npm start` seeds;
// it stays short, and its dependency list names every package package.json installs.
import { describe, expect, it } from "vitest";
import examplePolicy from "../../examples/policy.json?raw";
import packageJson from "../../package.json?raw";
import readme from "../../README.md?raw";

describe("README", () => {
	it("quotes examples/policy.json verbatim", () => {
		const intro = "`examples/policy.json`, the policy `npm start` puts into local KV:\n\n```json\n";
		const from = readme.indexOf(intro);
		expect(from).toBeGreaterThan(0);
		const block = readme.slice(from + intro.length, readme.indexOf("```", from + intro.length));
		expect(block).toBe(examplePolicy);
	});

	it("is at most 200 lines", () => {
		expect(readme.split("\n").length).toBeLessThanOrEqual(200);
	});

	it('names every dependency and devDependency of package.json under "Dependencies and why"', () => {
		const from = readme.indexOf("## Dependencies and why");
		expect(from).toBeGreaterThan(0);
		const end = readme.indexOf("\n## ", from + 1);
		const section = readme.slice(from, end === -1 ? undefined : end);
		const { dependencies, devDependencies } = JSON.parse(packageJson) as Record<
			string,
			Record<string, string>
		>;
		const names = [...Object.keys(dependencies ?? {}), ...Object.keys(devDependencies ?? {})];
		expect(names.length).toBeGreaterThan(20);
		expect(names.filter((name) => !section.includes(`\`${name}\``))).toEqual([]);
	});
});
