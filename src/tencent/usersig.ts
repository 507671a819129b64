// UserSig: the signed ticket Tencent Chat's REST API takes in the `usersig` query parameter, in Tencent's
// TLSSigAPIv2 format: HMAC-SHA256 of the identifier/sdkappid/time/expire lines with the app's secret key,
// put in a small JSON document, zlib-deflated, base64 with Tencent's URL-safe substitutions (+ → *,
// / → -, = → _). Built with Web Crypto and CompressionStream, so it runs in the Worker without Node.
import { base64Encode, hmacSha256 } from "../crypto";

/** What a UserSig is issued for. */
export interface UserSigRequest {
	sdkAppId: number;
	/** The account the REST API acts as (the app admin). */
	identifier: string;
	/** The app's key from the Chat console (Basic configuration → key). */
	secretKey: string;
	/** Seconds the ticket is valid from `issuedAt`. */
	expireSeconds: number;
	/** Unix time in seconds the ticket counts from. */
	issuedAt: number;
}

const encoder = new TextEncoder();

/** Base64 of bytes with Tencent's substitutions, which keep the ticket usable in a query string as is. */
export function tencentBase64(bytes: Uint8Array): string {
	return base64Encode(bytes).replace(/\+/g, "*").replace(/\//g, "-").replace(/=/g, "_");
}

/** The bytes of a Tencent-base64 text (the inverse of {@link tencentBase64}). */
export function fromTencentBase64(text: string): Uint8Array {
	const binary = atob(text.replace(/\*/g, "+").replace(/-/g, "/").replace(/_/g, "="));
	return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The text TLSSigAPIv2 signs: one `TLS.<field>:<value>` line each, in this order, each ending in \n. */
export function contentToSign(request: Omit<UserSigRequest, "secretKey">): string {
	return (
		`TLS.identifier:${request.identifier}\n` +
		`TLS.sdkappid:${request.sdkAppId}\n` +
		`TLS.time:${request.issuedAt}\n` +
		`TLS.expire:${request.expireSeconds}\n`
	);
}

async function streamBytes(bytes: Uint8Array, transform: CompressionStream | DecompressionStream) {
	const stream = new Blob([bytes]).stream().pipeThrough(transform);
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Issues a UserSig. The JSON fields and their order are TLSSigAPIv2's; "deflate" in the Compression
 * Streams standard is zlib's format, the one Tencent inflates.
 */
export async function issueUserSig(request: UserSigRequest): Promise<string> {
	const document = {
		"TLS.ver": "2.0",
		"TLS.identifier": request.identifier,
		"TLS.sdkappid": request.sdkAppId,
		"TLS.time": request.issuedAt,
		"TLS.expire": request.expireSeconds,
		"TLS.sig": base64Encode(await hmacSha256(request.secretKey, contentToSign(request))),
	};
	const deflated = await streamBytes(
		encoder.encode(JSON.stringify(document)),
		new CompressionStream("deflate"),
	);
	return tencentBase64(deflated);
}

/** The JSON document inside a UserSig, for diagnostics and tests; throws when it is not one. */
export async function readUserSig(userSig: string): Promise<Record<string, unknown>> {
	const inflated = await streamBytes(fromTencentBase64(userSig), new DecompressionStream("deflate"));
	return JSON.parse(new TextDecoder().decode(inflated)) as Record<string, unknown>;
}

/** How long an issued UserSig is valid. Tencent accepts up to 180 days; a day limits what a leak gives. */
export const USERSIG_LIFETIME_SECONDS = 86_400;
/** A cached UserSig is replaced this long before it expires, so no call carries one about to lapse. */
export const USERSIG_RENEW_BEFORE_SECONDS = 3_600;

/**
 * An isolate's cached UserSig: one entry, for the last (sdkappid, identifier, key) asked for, and the last
 * one Tencent refused as expired (never handed out again). Kept with the isolate's REST state (rest.ts).
 */
export interface UserSigCache {
	key: string;
	userSig: string;
	renewAt: number;
	refused: string;
}

/** An empty cache, as a new isolate has. */
export function emptyUserSigCache(): UserSigCache {
	return { key: "", userSig: "", renewAt: 0, refused: "" };
}

/**
 * A UserSig for the REST API, from the isolate's `cache` until shortly before it expires.
 * `now` is Unix time in seconds.
 */
export async function cachedUserSig(
	cache: UserSigCache,
	sdkAppId: number,
	identifier: string,
	secretKey: string,
	now: number,
): Promise<string> {
	const key = `${sdkAppId}\n${identifier}\n${secretKey}`;
	if (cache.key === key && now < cache.renewAt) return cache.userSig;
	const request = { sdkAppId, identifier, secretKey, expireSeconds: USERSIG_LIFETIME_SECONDS, issuedAt: now };
	let userSig = await issueUserSig(request);
	// Issued within the same second as the refused one, it would be that very ticket: make it differ.
	if (userSig === cache.refused)
		userSig = await issueUserSig({ ...request, expireSeconds: USERSIG_LIFETIME_SECONDS - 1 });
	cache.key = key;
	cache.userSig = userSig;
	cache.renewAt = now + USERSIG_LIFETIME_SECONDS - USERSIG_RENEW_BEFORE_SECONDS;
	return userSig;
}

/**
 * Drops the cached UserSig after Tencent refused it as expired (70001), so the next call issues a fresh one,
 * and a different one: `refused` is never handed out again.
 */
export function forgetUserSig(cache: UserSigCache, refused: string): void {
	cache.key = "";
	cache.renewAt = 0;
	cache.refused = refused;
}
