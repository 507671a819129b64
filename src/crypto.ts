// Hashing, HMAC, constant-time comparison, base64url and UTF-8 sizes: the Worker's one home for Web Crypto and
// byte encodings, so every caller (callback signatures, event keys, the policy's content hash, tokens and
// cookies, body limits) shares one reviewed copy.

const encoder = new TextEncoder();

/** The UTF-8 bytes of `text`, or the bytes themselves. */
function bytesOf(input: string | Uint8Array): Uint8Array {
	return typeof input === "string" ? encoder.encode(input) : input;
}

/** Bytes of `text` in UTF-8 (a lone surrogate counts as U+FFFD's three, as the encoder writes it). */
export function utf8ByteLength(text: string): number {
	return encoder.encode(text).byteLength;
}

/**
 * Whether `text` takes at most `limit` bytes in UTF-8. A UTF-16 unit encodes to at most three bytes, so
 * short texts are answered without encoding them.
 */
export function fitsInUtf8Bytes(text: string, limit: number): boolean {
	return text.length * 3 <= limit || (text.length <= limit && utf8ByteLength(text) <= limit);
}

/** The two lowercase hex digits of each byte value. */
const HEX_PAIRS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Lowercase hex of some bytes (every event key and Sign check makes one: a table, not a format per byte). */
export function hex(bytes: ArrayBuffer | Uint8Array): string {
	const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	let text = "";
	for (let index = 0; index < view.length; index++) text += HEX_PAIRS[view[index] as number];
	return text;
}

/**
 * Lowercase hex of SHA-256 over the UTF-8 bytes of `text`.
 *
 * @example
 * await sha256Hex("abc"); // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 */
export async function sha256Hex(text: string): Promise<string> {
	return hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/**
 * HMAC-SHA256 of `message` under `key` (strings are taken as UTF-8): the raw 32 bytes, for signatures
 * such as a session cookie's or Tencent's UserSig.
 */
export async function hmacSha256(
	key: string | Uint8Array,
	message: string | Uint8Array,
): Promise<Uint8Array> {
	const cryptoKey = await crypto.subtle.importKey(
		"raw",
		bytesOf(key),
		{ name: "HMAC", hash: "SHA-256" },
		false,
		["sign"],
	);
	return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, bytesOf(message)));
}

/**
 * Whether two strings are equal, in time that depends only on their lengths, so response timing does not
 * leak how much of a guess was right. Both sides are hashed first, so the comparison always runs over 32
 * bytes whatever the input lengths.
 */
export async function timingSafeEqualStrings(a: string, b: string): Promise<boolean> {
	const [ha, hb] = await Promise.all([
		crypto.subtle.digest("SHA-256", encoder.encode(a)),
		crypto.subtle.digest("SHA-256", encoder.encode(b)),
	]);
	return crypto.subtle.timingSafeEqual(ha, hb) && a.length === b.length;
}

/**
 * Whether `presented` equals `expected`, a string whose length is no secret (a hex digest such as a callback
 * Sign): one constant-time comparison of UTF-8 bytes, without hashing or awaiting. The work done depends only
 * on `expected`'s length, whatever `presented` holds; a longer or shorter `presented` is unequal.
 *
 * @example
 * timingSafeEqualToPublicLength("ab12", "ab12"); // true
 */
export function timingSafeEqualToPublicLength(presented: string, expected: string): boolean {
	const want = encoder.encode(expected);
	const got = new Uint8Array(want.byteLength);
	const { read, written } = encoder.encodeInto(presented, got);
	const same = crypto.subtle.timingSafeEqual(got, want);
	return same && read === presented.length && written === want.byteLength;
}

/** Standard base64 (RFC 4648 §4, padded) of some bytes. */
export function base64Encode(bytes: ArrayBuffer | ArrayBufferView): string {
	const view =
		bytes instanceof ArrayBuffer
			? new Uint8Array(bytes)
			: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let binary = "";
	for (const byte of view) binary += String.fromCharCode(byte);
	return btoa(binary);
}

/**
 * Base64url without padding (RFC 4648 §5) of some bytes, or of a string's UTF-8 bytes.
 *
 * @example
 * base64UrlEncode("hi?"); // "aGk_"
 */
export function base64UrlEncode(input: string | Uint8Array): string {
	return base64Encode(bytesOf(input)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of a base64url text (padding optional); `null` when it is not base64url. */
export function base64UrlDecode(text: string): Uint8Array | null {
	if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return null;
	const base64 = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
	if (base64.length % 4 === 1) return null;
	try {
		const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
		return Uint8Array.from(binary, (c) => c.charCodeAt(0));
	} catch {
		return null;
	}
}
