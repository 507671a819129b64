// Generators of hostile callback input: bodies for every handled command, valid and broken on purpose,
// and query strings. Each broken body says why it is broken, so a test can expect the exact outcome.
import fc from "fast-check";
import { MAX_ID_LENGTH, MAX_MEMBERS, MAX_TOPIC_IDS } from "../../src/commands/fields";
import { MAX_JSON_DEPTH } from "../../src/http/body";

const SHORT = 1024;
const LONG = 16_384;

/** Pieces that have broken parsers, SQL and file paths before; mixed into every generated string. */
const HOSTILE_FRAGMENTS = [
	"\u0000",
	"\ud800",
	"\udfff",
	"\udc00\ud800",
	"\ufeff",
	"\u202e",
	"'; DROP TABLE events; --",
	'" OR 1=1 --',
	"' || (SELECT payload FROM events) || '",
	"../../../etc/passwd",
	"..\\..\\windows",
	"%00",
	"%2e%2e%2f",
	"@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_",
	"?&=#%",
	"$" + "{jndi:ldap://x}",
	"<script>",
	"\\u0000",
	"\r\n",
	"null",
	"__proto__",
	"😀",
	"é",
] as const;

/** A string of at most `max` UTF-16 units (at least `min`), often hostile, sometimes exactly `max` long. */
export function hostileString(min: number, max: number): fc.Arbitrary<string> {
	const piece = fc.oneof(
		{ weight: 3, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
		{ weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
		{ weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
	);
	const free = fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join(""));
	const atLimit = fc
		.tuple(piece, fc.constantFrom("x", "é", "#"))
		.map(([head, fill]) => (head + fill.repeat(max)).slice(0, max));
	return fc
		.oneof({ weight: 6, arbitrary: free }, { weight: 1, arbitrary: atLimit })
		.map((text) => text.slice(0, max))
		.map((text) => (text.length >= min ? text : text + "x".repeat(min - text.length)));
}

/** A JSON value nested `depth` levels deep, as text (arrays or objects), for unknown fields. */
export function deepJson(depth: number, kind: "array" | "object"): string {
	return kind === "array"
		? `${"[".repeat(depth)}${"]".repeat(depth)}`
		: `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** The kind of each field of a callback body, as the schemas in src/callbacks/commands declare it. */
type FieldKind = "id" | "short" | "long" | "eventTime" | "members" | "userData" | "topicIds" | "count";
interface CommandModel {
	command: string;
	kind: "before" | "after";
	required: Record<string, FieldKind>;
	optional: Record<string, FieldKind>;
}

/** Every handled CallbackCommand with its body fields (the fields Tencent's callback pages list). */
export const COMMAND_MODELS: readonly CommandModel[] = [
	{
		command: "Group.CallbackBeforeCreateTopic",
		kind: "before",
		required: { Operator_Account: "id", Name: "short" },
		optional: { Type: "short" },
	},
	{
		command: "Group.CallbackBeforeCreateGroup",
		kind: "before",
		required: { Operator_Account: "id", Name: "short" },
		optional: {
			Owner_Account: "id",
			Type: "short",
			CreateGroupNum: "count",
			MemberList: "members",
			EventTime: "eventTime",
		},
	},
	{
		command: "Group.CallbackAfterCreateTopic",
		kind: "after",
		required: { GroupId: "id", TopicId: "id" },
		optional: {
			Operator_Account: "id",
			Owner_Account: "id",
			Type: "short",
			Name: "short",
			UserDefinedDataList: "userData",
			EventTime: "eventTime",
		},
	},
	{
		command: "Group.CallbackAfterCreateGroup",
		kind: "after",
		required: { GroupId: "id" },
		optional: {
			Operator_Account: "id",
			Owner_Account: "id",
			Type: "short",
			Name: "short",
			MemberList: "members",
			UserDefinedDataList: "userData",
			EventTime: "eventTime",
		},
	},
	{
		command: "Group.CallbackAfterTopicDestroyed",
		kind: "after",
		required: { GroupId: "id", TopicIdList: "topicIds" },
		optional: { Type: "short", Operator_Account: "id", EventTime: "eventTime" },
	},
	{
		command: "Group.CallbackAfterGroupDestroyed",
		kind: "after",
		required: { GroupId: "id" },
		optional: {
			Type: "short",
			Owner_Account: "id",
			Operator_Account: "id",
			Name: "short",
			MemberList: "members",
			EventTime: "eventTime",
		},
	},
	{
		command: "Group.CallbackAfterTopicInfoChanged",
		kind: "after",
		required: { GroupId: "id" },
		optional: {
			TopicId: "id",
			Type: "short",
			Operator_Account: "id",
			Name: "short",
			Introduction: "long",
			Notification: "long",
			FaceUrl: "long",
			EventTime: "eventTime",
		},
	},
	{
		command: "Group.CallbackAfterGroupInfoChanged",
		kind: "after",
		required: { GroupId: "id" },
		optional: {
			Type: "short",
			Operator_Account: "id",
			Name: "short",
			Introduction: "long",
			Notification: "long",
			FaceUrl: "long",
			EventTime: "eventTime",
		},
	},
];

// IDs may hold anything but lone surrogates and U+FFFD (see fields.ts): those are replaced, keeping the length.
const id = hostileString(1, MAX_ID_LENGTH).map((text) => text.toWellFormed().replaceAll("\uFFFD", "x"));

/** A value the schema accepts for a field of `kind`. */
function validValue(kind: FieldKind): fc.Arbitrary<unknown> {
	switch (kind) {
		case "id":
			return id;
		case "short":
			return hostileString(0, SHORT);
		case "long":
			return hostileString(0, LONG);
		case "eventTime":
			return fc.oneof(
				fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
				fc.bigInt({ min: 0n, max: BigInt(Number.MAX_SAFE_INTEGER) }).map(String),
				fc.constantFrom(1670574414123, "1670574414123", "0", `${Number.MAX_SAFE_INTEGER}`),
			);
		case "count":
			return fc.nat();
		case "members":
			return fc.array(
				fc
					.record({ Member_Account: id }, { requiredKeys: ["Member_Account"] })
					.chain((member) =>
						fc
							.option(hostileString(0, 20), { nil: undefined })
							.map((extra) => (extra === undefined ? member : { ...member, Role: extra })),
					),
				{ maxLength: 12 },
			);
		case "userData":
			return fc.array(fc.record({ Key: hostileString(0, SHORT), Value: hostileString(0, 64) }), {
				maxLength: 5,
			});
		case "topicIds":
			return fc.array(id, { minLength: 1, maxLength: 12 }).chain((ids) =>
				// Redelivered lists repeat IDs; a repeat must not add a row.
				fc.boolean().map((repeat) => (repeat ? [...ids, ids[0] as string] : ids)),
			);
	}
}

/** A value the schema refuses for a field of `kind`, with a word on why. */
function invalidValue(kind: FieldKind): fc.Arbitrary<unknown> {
	const notString = fc.oneof(
		fc.integer(),
		fc.boolean(),
		fc.constant(null),
		fc.array(fc.string(), { maxLength: 2 }),
		fc.object({ maxDepth: 1 }),
	);
	switch (kind) {
		case "id":
			return fc.oneof(
				notString,
				fc.constantFrom("", "x".repeat(MAX_ID_LENGTH + 1), "@TGS#\ud800", "\udfff@TOPIC#_a", "@TGS#\ufffd"),
			);
		case "short":
			return fc.oneof(notString, fc.constant("n".repeat(SHORT + 1)));
		case "long":
			return fc.oneof(notString, fc.constant("l".repeat(LONG + 1)));
		case "eventTime":
			return fc.oneof(
				fc.constantFrom(
					-1,
					1.5,
					Number.MAX_SAFE_INTEGER + 2,
					"",
					"12a",
					"-5",
					"1e12",
					" 1",
					"１２３",
					"12345678901234567",
					// Past 2^53 or with leading zeros: the number would not give back the string.
					"9007199254740993",
					"9999999999999999",
					"0000000000000001",
				),
				fc.boolean(),
				fc.constant(null),
				fc.object({ maxDepth: 1 }),
			);
		case "count":
			return fc.oneof(fc.constantFrom(-1, 0.5, "1"), fc.constant(null));
		case "members":
			return fc.oneof(
				fc.constant({}),
				fc.constant("leckie"),
				fc.constant([{ Account: "leckie" }]),
				fc.constant([{ Member_Account: "" }]),
				fc.constant([{ Member_Account: 7 }]),
				fc.constant(["leckie"]),
				fc.constant(Array.from({ length: MAX_MEMBERS + 1 }, (_, i) => ({ Member_Account: `m${i}` }))),
			);
		case "userData":
			return fc.oneof(fc.constant({ Key: "k" }), fc.constant([{ Key: 1, Value: "v" }]), fc.constant([null]));
		case "topicIds":
			return fc.oneof(
				fc.constant([]),
				fc.constant("@TGS#_x@TOPIC#_a"),
				fc.constant([7]),
				fc.constant([""]),
				fc.constant(Array.from({ length: MAX_TOPIC_IDS + 1 }, (_, i) => `@TGS#_g@TOPIC#_${i}`)),
			);
	}
}

