// Field schemas shared by the callback bodies. Bounds keep every value far inside D1's limits.
import * as v from "valibot";
import { utf8ByteLength } from "../crypto";

/** Longest group or topic ID accepted (Tencent's are well under 128 characters). */
export const MAX_ID_LENGTH = 256;
/** Most topics one AfterTopicDestroyed may name; each becomes an `events` row carrying the body. */
export const MAX_TOPIC_IDS = 100;
/** Most members one MemberList may carry. */
export const MAX_MEMBERS = 10_000;
/**
 * Largest stored payload (the validated body as JSON, UTF-8 bytes). D1 refuses rows over 2,000,000 bytes;
 * the rest of an `events` row is a few KB at most. Matters because the payload can outgrow the body: each
 * invalid UTF-8 byte decodes to U+FFFD (three bytes), and MAX_BODY_BYTES is configurable.
 */
export const MAX_PAYLOAD_BYTES = 1_900_000;
/**
 * Most payload bytes one event may write over all its rows: the payload is stored once per topic, so a
 * 1 MiB body naming 100 topics would write 100 MB. The largest body the schemas accept without unknown
 * fields (100 topic IDs of 256 escaped characters) stays far below.
 */
export const MAX_EVENT_PAYLOAD_BYTES = 20_000_000;

/**
 * Why an accepted body cannot be stored within D1's limits, or `null` when it can.
 *
 * @example
 * storedSizeProblem('{"GroupId":"g"}', 1); // null
 */
export function storedSizeProblem(payload: string, rows: number): string | null {
	const bytes = utf8ByteLength(payload);
	if (bytes > MAX_PAYLOAD_BYTES)
		return `body is ${bytes} bytes once decoded; at most ${MAX_PAYLOAD_BYTES} can be stored`;
	if (bytes * Math.max(1, rows) > MAX_EVENT_PAYLOAD_BYTES)
		return `body of ${bytes} bytes stored once per topic (${rows}) exceeds ${MAX_EVENT_PAYLOAD_BYTES} bytes`;
	return null;
}

/**
 * A group, topic or account ID: non-empty, bounded, well-formed Unicode. D1 stores text as UTF-8, where
 * every lone surrogate becomes U+FFFD: two different IDs would then become one (and one event key).
 */
export const id = v.pipe(
	v.string(),
	v.minLength(1, "must not be empty"),
	v.maxLength(MAX_ID_LENGTH),
	v.check((value) => value.isWellFormed(), "must be well-formed Unicode (no lone surrogates)"),
	// The body is decoded leniently (free text may carry broken bytes), so each invalid UTF-8 sequence has
	// become U+FFFD here: two different IDs would be stored as one. Tencent's IDs never carry U+FFFD.
	v.check((value) => !value.includes("\uFFFD"), "must be valid UTF-8 (no invalid byte sequences, no U+FFFD)"),
);
/** A short free-text field (name, type, account). */
export const shortText = v.pipe(v.string(), v.maxLength(1024));
/** A long free-text field (introduction, notification, URL). */
export const longText = v.pipe(v.string(), v.maxLength(16_384));

/**
 * Tencent sends `EventTime` (ms) as a JSON string or number; both become a number. A string must be the
 * exact decimal form of a safe integer (no leading zeros, at most 2^53 − 1): past 2^53 two different
 * strings become one number, and a 16-digit value would be stored as a time far in the future.
 */
export const eventTime = v.pipe(
	v.union(
		[
			v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
			v.pipe(
				v.string(),
				v.regex(/^(?:0|[1-9]\d{0,15})$/, "must be digits (milliseconds) without leading zeros"),
				v.check((text) => Number(text) <= Number.MAX_SAFE_INTEGER, "must be at most 2^53 - 1"),
			),
		],
		"must be a number or a string of digits (milliseconds)",
	),
	v.transform(Number),
);

/** How far before the receive time an `EventTime` is believed (Tencent delivers within seconds). */
export const EVENT_TIME_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** How far after the receive time an `EventTime` is believed (clock difference between Tencent and us). */
export const EVENT_TIME_MAX_LEAD_MS = 10 * 60 * 1000;

/**
 * `eventTime` when it lies within a day before and ten minutes after `receivedAt`, else `null`. A time
 * outside that window is not used for ordering: one event dated in the year 2200 would make every later
 * change of its topic look older and freeze the topic's state. The body (payload) keeps the value sent.
 *
 * @example
 * plausibleEventTime(Date.now() + 3_600_000 * 24 * 365, Date.now()); // null
 */
export function plausibleEventTime(eventTime: number | null, receivedAt: number): number | null {
	if (eventTime === null) return null;
	const tooOld = eventTime < receivedAt - EVENT_TIME_MAX_AGE_MS;
	const tooNew = eventTime > receivedAt + EVENT_TIME_MAX_LEAD_MS;
	return tooOld || tooNew ? null : eventTime;
}

/** `MemberList: [{Member_Account}]`, tolerant of extra member fields. */
export const memberList = v.pipe(
	v.array(v.looseObject({ Member_Account: id })),
	v.maxLength(MAX_MEMBERS, `must have at most ${MAX_MEMBERS} members`),
);

/** `UserDefinedDataList: [{Key, Value}]`. */
export const userDefinedDataList = v.pipe(
	v.array(v.looseObject({ Key: shortText, Value: longText })),
	v.maxLength(1000),
);

/** The profile fields of a group or topic change: only the changed ones are present. */
export const profileChangeFields = {
	Type: v.optional(shortText),
	Operator_Account: v.optional(id),
	Name: v.optional(shortText),
	Introduction: v.optional(longText),
	Notification: v.optional(longText),
	FaceUrl: v.optional(longText),
	EventTime: v.optional(eventTime),
};
