// The policy document: the JSON the user keeps under the KV key `policy`. One strict valibot schema
// (unknown keys are errors, so a typo cannot silently switch a rule off); docs/policy.schema.json is
// generated from it (`npm run policy:schema`).
import * as v from "valibot";
import { POLICY_LIMITS } from "./limits";

/** Key of the live document in the `POLICY` namespace. */
export const POLICY_KEY = "policy";

/**
 * A JSON object with exactly these keys. valibot's object schemas take an array for an object with no
 * keys (`[]`, `{"names":[]}`), which would pass as a policy that decides nothing: the check refuses it.
 */
function section<const Entries extends v.ObjectEntries>(entries: Entries) {
	// The check runs first: strictObject's output is a new object, so a later check would never see the array.
	return v.pipe(
		v.unknown(),
		v.check((input) => !Array.isArray(input), NOT_AN_ARRAY),
		v.strictObject(entries),
	);
}
const NOT_AN_ARRAY = "must be an object, not an array";

/** Refusal codes Tencent passes on: 1 (client sees 10016) or a custom code in 10100–10200. */
const ErrorCodeSchema = v.union(
	[v.literal(1), v.pipe(v.number(), v.integer(), v.minValue(10100), v.maxValue(10200))],
	"must be 1 or an integer from 10100 to 10200",
);
const ErrorInfoSchema = v.pipe(
	v.string(),
	v.maxLength(1000),
	v.description("Text passed to the client with a custom errorCode."),
);

const RefusalSchema = v.pipe(
	section({
		errorCode: v.optional(ErrorCodeSchema),
		errorInfo: v.optional(ErrorInfoSchema),
	}),
	v.description("Default refusal: errorCode 1 (client sees 10016) or 10100–10200, with errorInfo."),
);

const AccountListSchema = v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(200)));

const OperatorsSchema = v.pipe(
	section({
		allow: v.optional(
			v.pipe(AccountListSchema, v.description("Non-empty: only these Operator_Accounts may create.")),
		),
		deny: v.optional(v.pipe(AccountListSchema, v.description("Always refused."))),
		bypass: v.optional(
			v.pipe(AccountListSchema, v.description("Name rules skipped (admins, the REST API's identity).")),
		),
	}),
	v.description("Rules on Operator_Account, compared exactly."),
);

/** How a banned entry is compared with the name. */
// New modes go last: a compiled form stores each entry's mode as its index here.
export const MATCH_MODES = [
	"plain",
	"exact",
	"word",
	"prefix",
	"suffix",
	"glob",
	"regex",
	"word-start",
	"word-end",
] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

const BannedValueSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(1000));

const BannedEntryObjectSchema = v.strictObject({
	match: v.optional(
		v.pipe(
			v.picklist(MATCH_MODES),
			v.description(
				"plain: contained anywhere (default); exact: the whole name; word: a whole word; word-start/" +
					"word-end: how a word starts/ends (word-start ass: asshole, not class); prefix/suffix: how the " +
					"name starts/ends; glob: the whole name, * = any run of characters; regex: RE2 syntax.",
			),
		),
	),
	value: BannedValueSchema,
	errorCode: v.optional(ErrorCodeSchema),
	errorInfo: v.optional(ErrorInfoSchema),
	normalize: v.optional(
		v.pipe(
			v.boolean(),
			v.description("false: compare with the name exactly as received (no folding of any kind)."),
		),
	),
	fold: v.optional(
		v.pipe(
			v.boolean(),
			v.description(
				"regex only; true: the pattern sees each folded reading of the name (look-alikes, leetspeak, " +
					"Traditional Han folded) instead of its text form.",
			),
		),
	),
	pinyin: v.optional(
		v.pipe(
			v.union([v.boolean(), v.literal("initials")]),
			v.description(
				"plain and word entries with Han characters; true: the entry also matches its toneless pinyin, " +
					"whole or mixed with its characters (赌博: dubo, du bo, 赌bo, du博), every reading of a " +
					'polyphonic character; "initials": by initials too (db, d博).',
			),
		),
	),
	note: v.optional(v.pipe(v.string(), v.description("Free text for the people editing the policy."))),
});

