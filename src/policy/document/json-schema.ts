// The JSON Schema of the policy document, generated from the valibot schema, for editors and CI.
// Only the CLI and the tests import this file, so @valibot/to-json-schema stays out of the Worker.
import { toJsonSchema } from "@valibot/to-json-schema";
import { PolicyDocumentSchema } from "./schema";

/** The JSON Schema (draft-07) that docs/policy.schema.json must equal. */
export function policyJsonSchema(): Record<string, unknown> {
	// Sections are `pipe(unknown(), check(not an array), strictObject(…))`: the output type is the object,
	// and the check needs no translation, since JSON Schema's `"type": "object"` already excludes arrays.
	return toJsonSchema(PolicyDocumentSchema, {
		target: "draft-07",
		typeMode: "output",
		ignoreActions: ["check"],
	}) as Record<string, unknown>;
}
