// Who may read /api/: whoever holds ADMIN_TOKEN. The callback token never opens it.
import { timingSafeEqualStrings } from "../crypto";

/** The outcome of checking an /api/ request's bearer token. */
export type AdminAuthResult = { ok: true } | { ok: false; status: 401 | 503; reason: string };

/** Checks `Authorization: Bearer <ADMIN_TOKEN>` in constant time; with no token set the API is off (503). */
export async function authenticateAdmin(request: Request, env: Env): Promise<AdminAuthResult> {
	const expected = env.ADMIN_TOKEN;
	if (!expected)
		return { ok: false, status: 503, reason: "the API is off: set the ADMIN_TOKEN secret to turn it on" };
	const header = request.headers.get("authorization") ?? "";
	const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
	if (!match) return { ok: false, status: 401, reason: "Authorization: Bearer <ADMIN_TOKEN> is required" };
	const ok = await timingSafeEqualStrings(match[1] as string, expected);
	return ok ? { ok: true } : { ok: false, status: 401, reason: "the bearer token is not valid" };
}
