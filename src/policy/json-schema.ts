// The JSON Schema of the policy document, generated from the valibot schema, for editors and CI.
// Only the CLI and the tests import this file, so @valibot/to-json-schema stays out of the Worker.
import { toJsonSchema } from "@valibot/to-json-schema";
import { PolicyDocumentSchema } from "./document";

/** The JSON Schema (draft-07) that docs/policy.schema.json must equal. */
export function policyJsonSchema(): Record<string, unknown> {
	return toJsonSchema(PolicyDocumentSchema, { target: "draft-07" }) as Record<string, unknown>;
}
