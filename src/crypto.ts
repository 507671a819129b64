// Hashing, HMAC, constant-time comparison and base64url: the Worker's one home for Web Crypto, so every
// caller (callback signatures, event keys, the policy's content hash, tokens and cookies) shares one reviewed copy.

const encoder = new TextEncoder();

/** The UTF-8 bytes of `text`, or the bytes themselves. */
function bytesOf(input: string | Uint8Array): Uint8Array {
	return typeof input === "string" ? encoder.encode(input) : input;
}

/** Lowercase hex of some bytes. */
export function hex(bytes: ArrayBuffer | Uint8Array): string {
	let text = "";
	for (const byte of bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
		text += byte.toString(16).padStart(2, "0");
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
 * Base64url without padding (RFC 4648 §5) of some bytes, or of a string's UTF-8 bytes.
 *
 * @example
 * base64UrlEncode("hi?"); // "aGk_"
 */
export function base64UrlEncode(input: string | Uint8Array): string {
	let binary = "";
	for (const byte of bytesOf(input)) binary += String.fromCharCode(byte);
	return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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
