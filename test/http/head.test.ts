// HEAD is GET without the body: every GET route answers it with GET's status and headers (Content-Length
// included, counting the body GET sends), and no body. The paths are written out here, not read from the
// route table, so a GET route that stops answering HEAD fails this test.
import { describe, expect, it } from "vitest";
import { API_PATHS } from "../../src/routes";
import { ADMIN_TOKEN } from "../api/admin";
import { fetchWith } from "../support/tencent";

const BASE = "https://webhooks.example.com";

/** Every GET path of the Worker (one concrete URL per /api pattern), and whether it wants the admin token. */
const GET_PATHS: [path: string, admin: boolean][] = [
	["/healthz", false],
	["/admin", false],
	["/admin/", false],
	["/admin/console.js", false],
	["/admin/console.css", false],
	["/api/openapi.json", false],
	["/api/session", false],
	["/api/policy", true],
	["/api/policy/versions", true],
	["/api/policy/versions/3", true],
	["/api/topics?search=a", true],
	["/api/topics/%40TGS%23_x%40TOPIC%23_a", true],
	["/api/groups/%40TGS%23_x/topics", true],
	["/api/groups/%40TGS%23_x/events", true],
	["/api/events", true],
	["/api/quarantine", true],
	["/api/quarantine/7", true],
	["/api/decisions", true],
	["/api/decisions/refusals", true],
	["/api/enforcement", true],
	["/api/enforcement/hold", true],
];

async function call(method: string, path: string, headers: HeadersInit = {}): Promise<Response> {
	return fetchWith(new Request(`${BASE}${path}`, { method, headers }), { ADMIN_TOKEN });
}

/** A response's headers without Content-Length (GET's may leave it to the runtime; HEAD's states it). */
function headersBesidesLength(response: Response): [string, string][] {
	return [...response.headers].filter(([name]) => name !== "content-length");
}

/** GET and HEAD of one path: same status, same headers, HEAD without a body and with GET's length. */
async function expectHeadLikeGet(path: string, headers: HeadersInit = {}) {
	const get = await call("GET", path, headers);
	const head = await call("HEAD", path, headers);
	const body = new Uint8Array(await get.arrayBuffer());
	expect(head.status, path).toBe(get.status);
	expect(headersBesidesLength(head), path).toEqual(headersBesidesLength(get));
	expect(head.headers.get("content-length"), path).toBe(String(body.byteLength));
	expect(await head.text(), path).toBe("");
	return { get, head, body };
}

describe("HEAD on every GET route", () => {
	it.each(GET_PATHS)("HEAD %s answers as GET does, without the body", async (path, admin) => {
		const { head, body } = await expectHeadLikeGet(
			path,
			admin ? { authorization: `Bearer ${ADMIN_TOKEN}` } : {},
		);
		expect(body.byteLength, path).toBeGreaterThan(0);
		// The route itself answered: not a 405, not the catch-all 404 (an unknown ID is the route's own 404).
		expect(head.status, path).not.toBe(405);
		expect(new TextDecoder().decode(body), path).not.toContain("no such /api path");
	});

	it("HEAD of a refusal is the refusal without its body (401 without the token)", async () => {
		const { head } = await expectHeadLikeGet("/api/events");
		expect(head.status).toBe(401);
	});

	it("HEAD of an unknown path is GET's 404, and of / GET's 405 with Allow: POST", async () => {
		expect((await expectHeadLikeGet("/nothing-here")).head.status).toBe(404);
		const root = await expectHeadLikeGet("/");
		expect(root.head.status).toBe(405);
		expect(root.head.headers.get("allow")).toBe("POST");
	});

	it("HEAD of a console file answers GET's 304 to a matching If-None-Match", async () => {
		const etag = (await call("GET", "/admin/console.js")).headers.get("etag") ?? "";
		const head = await call("HEAD", "/admin/console.js", { "if-none-match": etag });
		expect(head.status).toBe(304);
		expect(head.headers.get("etag")).toBe(etag);
	});

	it("the route table has no GET /api path this test does not know", () => {
		const routed = API_PATHS.filter(({ methods }) => methods.includes("GET")).map(({ path }) => path);
		const known = GET_PATHS.map(([path]) => new URL(path, BASE).pathname).filter((path) =>
			path.startsWith("/api/"),
		);
		expect(known.length).toBe(routed.length);
		for (const pattern of routed)
			expect(
				known.some((path) => sameShape(path, pattern)),
				pattern,
			).toBe(true);
	});
});

/** Whether a concrete path fits an itty-router pattern (`:name` matches one segment). */
function sameShape(concrete: string, pattern: string): boolean {
	const a = concrete.split("/");
	const b = pattern.split("/");
	return a.length === b.length && b.every((segment, i) => segment.startsWith(":") || segment === a[i]);
}
