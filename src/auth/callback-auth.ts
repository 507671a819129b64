// Who may call the callback endpoint: Tencent Chat for one of our SDKAppIDs, signed with the console token.
import { type Config, callbackTokensOf } from "../config";
import { sha256Hex, timingSafeEqualToPublicLength } from "../crypto";
import { isolateSlot, isolateState } from "../isolate";
import { log } from "../log";
import { ok, type Result, refused } from "../result";

/**
 * The SDKAppID the callback is for, or why it is refused. The problem `UNCONFIGURED_REASON` means no way to
 * authenticate callbacks is configured, so none is served (503); any other problem is a 401.
 */
export type CallbackAuthResult = Result<string>;

/** How callbacks are authenticated: a token, mutual TLS only, unsigned by choice, or not configured at all. */
export type CallbackAuthMode = "token" | "mutual-tls" | "unsigned" | "unconfigured";

/** The refusal while no authentication is configured; names every way out. */
export const UNCONFIGURED_REASON =
	'callback authentication is not configured: set the CALLBACK_TOKEN secret (or MTLS_REQUIRED="true"), or ALLOW_UNSIGNED_CALLBACKS="true" for local play';

/**
 * How this deployment authenticates callbacks. A token (shared or any app's own) always wins (then every
 * callback must be signed);
 * without one, mutual TLS alone or an explicit `ALLOW_UNSIGNED_CALLBACKS="true"`; otherwise nothing is
 * configured and callbacks are refused: an empty or forgotten secret must not silently open the endpoint.
 */
export function callbackAuthMode(config: Config): CallbackAuthMode {
	if (config.callbackTokens.length > 0 || Object.keys(config.callbackTokensByApp).length > 0) return "token";
	if (config.mutualTls.required) return "mutual-tls";
	return config.allowUnsignedCallbacks ? "unsigned" : "unconfigured";
}

/**
 * This isolate's callback-auth state: whether the unsigned warning was logged, and the signs of the latest
 * RequestTime seen (see expectedSigns). Kept per Config, which is parsed once per env.
 */
const callbackAuthState = isolateSlot("callback-auth", () => ({
	warnedUnsigned: false,
	recentSigns: null as { requestTime: string; sdkAppId: string; signs: readonly string[] } | null,
}));

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
 * `RequestTime` (seconds; at most the configured skew from `nowMs`), signed with that app's token
 * (`CALLBACK_TOKEN_<SdkAppid>`, else `CALLBACK_TOKEN`): one app's token does not sign another app's
 * callbacks. Every refusal names its reason.
 * Without a token, only mutual TLS (checked by the caller) or `ALLOW_UNSIGNED_CALLBACKS="true"` lets a
 * callback through; with neither, every callback is refused with 503.
 */
export async function authenticateCallback(
	params: URLSearchParams,
	config: Config,
	nowMs: number,
): Promise<CallbackAuthResult> {
	const mode = callbackAuthMode(config);
	if (mode === "unconfigured") return refused(UNCONFIGURED_REASON);
	const sdkAppId = singleParam(params, "SdkAppid");
	if (sdkAppId === undefined) return refused("SdkAppid is missing");
	if (sdkAppId === null) return refused("SdkAppid is repeated");
	if (!config.sdkAppIds.includes(sdkAppId)) return refused("SdkAppid is not this app's");

	if (mode !== "token") {
		// Once per isolate: loud enough to be seen in Workers Logs, not one line per callback.
		const state = isolateState(config, callbackAuthState);
		if (mode === "unsigned" && !state.warnedUnsigned) {
			state.warnedUnsigned = true;
			log("warn", "callback.unsigned", {
				warning:
					"ALLOW_UNSIGNED_CALLBACKS is on and CALLBACK_TOKEN is not set: callbacks are accepted on SdkAppid alone, which anyone can send",
			});
		}
		return ok(sdkAppId);
	}

	const requestTime = singleParam(params, "RequestTime");
	const sign = singleParam(params, "Sign");
	if (requestTime === undefined) return refused("RequestTime is missing");
	if (sign === undefined) return refused("Sign is missing");
	if (requestTime === null || sign === null) return refused("RequestTime or Sign is repeated");
	if (!/^\d{1,12}$/.test(requestTime)) return refused("RequestTime is not a Unix time in seconds");
	const skew = Math.abs(nowMs / 1000 - Number(requestTime));
	if (skew > config.requestTimeSkewSeconds) return refused("RequestTime is too far from now");

	const tokens = callbackTokensOf(config, sdkAppId);
	if (tokens.length === 0)
		return refused(`no callback token is configured for this SdkAppid: set CALLBACK_TOKEN_${sdkAppId}`);
	// Hex is case-insensitive; every token is tried so the time taken does not tell which one matched.
	const presented = sign.toLowerCase();
	let matched = false;
	for (const expected of await expectedSigns(config, sdkAppId, tokens, requestTime)) {
		if (timingSafeEqualToPublicLength(presented, expected)) matched = true;
	}
	return matched ? ok(sdkAppId) : refused("Sign does not match");
}

/**
 * The Sign of each of an app's tokens for one RequestTime. Tencent's RequestTime is in seconds, so the
 * callbacks of a busy second share it: the last second's signs are kept per Config (parsed once per env)
 * and each callback costs no hashing but the first of its second (and of its app).
 */
async function expectedSigns(
	config: Config,
	sdkAppId: string,
	tokens: readonly string[],
	requestTime: string,
): Promise<readonly string[]> {
	const state = isolateState(config, callbackAuthState);
	const last = state.recentSigns;
	if (last?.requestTime === requestTime && last.sdkAppId === sdkAppId) return last.signs;
	const signs = await Promise.all(tokens.map((token) => tencentSign(token, requestTime)));
	state.recentSigns = { requestTime, sdkAppId, signs };
	return signs;
}