/** Fields Tencent does not send (yet): must never break a callback, however odd. */
const unknownFields = fc.dictionary(
	fc.oneof(
		fc.string({ maxLength: 12 }),
		fc.constantFrom("__proto__", "constructor", "toString", "", "GroupID", "callbackcommand"),
	),
	fc.oneof(
		fc.jsonValue({ maxDepth: 3 }),
		hostileString(0, 64),
		// The body itself is one level; its fields may nest up to the limit.
		fc
			.integer({ min: 1, max: MAX_JSON_DEPTH - 1 })
			.map((depth) => JSON.parse(deepJson(depth, "array")) as unknown),
		fc
			.integer({ min: 1, max: MAX_JSON_DEPTH - 1 })
			.map((depth) => JSON.parse(deepJson(depth, "object")) as unknown),
	),
	{ maxKeys: 3 },
);

/** A generated callback: the command, the body (object, or raw text) and whether the schema must accept it. */
export interface GeneratedCallback {
	model: CommandModel;
	body: Record<string, unknown> | string | unknown[] | number | boolean | null;
	valid: boolean;
	why: string;
}

function validBody(model: CommandModel): fc.Arbitrary<Record<string, unknown>> {
	const required = fc.record(
		Object.fromEntries(Object.entries(model.required).map(([k, kind]) => [k, validValue(kind)])),
	);
	const optional = fc.record(
		Object.fromEntries(Object.entries(model.optional).map(([k, kind]) => [k, validValue(kind)])),
		{ requiredKeys: [] },
	);
	return fc.tuple(unknownFields, required, optional).map(([extra, req, opt]) => {
		const body: Record<string, unknown> = {};
		for (const [key, value] of Object.entries(extra)) {
			// Unknown fields only: a known name would change what is being tested.
			if (
				!(key in model.required) &&
				!(key in model.optional) &&
				key !== "CallbackCommand" &&
				key !== "__proto__"
			)
				body[key] = value;
		}
		return { ...body, CallbackCommand: model.command, ...req, ...opt };
	});
}

