// Tencent sends no event ID, so an event is identified by its content and, when the URL is signed, by its
// delivery. A redelivery carries the same body (and the same URL), hence the same key, and
// `INSERT … ON CONFLICT DO NOTHING` adds no row for it.
import { sha256Hex } from "../crypto";

/** Bodies without `EventTime` or a signed URL are deduplicated within windows of this length (ms). */
export const DEDUPE_WINDOW_MS = 10 * 60 * 1000;

/** The key stem of an event; each row's key is `stem + ":" + topic_id`. */
export interface EventKeyStem {
	stem: string;
	/** For bodies keyed by window: the previous window's stem, also checked, so a window edge splits nothing. */
	previousStem: string | null;
}

/**
 * What tells one delivery of a callback from another: SHA-256 of the URL's `RequestTime` and `Sign`
 * (a hash, so the record, which may be logged, never carries a replayable signature). Null when the URL
 * has no single `RequestTime` and `Sign` (unsigned or mutual-TLS-only callbacks).
 */
export async function deliveryKey(params: URLSearchParams): Promise<string | null> {
	const requestTime = params.getAll("RequestTime");
	const sign = params.getAll("Sign");
	if (requestTime.length !== 1 || sign.length !== 1) return null;
	// Tencent signs per second, so the callbacks of one second share this input: its hash is kept.
	const input = `${requestTime[0]}\n${sign[0]}`;
	if (lastDelivery.input === input) return lastDelivery.key;
	const key = await sha256Hex(input);
	lastDelivery.input = input;
	lastDelivery.key = key;
	return key;
}

/**
 * The latest delivery identity hashed, and its hash: a pure memo of `sha256Hex` (the same input always gives
 * the same key), so it stays a module variable, not per-isolate state (src/isolate.ts).
 */
const lastDelivery = { input: "", key: "" };

/**
 * The dedupe key of an event. An event that can happen only once (`onceIn`: the group of a topic's or a
 * group's creation or deletion) is keyed by its command, app and group alone, within the same or the
 * previous 10-minute window of its arrival: a redelivery (Tencent's retry after a timeout comes within
 * seconds, re-signed) stores nothing new whatever its body, `EventTime` or signature, while an ID used again
 * after its deletion is a new event (each row adds its topic). With `EventTime` the key is the content
 * hash: the same event is one event forever. Without it, the content and the delivery (`deliveryKey`, from
 * the signed URL): a redelivery of
 * the same request is one event, while the same body sent again later (a topic renamed A → B → A) is a
 * new delivery with its own `RequestTime`, and is stored. Without either, identical bodies are one event
 * within the same or adjacent 10-minute window.
 */
export async function eventKeyStem(
	command: string,
	sdkAppId: string,
	payload: string,
	eventTime: number | null,
	receivedAt: number,
	delivery: string | null,
	onceIn: string | null = null,
): Promise<EventKeyStem> {
	if (onceIn !== null) {
		// Once per window, not forever: a topic or group ID may be used again after its deletion.
		const once = await sha256Hex(`${command}\n${sdkAppId}\nonce\n${onceIn}`);
		const window = Math.floor(receivedAt / DEDUPE_WINDOW_MS);
		return { stem: `${once}@${window}`, previousStem: `${once}@${window - 1}` };
	}
	const hash = await sha256Hex(`${command}\n${sdkAppId}\n${payload}`);
	if (eventTime !== null) return { stem: hash, previousStem: null };
	if (delivery !== null) return { stem: `${hash}~${delivery}`, previousStem: null };
	const window = Math.floor(receivedAt / DEDUPE_WINDOW_MS);
	return { stem: `${hash}@${window}`, previousStem: `${hash}@${window - 1}` };
}
