// Keeps authenticated callback bodies that failed validation, raw and with the reason, so a format change on
// Tencent's side loses nothing: the rows can be read, fixed for, and replayed.
import { utf8ByteLength } from "../crypto";
import { errorMessage, log } from "../log";

/** A body longer than this many UTF-8 bytes is stored cut, with its full size and a flag. */
export const QUARANTINE_BODY_LIMIT = 65_536;

/** Part of a body that could not be stored (in the log line when D1 is down). */
const LOGGED_BODY_LIMIT = 8_192;

/** A refused body and why. */
export interface QuarantineEntry {
	receivedAt: number;
	command: string | null;
	sdkAppId: string | null;
	reason: string;
	body: string;
}

/** The body as stored: at most `limit` bytes of UTF-8, never a broken character, with its full size. */
export function boundedBody(
	body: string,
	limit = QUARANTINE_BODY_LIMIT,
): { text: string; bytes: number; truncated: boolean } {
	const encoded = new TextEncoder().encode(body);
	if (encoded.byteLength <= limit) return { text: body, bytes: encoded.byteLength, truncated: false };
	// Step back to the start of a character so the cut leaves valid UTF-8 (continuation bytes are 10xxxxxx).
	let end = limit;
	while (end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end--;
	return {
		text: new TextDecoder().decode(encoded.subarray(0, end)),
		bytes: encoded.byteLength,
		truncated: true,
	};
}

/** Inserts a row into `quarantine`; throws when D1 does not take it. */
export async function storeQuarantined(db: D1Database, entry: QuarantineEntry): Promise<void> {
	const body = boundedBody(entry.body);
	await db
		.prepare(
			`INSERT INTO quarantine (received_at, command, sdk_app_id, reason, body, body_bytes, body_truncated)
			 VALUES (?, ?, ?, ?, ?, ?, ?)`,
		)
		.bind(
			entry.receivedAt,
			entry.command,
			entry.sdkAppId,
			entry.reason,
			body.text,
			body.bytes,
			body.truncated ? 1 : 0,
		)
		.run();
}

/**
 * Quarantines a refused callback body. Never throws: when D1 cannot take it, the entry (body cut to 8 KiB)
 * goes to the error log instead, and the caller's answer stays what it was.
 */
export async function quarantineBody(
	db: D1Database,
	entry: QuarantineEntry,
	requestId: string,
): Promise<void> {
	try {
		await storeQuarantined(db, entry);
		log("warn", "callback.quarantined", { requestId, command: entry.command, reason: entry.reason });
	} catch (error) {
		log("error", "quarantine.store_failed", {
			requestId,
			command: entry.command,
			sdkAppId: entry.sdkAppId,
			receivedAt: entry.receivedAt,
			reason: entry.reason,
			error: errorMessage(error),
			bodyBytes: utf8ByteLength(entry.body),
			body: boundedBody(entry.body, LOGGED_BODY_LIMIT).text,
		});
	}
}
