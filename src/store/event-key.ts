// Tencent sends no event ID, so an event is identified by its content. A redelivery carries the same
// body, hence the same key, and `INSERT … ON CONFLICT DO NOTHING` adds no row for it.
import { sha256Hex } from "../crypto";

/** Bodies without `EventTime` are deduplicated within windows of this length (ms). */
export const DEDUPE_WINDOW_MS = 10 * 60 * 1000;

/** The key stem of an event; each row's key is `stem + ":" + topic_id`. */
export interface EventKeyStem {
	stem: string;
	/** For bodies without EventTime: the previous window's stem, also checked, so a window edge splits nothing. */
	previousStem: string | null;
}

/**
 * The dedupe key of an event. With `EventTime` the key is the content hash: the same event is one event
 * forever. Without it, identical bodies are one event within the same or adjacent 10-minute window, so a
 * later identical change (a topic renamed A → B → A) is still recorded.
 */
export async function eventKeyStem(
	command: string,
	sdkAppId: string,
	payload: string,
	eventTime: number | null,
	receivedAt: number,
): Promise<EventKeyStem> {
	const hash = await sha256Hex(`${command}\n${sdkAppId}\n${payload}`);
	if (eventTime !== null) return { stem: hash, previousStem: null };
	const window = Math.floor(receivedAt / DEDUPE_WINDOW_MS);
	return { stem: `${hash}@${window}`, previousStem: `${hash}@${window - 1}` };
}
