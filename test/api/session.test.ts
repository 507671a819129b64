// The console's session: the admin token is exchanged for a signed, short-lived HttpOnly cookie; the cookie
// opens /api like the bearer token, and state-changing calls also need the session's CSRF token.
import { describe, expect, it } from "vitest";
import {
	CSRF_HEADER,
	csrfToken,
	issueSession,
	SESSION_COOKIE,
	SESSION_TTL_SECONDS,
} from "../../src/auth/console-session";
import { fetchWith } from "../support/tencent";
import { ADMIN_TOKEN } from "./admin";

const ORIGIN = "https://webhooks.example.com";

function call(path: string, init: RequestInit = {}, env: Partial<Env> = {}): Promise<Response> {
	return fetchWith(new Request(`${ORIGIN}${path}`, init), { ADMIN_TOKEN, ...env });
}

async function signIn(body: unknown = { token: ADMIN_TOKEN, name: "Dana" }) {
	const response = await call("/api/session", {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	return { response, json: (await response.json()) as Record<string, unknown> };
}

/** A signed-in session: the cookie header to send and the CSRF token. */
async function session(): Promise<{ cookie: string; csrf: string }> {
	const { response, json } = await signIn();
	const setCookie = response.headers.get("set-cookie") ?? "";
	return { cookie: setCookie.split(";")[0] as string, csrf: json.csrfToken as string };
}

const draft = JSON.stringify({ version: "session-test", names: { banned: ["casino"] } });

describe("POST /api/session", () => {
	it("sets a Secure, HttpOnly, SameSite=Strict, __Host- cookie that lasts two hours", async () => {
		const { response, json } = await signIn();
		expect(response.status).toBe(200);
		const setCookie = response.headers.get("set-cookie") ?? "";
		expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]+\\.[\\w-]+;`));
		for (const attribute of [
			"HttpOnly",
			"Secure",
			"SameSite=Strict",
			"Path=/",
			`Max-Age=${SESSION_TTL_SECONDS}`,
		])
			expect(setCookie).toContain(attribute);
		expect(json).toMatchObject({ name: "Dana", csrfToken: expect.any(String) });
		// The token itself is nowhere in the answer.
		expect(JSON.stringify(json) + setCookie).not.toContain(ADMIN_TOKEN);
	});

	it("refuses a wrong token (401) and a malformed body (400 naming the field), setting no cookie", async () => {
		const wrong = await signIn({ token: `${ADMIN_TOKEN}x` });
		expect(wrong.response.status).toBe(401);
		expect(wrong.response.headers.get("set-cookie")).toBeNull();
		const malformed = await signIn({ token: ADMIN_TOKEN, name: 42 });
		expect(malformed.response.status).toBe(400);
		expect(malformed.json).toMatchObject({
			error: { code: "bad_request", message: expect.stringMatching(/^name: /) },
		});
		const unknown = await signIn({ token: ADMIN_TOKEN, role: "root" });
		expect(unknown.response.status).toBe(400);
		expect(unknown.json).toMatchObject({
			error: { code: "bad_request", message: "role: unknown field", field: "role" },
		});
	});

	it("takes only application/json, so a cross-site form or text/plain POST can neither sign in nor lock out", async () => {
		const headers = { "content-type": "text/plain", "cf-connecting-ip": "198.51.100.77" };
		for (let i = 0; i < 12; i++) {
			const answer = await call("/api/session", {
				method: "POST",
				headers,
				body: JSON.stringify({ token: "wrong-token" }),
			});
			expect(answer.status).toBe(415);
			expect(await answer.json()).toEqual({
				error: {
					code: "unsupported_media_type",
					message: "content-type: must be application/json",
					field: "content-type",
				},
			});
		}
		const right = await call("/api/session", {
			method: "POST",
			headers: { "content-type": "application/json; charset=utf-8", "cf-connecting-ip": "198.51.100.77" },
			body: JSON.stringify({ token: ADMIN_TOKEN }),
		});
		expect(right.status).toBe(200);
	});

	it("refuses a body over MAX_BODY_BYTES with 413 in the /api error shape, declared or streamed", async () => {
		const oversized = JSON.stringify({ token: ADMIN_TOKEN, name: "x".repeat(2 * 1024 * 1024) });
		const declared = await call(
			"/api/session",
			{ method: "POST", headers: { "content-type": "application/json" }, body: oversized },
			{ MAX_BODY_BYTES: "1048576" },
		);
		expect(declared.status).toBe(413);
		expect(declared.headers.get("set-cookie")).toBeNull();
		expect(await declared.json()).toEqual({
			error: { code: "payload_too_large", message: "body is larger than 1048576 bytes" },
		});
		// Without a length: counted as it streams in, and refused once past the limit.
		const bytes = new TextEncoder().encode(oversized);
		const streamed = await call(
			"/api/session",
			{
				method: "POST",
				headers: { "content-type": "application/json" },
				body: new ReadableStream({
					start(controller) {
						for (let at = 0; at < bytes.length; at += 65_536)
							controller.enqueue(bytes.slice(at, at + 65_536));
						controller.close();
					},
				}),
			},
			{ MAX_BODY_BYTES: "1000" },
		);
		expect(streamed.status).toBe(413);
		expect(await streamed.json()).toMatchObject({ error: { message: "body is larger than 1000 bytes" } });
		// Just under a small limit still signs in.
		const small = await call(
			"/api/session",
			{
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ token: ADMIN_TOKEN }),
			},
			{ MAX_BODY_BYTES: "1000" },
		);
		expect(small.status).toBe(200);
	});

	it("refuses a body nested past the JSON depth bound with 400", async () => {
		const deep = `{"token":${"[".repeat(100)}${"]".repeat(100)}}`;
		const response = await call("/api/session", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: deep,
		});
		expect(response.status).toBe(400);
		expect(await response.json()).toMatchObject({ error: { message: "body nests deeper than 64 levels" } });
	});

	it("is off (503) while ADMIN_TOKEN is unset", async () => {
		const response = await call(
			"/api/session",
			{ method: "POST", body: JSON.stringify({ token: "" }) },
			{ ADMIN_TOKEN: "" },
		);
		expect(response.status).toBe(503);
	});
});

describe("the session cookie on /api", () => {
	it("opens GET routes without the bearer token", async () => {
		const { cookie } = await session();
		const response = await call("/api/decisions?limit=1", { headers: { cookie } });
		expect(response.status).toBe(200);
		const who = await call("/api/session", { headers: { cookie } });
		expect(await who.json()).toMatchObject({ name: "Dana" });
	});

	it("needs this session's CSRF token on a state-changing call", async () => {
		const { cookie, csrf } = await session();
		const other = await session();
		const validate = (headers: Record<string, string>) =>
			call("/api/policy/validate", {
				method: "POST",
				headers: { cookie, ...headers },
				body: JSON.stringify({ policy: draft }),
			});
		expect((await validate({})).status).toBe(403);
		expect(
			(await validate({ [CSRF_HEADER]: `${csrf.slice(0, -2)}${csrf.endsWith("AA") ? "BB" : "AA"}` })).status,
		).toBe(403);
		// Another session's token does not fit this one.
		expect((await validate({ [CSRF_HEADER]: other.csrf })).status).toBe(403);
		expect((await validate({ [CSRF_HEADER]: csrf, origin: "https://evil.example" })).status).toBe(403);
		const ok = await validate({ [CSRF_HEADER]: csrf, origin: ORIGIN });
		expect(ok.status).toBe(200);
		expect(await ok.json()).toMatchObject({ valid: true, version: "session-test" });
	});

	it("refuses a tampered, expired or foreign-key cookie", async () => {
		const { cookie } = await session();
		const [payload, signature] = cookie.slice(SESSION_COOKIE.length + 1).split(".") as [string, string];
		const get = (value: string, env: Partial<Env> = {}) =>
			call("/api/decisions?limit=1", { headers: { cookie: `${SESSION_COOKIE}=${value}` } }, env);
		// A payload with another name but the old signature.
		const forged = btoa(JSON.stringify({ sid: "x", name: "root", expiresAt: Date.now() + 60_000 }))
			.replace(/=+$/, "")
			.replace(/\+/g, "-")
			.replace(/\//g, "_");
		expect((await get(`${forged}.${signature}`)).status).toBe(401);
		expect(
			(await get(`${payload}.${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`)).status,
		).toBe(401);
		expect((await get(payload)).status).toBe(401);
		const expired = await issueSession(ADMIN_TOKEN, "Dana", Date.now() - SESSION_TTL_SECONDS * 1000 - 1);
		const expiredResponse = await get(expired.cookieValue);
		expect(expiredResponse.status).toBe(401);
		expect(await expiredResponse.json()).toMatchObject({
			error: { code: "unauthorized", message: expect.stringContaining("expired") },
		});
		// Rotating ADMIN_TOKEN ends every session.
		expect((await get(`${payload}.${signature}`, { ADMIN_TOKEN: `${ADMIN_TOKEN}-rotated` })).status).toBe(
			401,
		);
		expect((await get(`${payload}.${signature}`)).status).toBe(200);
	});

	it("signs out by clearing the cookie", async () => {
		const response = await call("/api/session", { method: "DELETE" });
		expect(response.status).toBe(200);
		expect(response.headers.get("set-cookie")).toBe(
			`${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`,
		);
	});

	it("derives the CSRF token from the session, not from anything the browser can read", async () => {
		const a = await issueSession(ADMIN_TOKEN, "A");
		const b = await issueSession(ADMIN_TOKEN, "A");
		expect(await csrfToken(ADMIN_TOKEN, a.session)).not.toBe(await csrfToken(ADMIN_TOKEN, b.session));
		expect(await csrfToken(ADMIN_TOKEN, a.session)).not.toContain(a.cookieValue.split(".")[1]);
	});
});

describe("GET /admin", () => {
	it("serves the page with a CSP that allows no inline script and no framing", async () => {
		const response = await call("/admin");
		expect(response.status).toBe(200);
		expect(response.headers.get("content-type")).toMatch(/^text\/html/);
		const csp = response.headers.get("content-security-policy") ?? "";
		expect(csp).toContain("script-src 'self'");
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).not.toMatch(/unsafe-(inline|eval)/);
		const html = await response.text();
		expect(html).toContain('<label for="token">Admin token</label>');
		expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
	});

	it("serves its script and style, and nothing else under /admin", async () => {
		const script = await call("/admin/console.js");
		expect(script.status).toBe(200);
		expect(script.headers.get("content-type")).toMatch(/javascript/);
		expect(script.headers.get("x-content-type-options")).toBe("nosniff");
		expect((await call("/admin/console.css")).status).toBe(200);
		expect((await call("/admin/missing.js")).status).toBe(404);
		expect((await call("/admin/../wrangler.toml")).status).toBe(404);
		expect((await call("/admin/index.html")).status).toBe(404);
		expect((await call("/admin/constructor")).status).toBe(404);
	});

	it("tags each file with an ETag and answers 304 when the browser already holds it", async () => {
		const first = await call("/admin/console.js");
		const etag = first.headers.get("etag") ?? "";
		expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
		expect(await first.text()).toContain("/api/");
		const again = await call("/admin/console.js", { headers: { "if-none-match": etag } });
		expect(again.status).toBe(304);
		expect(await again.text()).toBe("");
		expect(again.headers.get("content-security-policy")).toContain("script-src 'self'");
		const page = await call("/admin", { headers: { "if-none-match": etag } });
		expect(page.status).toBe(200); // another file's tag does not match the page
		expect(page.headers.get("etag")).not.toBe(etag);
	});
});
