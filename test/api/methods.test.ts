// Every /api path answers a method it does not serve with 405, an `Allow` header naming the ones it does
// (HEAD wherever GET is), and the /api error shape. The table below is written out here, not read from src/routes.ts, so a path
// that loses its 405 (or a route that disappears) fails this test.
import { describe, expect, it } from "vitest";
import { API_PATHS } from "../../src/routes";
import { fetchWith } from "../support/tencent";
import { ADMIN_TOKEN } from "./admin";

const EXPECTED: [path: string, allowed: string[]][] = [
	["/api/openapi.json", ["GET"]],
	["/api/session", ["POST", "GET", "DELETE"]],
	["/api/policy", ["GET", "PUT"]],
	["/api/policy/check", ["POST"]],
	["/api/policy/backtest", ["POST"]],
	["/api/policy/validate", ["POST"]],
	["/api/policy/rollback", ["POST"]],
	["/api/policy/versions", ["GET"]],
	["/api/policy/versions/3", ["GET"]],
	["/api/topics", ["GET"]],
	["/api/topics/%40TGS%23_x%40TOPIC%23_a", ["GET"]],
	["/api/groups/%40TGS%23_x/topics", ["GET"]],
	["/api/groups/%40TGS%23_x/events", ["GET"]],
	["/api/events", ["GET"]],
	["/api/quarantine", ["GET"]],
	["/api/quarantine/7", ["GET", "DELETE"]],
	["/api/quarantine/7/replay", ["POST"]],
	["/api/decisions", ["GET"]],
	["/api/decisions/refusals", ["GET"]],
	["/api/enforcement", ["GET"]],
	["/api/enforcement/hold", ["GET"]],
	["/api/enforcement/resume", ["POST"]],
	["/api/enforcement/discard", ["POST"]],
];

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/** What `Allow` names for a path that routes `methods`: HEAD is answered wherever GET is. */
const allowHeader = (methods: string[]) => (methods.includes("GET") ? [...methods, "HEAD"] : methods);

const cases = EXPECTED.flatMap(([path, routed]) => {
	const allowed = allowHeader(routed);
	return METHODS.filter((method) => !allowed.includes(method)).map(
		(method) => [path, method, allowed] as const,
	);
});

describe("405 on every /api path", () => {
	it.each(cases)("%s asked with %s: 405, Allow and the /api error shape", async (path, method, allowed) => {
		const response = await fetchWith(
			new Request(`https://webhooks.example.com${path}`, {
				method,
				headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
			}),
			{ ADMIN_TOKEN },
		);
		expect(response.status).toBe(405);
		const allow = (response.headers.get("allow") ?? "").split(/,\s*/);
		expect([...allow].sort()).toEqual([...allowed].sort());
		expect(response.headers.get("content-type")).toMatch(/^application\/json/);
		// A HEAD gets the same status and headers, without the body.
		if (method === "HEAD") return expect(await response.text()).toBe("");
		expect(await response.json()).toEqual({
			error: { code: "method_not_allowed", message: `this path answers ${allow.join(" or ")} only` },
		});
	});

	it("the route table has no /api path this test does not know", () => {
		expect(API_PATHS.length).toBe(EXPECTED.length);
		for (const { path, methods } of API_PATHS) {
			const match = EXPECTED.find(([expected]) => sameShape(expected, path));
			expect(match, path).toBeDefined();
			expect([...methods].sort(), path).toEqual([...(match?.[1] ?? [])].sort());
		}
	});
});

/** Whether a concrete path fits an itty-router pattern (`:name` matches one segment). */
function sameShape(concrete: string, pattern: string): boolean {
	const a = concrete.split("/");
	const b = pattern.split("/");
	return a.length === b.length && b.every((segment, i) => segment.startsWith(":") || segment === a[i]);
}
