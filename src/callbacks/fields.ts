// Field schemas shared by the callback bodies. Bounds keep every value far inside D1's limits.
import * as v from "valibot";

/** Longest group or topic ID accepted (Tencent's are well under 128 characters). */
export const MAX_ID_LENGTH = 256;
/** Most topics one AfterTopicDestroyed may name; each becomes an `events` row carrying the body. */
export const MAX_TOPIC_IDS = 100;
/** Most members one MemberList may carry. */
export const MAX_MEMBERS = 10_000;

/**
 * A group, topic or account ID: non-empty, bounded, well-formed Unicode. D1 stores text as UTF-8, where
 * every lone surrogate becomes U+FFFD: two different IDs would then become one (and one event key).
 */
export const id = v.pipe(
	v.string(),
	v.minLength(1, "must not be empty"),
	v.maxLength(MAX_ID_LENGTH),
	v.check((value) => value.isWellFormed(), "must be well-formed Unicode (no lone surrogates)"),
);
/** A short free-text field (name, type, account). */
export const shortText = v.pipe(v.string(), v.maxLength(1024));
/** A long free-text field (introduction, notification, URL). */
export const longText = v.pipe(v.string(), v.maxLength(16_384));

/** Tencent sends `EventTime` (ms) as a JSON string or number; both become a number. */
export const eventTime = v.pipe(
	v.union(
		[
			v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER)),
			v.pipe(v.string(), v.regex(/^\d{1,16}$/, "must be digits (milliseconds)")),
		],
		"must be a number or a string of digits (milliseconds)",
	),
	v.transform(Number),
);

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
