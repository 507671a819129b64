// Who may read /api/: whoever holds ADMIN_TOKEN. The callback token never opens it.
import { timingSafeEqualStrings } from "../crypto";
import { ok, type Result, refused } from "../result";

/** The outcome of checking an /api/ request's bearer token. */
export type AdminAuthResult = Result<null, { status: 401 | 503; message: string }>;

/** Checks `Authorization: Bearer <ADMIN_TOKEN>` in constant time; with no token set the API is off (503). */
export async function authenticateAdmin(request: Request, env: Env): Promise<AdminAuthResult> {
	const expected = env.ADMIN_TOKEN;
	if (!expected)
		return refused({ status: 503, message: "the API is off: set the ADMIN_TOKEN secret to turn it on" });
	const header = request.headers.get("authorization") ?? "";
	const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
	if (!match) return refused({ status: 401, message: "Authorization: Bearer <ADMIN_TOKEN> is required" });
	const equal = await timingSafeEqualStrings(match[1] as string, expected);
	return equal ? ok(null) : refused({ status: 401, message: "the bearer token is not valid" });
}