/** How an `allowed` pattern is compared with the name (`contains` is a banned entry's `plain`). */
export const ALLOWED_MATCH_MODES = ["contains", "word", "prefix", "suffix", "exact"] as const;
const AllowedPatternSchema = v.strictObject({
	match: v.pipe(
		v.picklist(ALLOWED_MATCH_MODES),
		v.description(
			"contains: anywhere in the name; word, prefix, suffix, exact: as for banned entries. A banned " +
				"match lying wholly inside the span this pattern matches is ignored.",
		),
	),
	value: BannedValueSchema,
	note: v.optional(v.pipe(v.string(), v.description("Free text for the people editing the policy."))),
});

const AllowedEntrySchema = v.union([
	v.pipe(v.string(), v.minLength(1), v.maxLength(1000)),
	AllowedPatternSchema,
]);

const BannedEntrySchema = v.union([BannedValueSchema, BannedEntryObjectSchema]);

/** `maxLength` of names or texts: at most the hard limit, past which nothing is matched. */
function maxLengthSchema(what: "name" | "text") {
	return v.optional(
		v.pipe(
			v.number(),
			v.integer(),
			v.minValue(1),
			v.maxValue(POLICY_LIMITS.nameLength, `must be at most ${POLICY_LIMITS.nameLength}`),
			v.description(
				`Most characters${what === "text" ? " of a text" : ""}, counted after normalization. A ${what} over ${POLICY_LIMITS.nameLength} characters is always refused.`,
			),
		),
	);
}

const NamesSchema = v.pipe(
	section({
		minLength: v.optional(
			v.pipe(
				v.number(),
				v.integer(),
				v.minValue(0),
				v.description("Fewest characters, counted after normalization."),
			),
		),
		maxLength: maxLengthSchema("name"),
		banned: v.optional(
			v.pipe(
				v.array(BannedEntrySchema),
				v.description("Refused names; the first entry that matches, in this order, gives the code."),
			),
		),
		allowed: v.optional(
			v.pipe(
				v.array(AllowedEntrySchema),
				v.description(
					"Exceptions. A string: this exact name (in text form) is never refused by name rules. A pattern " +
						"{match, value}: banned matches inside the part of the name it matches are ignored.",
				),
			),
		),
	}),
	v.description("Rules on the topic's (or group's) Name."),
);

/** The text fields of a topic or group profile that `texts` can judge, as Tencent spells them. */
export const TEXT_FIELDS = ["Introduction", "Notification"] as const;
export type TextField = (typeof TEXT_FIELDS)[number];

const TextsSchema = v.pipe(
	section({
		fields: v.optional(
			v.pipe(
				v.array(v.picklist(TEXT_FIELDS)),
				v.description(
					'Which texts of topics and groups are judged (default both: ["Introduction", "Notification"]).',
				),
			),
		),
		banned: v.optional(
			v.pipe(
				v.union([v.literal("names"), v.array(BannedEntrySchema)]),
				v.description(
					'"names" (default): the top-level names.banned list, with its modes and its names.allowed ' +
						"exceptions; or a list of entries in the same rule language as names.banned.",
				),
			),
		),
		allowed: v.optional(
			v.pipe(
				v.array(AllowedEntrySchema),
				v.description(
					'Exceptions for texts, as names.allowed (with banned "names", added after names.allowed).',
				),
			),
		),
		maxLength: maxLengthSchema("text"),
		faceUrl: v.optional(
			v.pipe(
				section({
					hosts: v.optional(
						v.pipe(
							v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(253))),
							v.description(
								"Hosts a FaceUrl may point at; a subdomain of a listed host counts (img.cdn.example.com " +
									"for cdn.example.com). Empty or absent: any host.",
							),
						),
					),
					https: v.optional(
						v.pipe(v.boolean(), v.description("true: a FaceUrl must use https (other schemes refused).")),
					),
				}),
				v.description(
					'Rules on FaceUrl (profile photos). Absent: photos are not judged. "" is always allowed.',
				),
			),
		),
	}),
	v.description(
		"Rules on the texts members read in topic and group profiles (Introduction, Notification, FaceUrl), " +
			"judged after the fact like renames. Absent: texts are not judged.",
	),
);

const ModeSchema = v.pipe(
	v.picklist(["enforce", "dry-run"]),
	v.description("dry-run: decide and log, but always answer 0."),
);

const GroupCreationSchema = v.pipe(
	section({
		mode: v.optional(ModeSchema),
		refusal: v.optional(RefusalSchema),
		operators: v.optional(OperatorsSchema),
		names: v.optional(NamesSchema),
	}),
	v.description(
		"Rules for Group.CallbackBeforeCreateGroup. Absent: groups are always allowed. Each key left out " +
			"here uses the top-level one, so {} applies the topic rules to groups too.",
	),
);

