// The OpenAPI document: generated from the routes' valibot schemas, committed, served, and covering every
// /api route of the route table.
import { describe, expect, it } from "vitest";
import { apiError, apiInfo, API_ROUTES as apiOperations } from "../../src/api";
import { openApiDocument } from "../../src/api/openapi";
import committed from "../../src/api/openapi.json";
import { router } from "../../src/routes";
import { fetchWith } from "../support/tencent";

describe("OpenAPI document", () => {
	it("is what src/api/operations.ts generates (run `npm run openapi` after changing a route)", () => {
		expect(committed).toEqual(openApiDocument(apiInfo, apiOperations, apiError));
	});

	it("is served at /api/openapi.json without a token, as OpenAPI 3.1 JSON", async () => {
		const response = await fetchWith(new Request("https://webhooks.example.com/api/openapi.json"), {
			ADMIN_TOKEN: "set-but-not-sent-admin-token-0123456789",
		});
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toMatch(/^application\/json/);
		const document = await response.json<typeof committed>();
		expect(document.openapi).toBe("3.1.0");
		expect(document).toEqual(committed);
	});

	it("describes every /api route of the route table, with its method", () => {
		const documented = new Set(
			Object.entries(committed.paths).flatMap(([path, item]) =>
				Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
			),
		);
		const routed = router.routes
			.map(([method, , , path]) => `${method} ${String(path).replace(/:(\w+)/g, "{$1}")}`)
			.filter((route) => / \/api\//.test(route) && !route.startsWith("ALL "));
		expect(routed.length).toBeGreaterThan(5);
		for (const route of routed) expect(documented, route).toContain(route);
		expect(documented.size).toBe(routed.length);
	});

	it("takes the query parameters from the routes' own schemas", () => {
		const events = committed.paths["/api/events"].get;
		expect(events.parameters.map((p) => p.name)).toEqual(["after", "limit", "app"]);
		const quarantine = committed.paths["/api/quarantine"].get;
		expect(quarantine.parameters.find((p) => p.name === "status")?.schema).toMatchObject({
			enum: ["open", "resolved", "all"],
		});
		expect(
			committed.paths["/api/policy/check"].post.requestBody.content["application/json"].schema,
		).toMatchObject({
			required: ["Operator_Account", "Name"],
		});
	});
});
