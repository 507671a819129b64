#!/usr/bin/env node
// `npm run openapi`: writes src/api/openapi.json, the OpenAPI 3.1 document of /api, from the operations
// in src/api/operations.ts (their own valibot schemas). The Worker serves that file at /api/openapi.json;
// a test fails when it is stale. `--check` only compares.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { loadPolicyModule, root } from "./load-policy-module.mjs";

const target = `${root}src/api/openapi.json`;
const { openApiDocument, apiOperations, apiError, apiInfo } = await loadPolicyModule(
	"openapi",
	`export { openApiDocument } from "./src/api/openapi";
export { apiOperations, apiError, apiInfo } from "./src/api/operations";`,
);
const document = openApiDocument(apiInfo, apiOperations, apiError);

if (process.argv.includes("--check")) {
	if (!isDeepStrictEqual(JSON.parse(readFileSync(target, "utf8")), document)) {
		console.error("src/api/openapi.json is stale: run `npm run openapi` and commit it");
		process.exit(1);
	}
	console.log("src/api/openapi.json is current");
} else {
	writeFileSync(target, `${JSON.stringify(document, null, "\t")}\n`);
	spawnSync(`${root}node_modules/.bin/biome`, ["format", "--write", target], { stdio: "ignore" });
	console.log(`wrote src/api/openapi.json (${apiOperations.length} operations)`);
}
