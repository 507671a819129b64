// Response shapes more than one /api file answers with (for the OpenAPI document and the response test).
import * as v from "valibot";

export const nullable = <S extends v.GenericSchema>(schema: S) => v.nullable(schema);

/** A row's SdkAppid. */
export const app = v.pipe(
	v.string(),
	v.description("The SdkAppid; '' for a row from before migration 0010 not yet assigned to an app."),
);

/** The cursor of a page read in id order. */
export const next = v.pipe(
	nullable(v.number()),
	v.description("The `after` of the next page; null when this page reached the newest row."),
);

/** A stored event (a row of `events`). */
export const Event = v.object({
	id: v.pipe(v.number(), v.description("Grows with every stored event: the change feed's cursor.")),
	command: v.string(),
	sdk_app_id: v.string(),
	group_id: nullable(v.string()),
	topic_id: v.pipe(nullable(v.string()), v.description("null for a group-level event.")),
	operator_account: nullable(v.string()),
	event_time: v.pipe(nullable(v.number()), v.description("Tencent's EventTime, ms.")),
	received_at: v.pipe(v.number(), v.description("When the Worker accepted it, ms.")),
	payload: v.pipe(v.unknown(), v.description("The validated callback body.")),
});

/** The `groupId` path parameter. */
export const groupIdParameter = {
	groupId: "The community's GroupId, percent-encoded (`@TGS#…` → `%40TGS%23…`).",
};

/** Why a policy document cannot be used, with the rule and its place in the text when known. */
export const PolicyProblem = v.object({
	message: v.string(),
	rule: v.pipe(nullable(v.string()), v.description("The rule's path, e.g. `names.banned[3].match`.")),
	line: nullable(v.number()),
	column: nullable(v.number()),
});
