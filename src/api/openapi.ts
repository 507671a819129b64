// Builds the OpenAPI 3.1 document of /api from the routes' own valibot schemas (query parameters, bodies)
// and the response shapes of each route (./index.ts lists them). Only `npm run openapi` and the tests import this file: the
// Worker serves the generated src/api/openapi.generated.ts (the same document as one string), so
// @valibot/to-json-schema never reaches its bundle.
import { type ConversionConfig, toJsonSchema } from "@valibot/to-json-schema";
import type * as v from "valibot";

import type { ApiErrorShape, ApiOperation } from "./route";

type Schema = v.GenericSchema;

const INPUT: ConversionConfig = { target: "draft-2020-12", typeMode: "input", errorMode: "ignore" };
const OUTPUT: ConversionConfig = { target: "draft-2020-12", typeMode: "output", errorMode: "ignore" };

/** A JSON Schema for OpenAPI 3.1 (which is JSON Schema 2020-12), without the `$schema` line. */
function jsonSchema(schema: Schema, config: ConversionConfig): Record<string, unknown> {
	const { $schema: _dialect, ...rest } = toJsonSchema(schema, config) as Record<string, unknown>;
	return rest;
}

/** The optional/required split of a query shape, with each parameter's JSON Schema (of the raw string). */
function queryParameters(query: Record<string, Schema>) {
	return Object.entries(query).map(([name, schema]) => {
		const converted = jsonSchema(schema, INPUT);
		const optional = schema.type === "optional";
		return { name, in: "query", required: !optional, schema: converted };
	});
}

/**
 * The OpenAPI 3.1 document of `operations`: one path item per path, bearer auth on every operation that
 * is not public, and `error` (the one /api error shape) for every error response.
 */
export function openApiDocument(
	info: { title: string; version: string; description: string },
	operations: readonly ApiOperation[],
	error: ApiErrorShape,
): Record<string, unknown> {
	const paths: Record<string, Record<string, unknown>> = {};
	for (const operation of operations) {
		const parameters = [
			...Object.entries(operation.pathParameters ?? {}).map(([name, description]) => ({
				name,
				in: "path",
				required: true,
				description,
				schema: { type: "string", minLength: 1, maxLength: 1024 },
			})),
			...queryParameters(operation.query ?? {}),
		];
		const responses: Record<string, unknown> = {};
		for (const [status, response] of Object.entries(operation.responses))
			responses[status] = {
				description: response.description,
				...(response.schema
					? { content: { "application/json": { schema: jsonSchema(response.schema, OUTPUT) } } }
					: {}),
			};
		const errors: Record<number, string> = { ...operation.errors };
		if (!operation.public) {
			errors[401] ??= "missing or wrong bearer token";
			errors[429] ??= "too many failed attempts from this address (Retry-After)";
			errors[503] ??= "the API is off (ADMIN_TOKEN unset or too weak, or a var it needs is invalid)";
		}
		for (const [status, description] of Object.entries(errors))
			responses[status] = { $ref: `#/components/responses/error${status}`, description };
		paths[operation.path] ??= {};
		(paths[operation.path] as Record<string, unknown>)[operation.method] = {
			operationId: `${operation.method}${operation.path.replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
			summary: operation.summary,
			...(operation.description ? { description: operation.description } : {}),
			tags: [operation.tag],
			...(parameters.length > 0 ? { parameters } : {}),
			...(operation.body
				? {
						requestBody: {
							required: true,
							content: { "application/json": { schema: jsonSchema(operation.body, INPUT) } },
						},
					}
				: {}),
			responses,
			...(operation.public ? { security: [] } : {}),
		};
	}
	const statuses = new Set(
		operations.flatMap((operation) => [
			...(operation.public ? [] : ["401", "429", "503"]),
			...Object.keys(operation.errors ?? {}),
		]),
	);
	return {
		openapi: "3.1.0",
		info,
		security: [{ bearer: [] }],
		paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
		components: {
			securitySchemes: {
				bearer: { type: "http", scheme: "bearer", description: "The ADMIN_TOKEN secret" },
			},
			schemas: { Error: jsonSchema(error.schema, OUTPUT) },
			responses: Object.fromEntries(
				[...statuses].sort().map((status) => [
					`error${status}`,
					{
						description: error.description,
						content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
					},
				]),
			),
		},
	};
}
