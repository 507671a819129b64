// /api/session: the console's sign-in (admin token in, session cookie out), who is signed in, sign-out.
import * as v from "valibot";
import { adminRefusalResponse, adminToken, limitFailedAttempts } from "../auth/admin-auth";
import { attemptSource } from "../auth/attempt-limit";
import {
	type ConsoleSession,
	csrfToken,
	issueSession,
	readCookie,
	SESSION_COOKIE,
	sessionCookieHeader,
	verifySession,
} from "../auth/console-session";
import { readConfig } from "../config";
import { timingSafeEqualStrings } from "../crypto";
import { apiError } from "../http/api-error";
import { NO_STORE, readJsonBody } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { log } from "../log";
import { ok, refused } from "../result";
import type { ApiRoute } from "./route";

/** POST /api/session's body (also in the OpenAPI document). */
export const SignInSchema = v.strictObject({
	token: v.pipe(v.string("must be a string"), v.minLength(1, "must not be empty")),
	name: v.optional(
		v.pipe(
			v.string("must be a string"),
			v.trim(),
			v.minLength(1, "must not be empty"),
			v.maxLength(64, "must be at most 64 characters"),
		),
	),
});

async function sessionView(env: Env, adminToken: string, session: ConsoleSession) {
	return {
		name: session.name,
		expiresAt: new Date(session.expiresAt).toISOString(),
		csrfToken: await csrfToken(adminToken, session),
		apps: readConfig(env).sdkAppIds,
	};
}

/**
 * POST /api/session `{"token": <ADMIN_TOKEN>, "name"?: who}` → 200 `{name, expiresAt, csrfToken, apps}` with the
 * session cookie; a wrong token → 401 (a failed attempt, limited like every wrong credential), a malformed
 * body → 400 naming the field, a body over MAX_BODY_BYTES → 413, any content type but application/json →
 * 415 (not counted: a cross-site form cannot lock the admin out). Open without credentials (it is how they
 * are obtained); the token is compared in constant time.
 */
export async function signIn(request: Request, env: Env): Promise<Response> {
	const token = adminToken(readConfig(env));
	if (!token.ok) return apiError(token.problem);
	// Only JSON, declared as such: a form or text/plain POST is one any web page can make the admin's browser
	// send without asking (no CORS preflight), and its wrong tokens would lock the admin out.
	const type = request.headers.get("content-type") ?? "";
	if (!/^application\/json\s*(;|$)/i.test(type)) {
		await request.body?.cancel();
		return apiError({
			status: 415,
			message: "content-type: must be application/json",
			field: "content-type",
		});
	}
	const expected = token.value;
	// Open to anyone, so bounded like every body: a larger one is a 413, never read whole.
	const body = await readJsonBody(request, SignInSchema, readConfig(env).maxBodyBytes);
	if (!body.ok) return apiError(body.problem);
	const { token: presented } = body.value;
	const match = await limitFailedAttempts(attemptSource(request, env), async () =>
		(await timingSafeEqualStrings(presented, expected))
			? ok(null)
			: refused({ status: 401 as const, message: "the admin token is not valid", field: "token" }),
	);
	if (!match.ok) {
		log("warn", "console.sign_in_refused", { status: match.problem.status });
		return adminRefusalResponse(match.problem);
	}
	const { session, cookieValue } = await issueSession(expected, body.value.name ?? "admin");
	log("info", "console.signed_in", { name: session.name });
	return jsonResponse(await sessionView(env, expected, session), 200, {
		...NO_STORE,
		"set-cookie": sessionCookieHeader(cookieValue),
	});
}

/** GET /api/session → `{name, expiresAt, csrfToken, apps}` of the session cookie sent, or 401. */
export async function currentSession(request: Request, env: Env): Promise<Response> {
	const expected = readConfig(env).adminToken;
	const cookie = readCookie(request, SESSION_COOKIE);
	if (expected === null || cookie === null) return apiError({ status: 401, message: "not signed in" });
	const check = await verifySession(expected, cookie);
	if (!check.ok) return apiError({ status: 401, message: check.problem });
	return jsonResponse(await sessionView(env, expected, check.value), 200, NO_STORE);
}

/** DELETE /api/session: clears the cookie (harmless to anyone, so it needs no credentials). */
export function signOut(): Response {
	return jsonResponse({ signedOut: true }, 200, { ...NO_STORE, "set-cookie": sessionCookieHeader(null) });
}

/** The session as /api/session answers it. */
const SessionView = v.object({
	name: v.string(),
	expiresAt: v.pipe(v.string(), v.description("ISO 8601.")),
	csrfToken: v.pipe(v.string(), v.description("Send it as X-CSRF-Token on every state-changing call.")),
	apps: v.pipe(v.array(v.string()), v.description("The SdkAppids this Worker answers for (SDKAPPID).")),
});

/** The console's session: open without credentials (signing in is how a moderator gets them). */
export const sessionRoutes: ApiRoute[] = [
	{
		method: "post",
		path: "/api/session",
		summary: "Sign in to the console with the admin token: sets the session cookie",
		tag: "console",
		public: true,
		body: SignInSchema,
		responses: { 200: { description: "Signed in (Set-Cookie)", schema: SessionView } },
		errors: {
			400: "a bad body",
			401: "wrong token",
			413: "a body over MAX_BODY_BYTES",
			429: "too many failed attempts from this address (Retry-After)",
			503: "the API is off (ADMIN_TOKEN unset or too weak)",
		},
		handler: (request, env) => signIn(request, env),
	},
	{
		method: "get",
		path: "/api/session",
		summary: "The console session of this cookie",
		tag: "console",
		public: true,
		responses: { 200: { description: "The session", schema: SessionView } },
		errors: { 401: "no valid session" },
		handler: (request, env) => currentSession(request, env),
	},
	{
		method: "delete",
		path: "/api/session",
		summary: "Sign out of the console: clears the cookie",
		tag: "console",
		public: true,
		responses: {
			200: {
				description: "Signed out (the cookie cleared)",
				schema: v.object({ signedOut: v.literal(true) }),
			},
		},
		handler: () => signOut(),
	},
];
