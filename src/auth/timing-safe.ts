// Constant-time comparison of secrets, so response timing does not leak how much of a guess was right.

const encoder = new TextEncoder();

/**
 * Whether two strings are equal, in time that depends only on their lengths.
 * Both sides are hashed first, so the comparison always runs over 32 bytes whatever the input lengths.
 */
export async function timingSafeEqualStrings(a: string, b: string): Promise<boolean> {
	const [ha, hb] = await Promise.all([
		crypto.subtle.digest("SHA-256", encoder.encode(a)),
		crypto.subtle.digest("SHA-256", encoder.encode(b)),
	]);
	return crypto.subtle.timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Lowercase hex of SHA-256 over the UTF-8 bytes of `text`. */
export async function sha256Hex(text: string): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
	let hex = "";
	for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
	return hex;
}
