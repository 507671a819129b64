// Who may call the callback endpoint: Tencent Chat for one of our SDKAppIDs, signed with the console token.
import { callbackTokens, requestTimeSkewSeconds, sdkAppIds } from "../config";
import { sha256Hex, timingSafeEqualStrings } from "../crypto";
import { log } from "../log";

/** The outcome of checking a callback request's query string. */
export type CallbackAuthResult = { ok: true; sdkAppId: string } | { ok: false; reason: string };

let warnedUnsigned = false;

/** Lets the next unsigned callback log its warning again, as in a new isolate. For tests only. */
export function resetUnsignedWarningForTests(): void {
	warnedUnsigned = false;
}

/** The single value of a query parameter; `undefined` when absent, `null` when repeated. */
export function singleParam(params: URLSearchParams, name: string): string | undefined | null {
	const values = params.getAll(name);
	if (values.length === 0) return undefined;
	return values.length === 1 ? (values[0] as string) : null;
}

/**
 * The signature Tencent computes: lowercase hex SHA-256 of `token + RequestTime` (not an HMAC).
 *
 * @example
 * await tencentSign("xxxxyyyy", "1669872112"); // "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
 */
export function tencentSign(token: string, requestTime: string): Promise<string> {
	return sha256Hex(token + requestTime);
}

/**
 * Checks `SdkAppid` against the configured list and, when a callback token is set, `Sign` and
 * `RequestTime` (seconds; at most the configured skew from `nowMs`). Every refusal names its reason.
 */
export async function authenticateCallback(
	params: URLSearchParams,
	env: Env,
	nowMs: number,
): Promise<CallbackAuthResult> {
	const sdkAppId = singleParam(params, "SdkAppid");
	if (sdkAppId === undefined) return { ok: false, reason: "SdkAppid is missing" };
	if (sdkAppId === null) return { ok: false, reason: "SdkAppid is repeated" };
	if (!sdkAppIds(env).includes(sdkAppId)) return { ok: false, reason: "SdkAppid is not this app's" };

	const tokens = callbackTokens(env);
	if (tokens.length === 0) {
		// Once per isolate: loud enough to be seen in Workers Logs, not one line per callback.
		if (!warnedUnsigned) {
			warnedUnsigned = true;
			log("warn", "callback.unsigned", {
				warning: "CALLBACK_TOKEN is not set: callbacks are accepted on SdkAppid alone, which anyone can send",
			});
		}
		return { ok: true, sdkAppId };
	}

	const requestTime = singleParam(params, "RequestTime");
	const sign = singleParam(params, "Sign");
	if (requestTime === undefined) return { ok: false, reason: "RequestTime is missing" };
	if (sign === undefined) return { ok: false, reason: "Sign is missing" };
	if (requestTime === null || sign === null) return { ok: false, reason: "RequestTime or Sign is repeated" };
	if (!/^\d{1,12}$/.test(requestTime))
		return { ok: false, reason: "RequestTime is not a Unix time in seconds" };
	const skew = Math.abs(nowMs / 1000 - Number(requestTime));
	if (skew > requestTimeSkewSeconds(env)) return { ok: false, reason: "RequestTime is too far from now" };

	// Hex is case-insensitive; every token is tried so the time taken does not tell which one matched.
	const presented = sign.toLowerCase();
	let matched = false;
	for (const token of tokens) {
		if (await timingSafeEqualStrings(presented, await tencentSign(token, requestTime))) matched = true;
	}
	return matched ? { ok: true, sdkAppId } : { ok: false, reason: "Sign does not match" };
}
