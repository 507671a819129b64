// docs/policy.schema.json must be what the valibot schema generates (`npm run policy:schema` rewrites it),
// and examples/policy.json must be a valid policy.
import { describe, expect, it } from "vitest";
import committedSchema from "../../docs/policy.schema.json";
import example from "../../examples/policy.json";
import { policyJsonSchema } from "../../src/policy/document/json-schema";
import { compilePolicyText } from "../../src/policy/engine/compile";

describe("the policy's JSON Schema and example", () => {
	it("docs/policy.schema.json is current (run `npm run policy:schema` after changing the schema)", () => {
		expect(committedSchema).toEqual(policyJsonSchema());
	});

	it("examples/policy.json compiles", () => {
		const compiled = compilePolicyText(JSON.stringify(example));
		expect(compiled.ok ? "valid" : compiled.problem.message).toBe("valid");
	});
});
