// Typed reading of the Worker's vars and secrets, with the documented defaults.

/** Secrets are optional and absent from wrangler.toml, so `wrangler types` cannot see them. */
interface Secrets {
	/** Tencent console callback token; unset means no signature check. */
	CALLBACK_TOKEN?: string;
	/** The previous token, still accepted while the console's token is being changed. */
	CALLBACK_TOKEN_PREVIOUS?: string;
	/** Bearer token for /api/; unset turns the API off. */
	ADMIN_TOKEN?: string;
	/** The Chat app's key (console: Basic configuration); unset keeps enforcement at "log". */
	TENCENT_SECRET_KEY?: string;
	/** Milliseconds one REST call may take (default 5000); a tuning knob, not in wrangler.toml. */
	TENCENT_TIMEOUT_MS?: string;
}

declare global {
	interface Env extends Secrets {}
	namespace Cloudflare {
		interface Env extends Secrets {}
	}
}

/** The SDKAppIDs this Worker answers for (the comma-separated `SDKAPPID` var). */
export function sdkAppIds(env: Env): string[] {
	return (env.SDKAPPID ?? "")
		.split(",")
		.map((id) => id.trim())
		.filter((id) => id.length > 0);
}

/** A positive integer var, or `fallback` when it is unset or not a positive integer. */
export function positiveIntVar(value: string | undefined, fallback: number): number {
	const parsed = Number(value);
	return Number.isSafeInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** Largest accepted callback body in bytes (`MAX_BODY_BYTES`, default 1 MiB). */
export function maxBodyBytes(env: Env): number {
	return positiveIntVar(env.MAX_BODY_BYTES, 1_048_576);
}

/** Allowed distance of `RequestTime` from now, in seconds (`REQUEST_TIME_SKEW_SECONDS`, default 60). */
export function requestTimeSkewSeconds(env: Env): number {
	return positiveIntVar(env.REQUEST_TIME_SKEW_SECONDS, 60);
}

/**
 * Whether `ALLOW_UNSIGNED_CALLBACKS` is `"true"` (any case): callbacks without a token or mutual TLS are
 * then accepted on `SdkAppid` alone. For local play only (`npm start` sets it); off by default.
 */
export function allowUnsignedCallbacks(env: Env): boolean {
	return (env.ALLOW_UNSIGNED_CALLBACKS ?? "").trim().toLowerCase() === "true";
}

/** The callback tokens that currently sign valid requests; empty means no token is configured. */
export function callbackTokens(env: Env): string[] {
	return [env.CALLBACK_TOKEN, env.CALLBACK_TOKEN_PREVIOUS].filter(
		(token): token is string => typeof token === "string" && token.length > 0,
	);
}

/**
 * The key for an SdkAppid's REST calls: the secret `TENCENT_SECRET_KEY_<SdkAppid>` when set (one per app
 * where several are configured), else `TENCENT_SECRET_KEY`; null when neither is set.
 */
export function tencentSecretKey(env: Env, sdkAppId: string): string | null {
	const own = (env as unknown as Record<string, unknown>)[`TENCENT_SECRET_KEY_${sdkAppId}`];
	if (typeof own === "string" && own.length > 0) return own;
	return env.TENCENT_SECRET_KEY ? env.TENCENT_SECRET_KEY : null;
}

/** Where the REST API is (`TENCENT_API_BASE`, default Tencent's China host) and whom it acts as. */
export function tencentApi(env: Env): { apiBase: string; identifier: string; timeoutMs: number } {
	return {
		apiBase: env.TENCENT_API_BASE || "https://console.tim.qq.com",
		identifier: env.TENCENT_ADMIN_IDENTIFIER || "administrator",
		timeoutMs: positiveIntVar(env.TENCENT_TIMEOUT_MS, 5_000),
	};
}

/**
 * How an after-callback keeps its event (`EVENT_WRITES`): `"direct"` (the default) writes D1 before the
 * answer, the queue being the fallback; `"queue"` answers once the queue holds the event and lets its
 * consumer write batches to D1, D1 being the fallback. Anything else counts as `"direct"`.
 */
export function eventWrites(env: Env): "direct" | "queue" {
	return (env.EVENT_WRITES ?? "").trim().toLowerCase() === "queue" ? "queue" : "direct";
}
