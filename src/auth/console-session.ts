// The console's sign-in: the admin token is exchanged once for a short-lived session cookie, so the page
// never keeps the token (not in localStorage, not in memory after sign-in). The cookie is HttpOnly (no
// script reads it), Secure, SameSite=Strict (no other site's page sends it), and signed with a key derived
// from ADMIN_TOKEN, so rotating the token ends every session. State-changing calls also need the CSRF token
// the session answer carries, sent back in a header that a cross-site form cannot set.
import { base64UrlDecode, base64UrlEncode, hmacSha256, timingSafeEqualStrings } from "../crypto";
import { ok, type Result, refused } from "../result";

/** The cookie's name; `__Host-` makes the browser refuse it without Secure, with a Domain, or off Path=/. */
export const SESSION_COOKIE = "__Host-console-session";
/** The header that carries the CSRF token on every non-GET call made with the cookie. */
export const CSRF_HEADER = "x-csrf-token";
/** How long a session lasts; signing in again after that is required. */
export const SESSION_TTL_SECONDS = 2 * 60 * 60;

/** What a session cookie says, once its signature is checked. */
export interface ConsoleSession {
	/** Random id; the CSRF token is derived from it. */
	sid: string;
	/** Who signed in, as typed at sign-in; recorded with what they publish. */
	name: string;
	/** Expiry, ms since the epoch. */
	expiresAt: number;
}

/** The session a cookie carries, or why it was not accepted. */
export type SessionCheck = Result<ConsoleSession>;

/** The HMAC key of sessions: derived from ADMIN_TOKEN, so it is never the token itself. */
function sessionKey(adminToken: string): Promise<Uint8Array> {
	return hmacSha256(adminToken, "console-session-key-v1");
}

async function sign(adminToken: string, message: string): Promise<string> {
	return base64UrlEncode(await hmacSha256(await sessionKey(adminToken), message));
}

/** The session's CSRF token: bound to its id and to the key, so it is worthless for another session. */
export function csrfToken(adminToken: string, session: ConsoleSession): Promise<string> {
	return sign(adminToken, `csrf:${session.sid}`);
}

/** A new session for `name`, valid for {@link SESSION_TTL_SECONDS} from `now`, and its cookie value. */
export async function issueSession(
	adminToken: string,
	name: string,
	now = Date.now(),
): Promise<{ session: ConsoleSession; cookieValue: string }> {
	const session: ConsoleSession = {
		sid: base64UrlEncode(crypto.getRandomValues(new Uint8Array(18))),
		name,
		expiresAt: now + SESSION_TTL_SECONDS * 1000,
	};
	const payload = base64UrlEncode(JSON.stringify(session));
	return { session, cookieValue: `${payload}.${await sign(adminToken, `session:${payload}`)}` };
}

/** Checks a cookie value's signature and expiry; never throws. */
export async function verifySession(
	adminToken: string,
	cookieValue: string,
	now = Date.now(),
): Promise<SessionCheck> {
	const [payload, signature, extra] = cookieValue.split(".");
	if (!payload || !signature || extra !== undefined) return refused("malformed session cookie");
	if (!(await timingSafeEqualStrings(signature, await sign(adminToken, `session:${payload}`))))
		return refused("the session cookie's signature is not valid");
	const bytes = base64UrlDecode(payload);
	let session: ConsoleSession;
	try {
		session = JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array()));
	} catch {
		return refused("malformed session cookie");
	}
	if (
		typeof session?.expiresAt !== "number" ||
		typeof session.sid !== "string" ||
		typeof session.name !== "string"
	)
		return refused("malformed session cookie");
	if (session.expiresAt <= now) return refused("the session has expired: sign in again");
	return ok(session);
}

/** The value of one cookie in a `Cookie` header, or null. */
export function readCookie(request: Request, name: string): string | null {
	for (const part of (request.headers.get("cookie") ?? "").split(";")) {
		const separator = part.indexOf("=");
		if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
	}
	return null;
}

/** The `Set-Cookie` value that stores a session, or (with `null`) clears it. */
export function sessionCookieHeader(cookieValue: string | null): string {
	const attributes = "Path=/; HttpOnly; Secure; SameSite=Strict";
	return cookieValue === null
		? `${SESSION_COOKIE}=; ${attributes}; Max-Age=0`
		: `${SESSION_COOKIE}=${cookieValue}; ${attributes}; Max-Age=${SESSION_TTL_SECONDS}`;
}

/**
 * Whether a state-changing call made with the session cookie is the console's own: the CSRF header must
 * carry this session's token and, when the browser says where the call comes from, the origin must be ours.
 */
export async function checkCsrf(
	request: Request,
	adminToken: string,
	session: ConsoleSession,
): Promise<Result<null>> {
	const origin = request.headers.get("origin");
	if (origin !== null && origin !== new URL(request.url).origin)
		return refused(`cross-origin call from ${origin} refused`);
	const sent = request.headers.get(CSRF_HEADER);
	if (!sent) return refused(`the ${CSRF_HEADER} header is required with the session cookie`);
	if (!(await timingSafeEqualStrings(sent, await csrfToken(adminToken, session))))
		return refused(`the ${CSRF_HEADER} header does not match the session`);
	return ok(null);
}
