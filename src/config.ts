// Typed reading of the Worker's vars and secrets, with the documented defaults.

/** Secrets are optional and absent from wrangler.toml, so `wrangler types` cannot see them. */
interface Secrets {
	/** Tencent console callback token; unset means no signature check. */
	CALLBACK_TOKEN?: string;
	/** The previous token, still accepted while the console's token is being changed. */
	CALLBACK_TOKEN_PREVIOUS?: string;
	/** Bearer token for /api/; unset turns the API off. */
	ADMIN_TOKEN?: string;
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
