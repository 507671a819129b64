// Reads a request body up to a byte limit without ever holding more than the limit in memory.
import { errorMessage } from "../log";

/** Why a body could not be read. */
export type BodyReadFailure = { kind: "too-large"; limit: number } | { kind: "unreadable"; message: string };

/**
 * The body as text, or why not. Refuses at once when `content-length` already says it is too large;
 * otherwise counts bytes as they stream in and cancels the stream as soon as the limit is passed.
 *
 * @example
 * const body = await readBodyWithLimit(request, 1_048_576);
 * if (typeof body !== "string") return failEnvelope(413, "body over 1 MiB");
 */
export async function readBodyWithLimit(request: Request, limit: number): Promise<string | BodyReadFailure> {
	const declared = Number(request.headers.get("content-length"));
	if (Number.isFinite(declared) && declared > limit) {
		await request.body?.cancel().catch(() => {});
		return { kind: "too-large", limit };
	}
	if (!request.body) return "";
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > limit) {
				await reader.cancel().catch(() => {});
				return { kind: "too-large", limit };
			}
			chunks.push(value);
		}
	} catch (error) {
		return { kind: "unreadable", message: errorMessage(error) };
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	// Invalid UTF-8 becomes U+FFFD rather than an exception; the JSON parser then judges the text.
	return new TextDecoder().decode(bytes);
}

/** Drops an unread body so the connection can be reused. */
export async function discardBody(request: Request): Promise<void> {
	await request.body?.cancel().catch(() => {});
}

/**
 * Deepest nesting of arrays and objects accepted in a callback body. Tencent's bodies nest three levels;
 * SQLite's JSON functions refuse documents nested over 1000 levels, and one such stored payload would make
 * every `json_extract` over `events` fail.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON `text` nests arrays and objects more than `limit` levels deep. Scans the text once without
 * parsing it (brackets inside strings do not count), so a hostile body costs no recursion.
 *
 * @example
 * jsonDepthExceeds('{"a":[[1]]}', 2); // true
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
	let depth = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (inString) {
			if (c === 0x5c)
				i++; // backslash: skip the escaped character
			else if (c === 0x22) inString = false;
		} else if (c === 0x22) inString = true;
		else if (c === 0x5b || c === 0x7b) {
			if (++depth > limit) return true;
		} else if (c === 0x5d || c === 0x7d) depth--;
	}
	return false;
}
