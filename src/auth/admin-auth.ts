// Who may use /api/: whoever holds ADMIN_TOKEN, as a bearer token (scripts) or through a console session
// cookie obtained with it (the /admin page). The callback token never opens it.
import { timingSafeEqualStrings } from "../crypto";
import { checkCsrf, readCookie, SESSION_COOKIE, verifySession } from "./console-session";

/** Who made an /api/ call: `bearer` for the token itself, or the console session's signed-in name. */
export interface AdminCaller {
	via: "bearer" | "session";
	/** Recorded with what the caller publishes: the session's name, or "api token". */
	name: string;
}

/** The outcome of checking an /api/ request's credentials. */
export type AdminAuthResult =
	| { ok: true; caller: AdminCaller }
	| { ok: false; status: 401 | 403 | 503; reason: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Checks `Authorization: Bearer <ADMIN_TOKEN>` in constant time, or else the console session cookie (plus
 * its CSRF header on state-changing methods); with no token set the API is off (503).
 */
export async function authenticateAdmin(request: Request, env: Env): Promise<AdminAuthResult> {
	const expected = env.ADMIN_TOKEN;
	if (!expected)
		return { ok: false, status: 503, reason: "the API is off: set the ADMIN_TOKEN secret to turn it on" };
	const header = request.headers.get("authorization");
	const cookie = readCookie(request, SESSION_COOKIE);
	if (header === null && cookie !== null) {
		const check = await verifySession(expected, cookie);
		if (!check.ok) return { ok: false, status: 401, reason: check.reason };
		if (!SAFE_METHODS.has(request.method)) {
			const csrf = await checkCsrf(request, expected, check.session);
			if (!csrf.ok) return { ok: false, status: 403, reason: csrf.reason };
		}
		return { ok: true, caller: { via: "session", name: check.session.name } };
	}
	const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? "");
	if (!match)
		return {
			ok: false,
			status: 401,
			reason: "Authorization: Bearer <ADMIN_TOKEN> (or a console session) is required",
		};
	const ok = await timingSafeEqualStrings(match[1] as string, expected);
	return ok
		? { ok: true, caller: { via: "bearer", name: "api token" } }
		: { ok: false, status: 401, reason: "the bearer token is not valid" };
}