/** Enforcement after the fact: actions default to "log", so a document without this section changes nothing. */
export const ENFORCEMENT_DEFAULTS = {
	renames: "log",
	creates: "log",
	texts: "log",
	fallbackName: "Renamed topic",
	maxDestroysPerHour: 20,
	maxRenamesPerHour: 200,
} as const;

/** Tencent's limit for `TopicName` and a group's `Name`, in bytes of UTF-8 (longer names get 10004). */
export const TENCENT_NAME_MAX_BYTES = 30;

/** An hourly cap of enforcement actions per SdkAppid: past it, further ones wait in the ledger as held. */
function hourlyCap(what: string, byDefault: number) {
	return v.optional(
		v.pipe(
			v.number(),
			v.integer(),
			v.minValue(0),
			v.maxValue(10_000),
			v.description(
				`At most this many ${what} per SdkAppid and hour (default ${byDefault}); further ones wait in the ` +
					"ledger as held until a moderator resumes or discards them.",
			),
		),
	);
}

const EnforcementSchema = v.pipe(
	v.strictObject({
		renames: v.optional(
			v.pipe(
				v.picklist(["log", "revert", "destroy"]),
				v.description(
					"A topic (or, with groupCreation, group) renamed to a name the policy refuses: log (default), " +
						"revert to its last allowed name, or destroy the topic.",
				),
			),
		),
		creates: v.optional(
			v.pipe(
				v.picklist(["log", "rename", "destroy"]),
				v.description(
					"A creation that went live although the policy refuses it (the before-callback failed or timed " +
						"out, the policy was in dry-run, it predates this Worker): log (default), rename to " +
						"fallbackName, or destroy the topic.",
				),
			),
		),
		texts: v.optional(
			v.pipe(
				v.picklist(["log", "revert", "clear"]),
				v.description(
					"A text (texts.fields, or a FaceUrl under texts.faceUrl) set to a value the policy refuses: log " +
						'(default), revert to its last allowed value (else ""), or clear it to "". Counts toward ' +
						"maxRenamesPerHour.",
				),
			),
		),
		fallbackName: v.optional(
			v.pipe(
				v.string(),
				v.minLength(1),
				v.maxBytes(
					TENCENT_NAME_MAX_BYTES,
					`must be at most ${TENCENT_NAME_MAX_BYTES} bytes of UTF-8, Tencent's limit for a topic or group name (a CJK character takes 3)`,
				),
				v.description(
					'Used by "rename", and by "revert" when no earlier allowed name is known. The policy must allow it. ' +
						"At most 30 bytes of UTF-8 (Tencent's limit for a name).",
				),
			),
		),
		maxDestroysPerHour: hourlyCap("topics destroyed", ENFORCEMENT_DEFAULTS.maxDestroysPerHour),
		maxRenamesPerHour: hourlyCap(
			"renames and reverts (of names and texts)",
			ENFORCEMENT_DEFAULTS.maxRenamesPerHour,
		),
	}),
	v.description(
		"What to do, through Tencent's REST API, with names and texts that went live although the policy refuses them.",
	),
);

/** The whole document under the KV key `policy`. */
export const PolicyDocumentSchema = v.pipe(
	section({
		$schema: v.optional(v.pipe(v.string(), v.description("Where editors find this JSON Schema."))),
		version: v.optional(
			v.pipe(v.string(), v.maxLength(200), v.description("Echoed in decision logs and /healthz.")),
		),
		mode: v.optional(ModeSchema),
		refusal: v.optional(RefusalSchema),
		operators: v.optional(OperatorsSchema),
		names: v.optional(NamesSchema),
		groupCreation: v.optional(GroupCreationSchema),
		texts: v.optional(TextsSchema),
		enforcement: v.optional(EnforcementSchema),
	}),
	v.title("Topic-creation policy"),
	v.description(
		"The rules deciding Tencent Cloud Chat's Group.CallbackBeforeCreateTopic (and, with groupCreation, " +
			"Group.CallbackBeforeCreateGroup). See docs/policy.md.",
	),
);

export type PolicyDocument = v.InferOutput<typeof PolicyDocumentSchema>;
export type RuleSection = NonNullable<PolicyDocument["groupCreation"]>;
export type BannedEntry = v.InferOutput<typeof BannedEntrySchema>;
export type AllowedEntry = v.InferOutput<typeof AllowedEntrySchema>;
export type TextsSection = NonNullable<PolicyDocument["texts"]>;
