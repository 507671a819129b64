// Who may use /api/: whoever holds ADMIN_TOKEN, as a bearer token (scripts) or through a console session
// cookie obtained with it (the /admin page). The callback token never opens it.
import { type Config, configProblem } from "../config";
import { timingSafeEqualStrings } from "../crypto";
import { type ApiProblem, apiError } from "../http/api-error";
import { ok, type Result, refused } from "../result";
import { type AttemptSource, blockedSeconds, recordFailedAttempt } from "./attempt-limit";
import { checkCsrf, readCookie, SESSION_COOKIE, verifySession } from "./console-session";

/** Who made an /api/ call: `bearer` for the token itself, or the console session's signed-in name. */
export interface AdminCaller {
	via: "bearer" | "session";
	/** Recorded with what the caller publishes: the session's name, or "api token". */
	name: string;
}

/** Why an /api/ call is refused: the /api error problem, with the status auth can answer. */
export interface AdminRefusal extends ApiProblem {
	status: 401 | 403 | 429 | 503;
	/** Seconds to wait before trying again (429 only), sent as `Retry-After`. */
	retryAfterSeconds?: number;
}

/** The answer to a refused /api call: the /api error shape, `WWW-Authenticate` on 401, `Retry-After` on 429. */
export function adminRefusalResponse(refusal: AdminRefusal): Response {
	const { retryAfterSeconds, ...problem } = refusal;
	return apiError(problem, {
		...(problem.status === 401 ? { "www-authenticate": "Bearer" } : {}),
		...(retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }),
	});
}

/** The outcome of checking an /api/ request's credentials. */
export type AdminAuthResult = Result<AdminCaller, AdminRefusal>;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The admin token when the API is on, or the 503 that says why it is off: ADMIN_TOKEN unset, too weak
 * (the message names the rule), or another var the API needs is invalid.
 */
export function adminToken(config: Config): Result<string, AdminRefusal> {
	const problem = configProblem(config, "api");
	if (problem) return refused({ status: 503, message: problem.message, field: problem.variable });
	if (config.adminToken === null)
		return refused({ status: 503, message: "the API is off: set the ADMIN_TOKEN secret to turn it on" });
	return ok(config.adminToken);
}

/** The 429 of an address over the failed-attempt limit. */
function tooManyAttempts(retryAfterSeconds: number): AdminRefusal {
	return {
		status: 429,
		message: `too many failed attempts from this address: try again in ${retryAfterSeconds} s`,
		retryAfterSeconds,
	};
}

/**
 * Runs one check of a presented credential under the failed-attempt limit: a blocked address is refused
 * (429) before its credentials are looked at; a 401 counts as a failure, and the one over the limit becomes
 * a 429. Only a wrong credential may come here: a request with none is answered without it (see
 * {@link presentsCredential}), or any page could lock the admin out by making a browser send empty requests.
 */
export async function limitFailedAttempts<T>(
	source: AttemptSource,
	attempt: () => Promise<Result<T, AdminRefusal>>,
): Promise<Result<T, AdminRefusal>> {
	if (source.address !== null) {
		const wait = blockedSeconds(source.memory, source.address, Date.now());
		if (wait !== null) return refused(tooManyAttempts(wait));
	}
	const outcome = await attempt();
	if (outcome.ok || outcome.problem.status !== 401) return outcome;
	const wait = await recordFailedAttempt(source, Date.now());
	return wait === null ? outcome : refused(tooManyAttempts(wait));
}

/**
 * Whether `request` presents a credential at all: an `Authorization` header (well formed or not) or the
 * console session cookie (valid or not). Anything presented and wrong is a failed attempt; nothing is not.
 */
export function presentsCredential(request: Request): boolean {
	return request.headers.has("authorization") || readCookie(request, SESSION_COOKIE) !== null;
}

/** The 401 of a request that presents no credential (not a failed attempt). */
const NO_CREDENTIAL: AdminRefusal = {
	status: 401,
	message: "Authorization: Bearer <ADMIN_TOKEN> (or a console session) is required",
};

/**
 * Checks `Authorization: Bearer <ADMIN_TOKEN>` in constant time, or else the console session cookie (plus
 * its CSRF header on state-changing methods); with no usable token set the API is off (503). A request
 * with neither gets 401 and is not counted; wrong credentials (a malformed header, a wrong token, a bad or
 * expired cookie) are failed attempts, limited per client address (`attempt-limit.ts`).
 */
export async function authenticateAdmin(
	request: Request,
	config: Config,
	source: AttemptSource,
): Promise<AdminAuthResult> {
	const token = adminToken(config);
	if (!token.ok) return token;
	if (!presentsCredential(request)) return refused(NO_CREDENTIAL);
	return limitFailedAttempts(source, () => checkCredentials(request, token.value));
}

/** The bearer token or the session cookie (with CSRF on state-changing calls) against `expected`. */
async function checkCredentials(request: Request, expected: string): Promise<AdminAuthResult> {
	const header = request.headers.get("authorization");
	const cookie = readCookie(request, SESSION_COOKIE);
	if (header === null && cookie !== null) {
		const check = await verifySession(expected, cookie);
		if (!check.ok) return refused({ status: 401, message: check.problem });
		if (!SAFE_METHODS.has(request.method)) {
			const csrf = await checkCsrf(request, expected, check.value);
			if (!csrf.ok) return refused({ status: 403, message: csrf.problem });
		}
		return ok({ via: "session", name: check.value.name });
	}
	const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header ?? "");
	if (!match)
		return refused({
			status: 401,
			message: "the Authorization header must be Bearer <ADMIN_TOKEN>",
		});
	return (await timingSafeEqualStrings(match[1] as string, expected))
		? ok({ via: "bearer", name: "api token" })
		: refused({ status: 401, message: "the bearer token is not valid" });
}