/** A body that is valid for `model`, or broken in one known way. */
export function generatedCallback(model: CommandModel): fc.Arbitrary<GeneratedCallback> {
	const valid = validBody(model).map(
		(body): GeneratedCallback => ({ model, body, valid: true, why: "valid" }),
	);
	const fields = { ...model.required, ...model.optional };
	const wrongField = fc
		.tuple(validBody(model), fc.constantFrom(...Object.keys(fields)))
		.chain(([body, field]) =>
			invalidValue(fields[field] as FieldKind).map(
				(value): GeneratedCallback => ({
					model,
					body: { ...body, [field]: value },
					valid: false,
					why: `bad ${field}`,
				}),
			),
		);
	const missingField = fc
		.tuple(validBody(model), fc.constantFrom(...Object.keys(model.required)))
		.map(([body, field]): GeneratedCallback => {
			const { [field]: _dropped, ...rest } = body;
			return { model, body: rest, valid: false, why: `missing ${field}` };
		});
	const wrongCommand = fc
		.tuple(
			validBody(model),
			fc.oneof(
				fc.constantFrom(...COMMAND_MODELS.map((m) => m.command), "", "group.callbackaftercreatetopic"),
				fc.integer(),
				fc.constant(null),
			),
		)
		.filter(([, command]) => command !== model.command)
		.map(
			([body, command]): GeneratedCallback => ({
				model,
				body: { ...body, CallbackCommand: command },
				valid: false,
				why: "other CallbackCommand",
			}),
		);
	const noCommand = validBody(model).map((body): GeneratedCallback => {
		const { CallbackCommand: _dropped, ...rest } = body;
		return { model, body: rest, valid: false, why: "no CallbackCommand in body" };
	});
	const tooDeep = fc
		.tuple(
			validBody(model),
			fc.integer({ min: MAX_JSON_DEPTH, max: 100_000 }),
			fc.constantFrom("array" as const, "object" as const),
		)
		.map(([body, depth, kind]): GeneratedCallback => {
			// Spliced in as text: JSON.stringify would recurse through every level.
			const text = JSON.stringify(body).replace(/^\{/, `{"Nested":${deepJson(depth, kind)},`);
			return { model, body: `\u0001RAW${text}`, valid: false, why: `nested ${depth + 1} levels` };
		});
	const notAnObject = fc
		.oneof(
			fc.constant(null),
			fc.boolean(),
			fc.double(),
			fc.string({ maxLength: 20 }),
			fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
		)
		.map(
			(body): GeneratedCallback => ({
				model,
				body: body as GeneratedCallback["body"],
				valid: false,
				why: "not an object",
			}),
		);
	const notJson = fc
		.oneof(
			validBody(model).chain((body) =>
				fc.nat().map((cut) => JSON.stringify(body).slice(0, cut % JSON.stringify(body).length)),
			),
			fc.constantFrom(
				"",
				"{",
				"{'GroupId':'x'}",
				"// comment\n{}",
				"\u0000",
				"[1,]",
				'{"a":1}}',
				deepJson(100_000, "array").slice(1),
			),
		)
		.map((text): GeneratedCallback => ({ model, body: `\u0001RAW${text}`, valid: false, why: "not JSON" }));
	return fc.oneof(
		{ weight: 5, arbitrary: valid },
		{ weight: 3, arbitrary: wrongField },
		{ weight: 1, arbitrary: missingField },
		{ weight: 1, arbitrary: wrongCommand },
		{ weight: 1, arbitrary: noCommand },
		{ weight: 1, arbitrary: tooDeep },
		{ weight: 1, arbitrary: notAnObject },
		{ weight: 1, arbitrary: notJson },
	);
}

/** The text sent for a generated body: raw text as it is, anything else as JSON. */
export function bodyText(generated: GeneratedCallback, marker: string): string {
	const { body } = generated;
	if (typeof body === "string" && body.startsWith("\u0001RAW")) return body.slice(4);
	if (typeof body === "object" && body !== null && !Array.isArray(body))
		return JSON.stringify({ ...body, BatteryCase: marker });
	return JSON.stringify(body);
}

/** One query parameter as it goes on the wire: a name and a value, percent-encoded or raw. */
export type QueryPart = [name: string, value: string, encoded: boolean];

/** Query strings built from Tencent's parameter names, hostile values, repeats and broken escapes. */
export const queryParts: fc.Arbitrary<QueryPart[]> = fc.array(
	fc.tuple(
		fc.oneof(
			{
				weight: 4,
				arbitrary: fc.constantFrom(
					"SdkAppid",
					"CallbackCommand",
					"RequestTime",
					"Sign",
					"contenttype",
					"ClientIP",
					"OptPlatform",
				),
			},
			{ weight: 1, arbitrary: fc.constantFrom("sdkappid", "SDKAPPID", "Sdk%41ppid", "Sign ", "", "=", "&") },
			{ weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
		),
		fc.oneof(
			{
				weight: 2,
				arbitrary: fc.constantFrom(
					"1400000000",
					"1400000001",
					"",
					"Group.CallbackAfterCreateGroup",
					"Group.CallbackBeforeCreateTopic",
					"json",
				),
			},
			{
				weight: 1,
				arbitrary: fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "+", "%2B", "1400000000%00", " 1400000000"),
			},
			{ weight: 2, arbitrary: hostileString(0, 40) },
			{ weight: 1, arbitrary: fc.bigInt({ min: -1n, max: 10n ** 13n }).map(String) },
		),
		fc.boolean(),
	),
	{ maxLength: 10 },
);

/** Serialises query parts; raw parts keep their characters (the URL parser escapes what it must). */
export function queryString(parts: QueryPart[]): string {
	return parts
		.map(([name, value, encoded]) =>
			encoded ? `${encodeURIComponent(name)}=${encodeURIComponent(value)}` : `${name}=${value}`,
		)
		.join("&");
}
