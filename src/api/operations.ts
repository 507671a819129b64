// Every /api operation, for the OpenAPI document (`npm run openapi` writes src/api/openapi.json from this
// list; a test fails when that file is stale). A new /api route adds its entry here, reusing its own query
// shape and body schema, then runs `npm run openapi`.
import * as v from "valibot";
import { API_ERROR_CODES } from "../http/api-error";
import { BacktestBodySchema } from "./backtest";
import { decisionsQuery, refusalsQuery } from "./decisions";
import { enforcementQuery, HeldSelectionSchema } from "./enforcement";
import { feedQuery } from "./events";
import type { ApiErrorShape, ApiOperation } from "./openapi";
import { PublishSchema, policyVersionsQuery, RollbackSchema, ValidateSchema } from "./policy";
import { CheckBodySchema } from "./policy-check";
import { quarantineQuery } from "./quarantine";
import { SignInSchema } from "./session";
import { topicQuery, topicSearchQuery } from "./topics";

const nullable = <S extends v.GenericSchema>(schema: S) => v.nullable(schema);
const next = v.pipe(
	nullable(v.number()),
	v.description("The `after` of the next page; null when this page reached the newest row."),
);

const Event = v.object({
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

const Topic = v.object({
	topic_id: v.string(),
	group_id: nullable(v.string()),
	name: nullable(v.string()),
	introduction: nullable(v.string()),
	notification: nullable(v.string()),
	face_url: nullable(v.string()),
	owner_account: nullable(v.string()),
	created_by: nullable(v.string()),
	created_at: nullable(v.number()),
	updated_at: nullable(v.number()),
	deleted_at: v.pipe(nullable(v.number()), v.description("null while the topic is alive.")),
});

const Decision = v.object({
	id: v.number(),
	received_at: v.number(),
	command: v.string(),
	operator_account: v.string(),
	name: v.string(),
	allowed: v.boolean(),
	error_code: v.number(),
	rule: nullable(v.string()),
	policy_version: nullable(v.string()),
	dry_run: v.boolean(),
	source: v.optional(v.string()),
	field: v.optional(
		v.pipe(v.string(), v.description("The field judged: `name` (creations judge names only).")),
	),
});

const Quarantined = v.object({
	id: v.number(),
	received_at: v.number(),
	command: nullable(v.string()),
	sdk_app_id: nullable(v.string()),
	reason: v.string(),
	body_bytes: v.number(),
	body_truncated: v.boolean(),
	resolved_at: nullable(v.number()),
	resolution: nullable(v.picklist(["replayed", "dismissed"])),
});

const QuarantineAction = v.object({
	id: v.number(),
	quarantine_id: v.number(),
	action: v.picklist(["replay", "dismiss"]),
	outcome: v.picklist(["stored", "duplicate", "still_invalid", "not_replayable", "dismissed"]),
	detail: nullable(v.string()),
	acted_at: v.number(),
	request_id: nullable(v.string()),
});

const PolicyVersion = v.object({
	id: v.pipe(v.number(), v.description("The version's id: grows with every publication.")),
	published_at: v.pipe(v.number(), v.description("ms")),
	published_by: v.pipe(
		v.string(),
		v.description(
			'The console session\'s name, "api token", or "KV (hand edit)" for a change made outside the API.',
		),
	),
	action: v.picklist(["publish", "rollback", "hand-edit"]),
	restored_from: v.pipe(nullable(v.number()), v.description("The version a rollback published again.")),
	version: v.pipe(nullable(v.string()), v.description("The document's own `version`, when it has one.")),
	hash: v.pipe(v.string(), v.description("SHA-256 of the document's text, hex.")),
});

const PolicyProblem = v.object({
	message: v.string(),
	rule: v.pipe(nullable(v.string()), v.description("The rule's path, e.g. `names.banned[3].match`.")),
	line: nullable(v.number()),
	column: nullable(v.number()),
});

const Published = v.object({
	published: PolicyVersion,
	previous: v.pipe(
		nullable(PolicyVersion),
		v.description("The version that was live before; null for the first."),
	),
});

const ConsoleSession = v.object({
	name: v.string(),
	expiresAt: v.pipe(v.string(), v.description("ISO 8601.")),
	csrfToken: v.pipe(v.string(), v.description("Send it as X-CSRF-Token on every state-changing call.")),
});

const groupId = { groupId: "The community's GroupId, percent-encoded (`@TGS#…` → `%40TGS%23…`)." };
const quarantineRow = { id: "The quarantine row's id." };

/** The document's title, version and description. */
export const apiInfo = {
	title: "Tencent Cloud Chat topic webhooks: admin API",
	version: "1",
	description:
		"Read the event history and the change feed, try and audit the topic-creation policy, act on quarantined " +
		"callbacks. Every route but this document needs `Authorization: Bearer <ADMIN_TOKEN>`.",
};

/** The /api error answer (docs/sync.md). */
export const apiError: ApiErrorShape = {
	description: "An error: what went wrong, naming the parameter or field when one is at fault",
	schema: v.object({
		error: v.object({
			code: v.picklist(Object.values(API_ERROR_CODES)),
			message: v.string(),
			field: v.optional(v.string()),
			detail: v.optional(v.unknown()),
		}),
	}),
};

/** Every /api operation, in the order the docs present them. */
export const apiOperations: ApiOperation[] = [
	{
		method: "get",
		path: "/api/openapi.json",
		summary: "This document",
		tag: "meta",
		public: true,
		responses: { 200: { description: "The OpenAPI 3.1 document of /api" } },
	},
	{
		method: "get",
		path: "/api/events",
		summary: "The change feed: every stored event in id order, paged",
		tag: "history",
		query: feedQuery,
		responses: {
			200: {
				description: "One page: at most limit rows and 4 MiB of payloads (always at least one row)",
				schema: v.object({ events: v.array(Event), next }),
			},
		},
		errors: { 400: "a bad query parameter, named" },
	},
	{
		method: "get",
		path: "/api/topics/{topicId}",
		summary: "A topic's current state and one page of its history",
		tag: "history",
		pathParameters: { topicId: "The TopicId, percent-encoded." },
		query: topicQuery,
		responses: {
			200: {
				description: "State and one page of events (at most limit and 4 MiB of payloads); next is the cursor",
				schema: v.object({ topic: nullable(Topic), events: v.array(Event), next }),
			},
		},
		errors: { 400: "a bad topicId or query parameter", 404: "never seen" },
	},
	{
		method: "get",
		path: "/api/topics",
		summary: "Topics whose id, group or name matches a search text",
		tag: "history",
		query: topicSearchQuery,
		responses: { 200: { description: "Matching topics", schema: v.object({ topics: v.array(Topic) }) } },
		errors: { 400: "search missing, or a bad query parameter" },
	},
	{
		method: "get",
		path: "/api/groups/{groupId}/topics",
		summary: "A community's topics, alive and deleted",
		tag: "history",
		pathParameters: groupId,
		responses: {
			200: { description: "Its topics", schema: v.object({ groupId: v.string(), topics: v.array(Topic) }) },
		},
		errors: { 400: "a bad groupId" },
	},
	{
		method: "get",
		path: "/api/groups/{groupId}/events",
		summary: "A community's history (group-level and topic events), paged",
		tag: "history",
		pathParameters: groupId,
		query: feedQuery,
		responses: {
			200: {
				description: "One page",
				schema: v.object({ groupId: v.string(), events: v.array(Event), next }),
			},
		},
		errors: { 400: "a bad groupId or query parameter, named" },
	},
	{
		method: "get",
		path: "/api/decisions",
		summary: "The policy's decision log, paged and filtered",
		tag: "policy",
		query: decisionsQuery,
		responses: {
			200: { description: "One page", schema: v.object({ decisions: v.array(Decision), next }) },
		},
		errors: { 400: "a bad query parameter, named" },
	},
	{
		method: "get",
		path: "/api/decisions/refusals",
		summary: "Refusals counted by rule over a time range (default: the last 24 hours)",
		tag: "policy",
		query: refusalsQuery,
		responses: {
			200: {
				description: "Counts by rule in [since, until), most frequent first (at most 100 rules)",
				schema: v.object({
					since: v.pipe(v.number(), v.description("ms")),
					until: v.pipe(v.number(), v.description("ms")),
					total: v.number(),
					rules: v.array(
						v.object({
							rule: v.pipe(
								nullable(v.string()),
								v.description("null for refusals no rule decided (fail mode)."),
							),
							count: v.number(),
						}),
					),
				}),
			},
		},
		errors: { 400: "a bad query parameter, named" },
	},
	{
		method: "get",
		path: "/api/policy",
		summary: "The live policy document, its hash and the version that published it",
		tag: "policy",
		responses: {
			200: {
				description:
					"The KV value as stored (even when broken), whether it compiles, and its recorded version",
				schema: v.object({
					text: v.pipe(nullable(v.string()), v.description("null when KV holds no policy.")),
					hash: nullable(v.string()),
					valid: v.boolean(),
					problem: nullable(PolicyProblem),
					version: nullable(v.string()),
					current: v.pipe(nullable(PolicyVersion), v.description("null after a hand edit.")),
				}),
			},
		},
	},
	{
		method: "put",
		path: "/api/policy",
		summary: "Publish a policy document (validated first; recorded as a version)",
		tag: "policy",
		body: PublishSchema,
		responses: { 200: { description: "Published", schema: Published } },
		errors: { 400: "an invalid document, naming the rule", 409: "the live policy changed meanwhile" },
	},
	{
		method: "post",
		path: "/api/policy/validate",
		summary: "Validate a policy document without publishing it",
		tag: "policy",
		body: ValidateSchema,
		responses: {
			200: {
				description: "Valid (with a summary of what it does), or the problem found",
				schema: v.variant("valid", [
					v.object({
						valid: v.literal(true),
						version: nullable(v.string()),
						summary: v.record(v.string(), v.unknown()),
					}),
					v.object({ valid: v.literal(false), problem: PolicyProblem }),
				]),
			},
		},
		errors: { 400: "a bad body" },
	},
	{
		method: "post",
		path: "/api/policy/rollback",
		summary: "Publish an earlier version again",
		tag: "policy",
		body: RollbackSchema,
		responses: { 200: { description: "Rolled back", schema: Published } },
		errors: { 400: "a bad body", 404: "no such version" },
	},
	{
		method: "get",
		path: "/api/policy/versions",
		summary: "Published policy versions, newest first, paged",
		tag: "policy",
		query: policyVersionsQuery,
		responses: {
			200: {
				description: "One page of versions, without their text",
				schema: v.object({
					versions: v.array(PolicyVersion),
					next: v.pipe(
						nullable(v.number()),
						v.description("The `before` of the next (older) page; null when this page reached the first."),
					),
				}),
			},
		},
		errors: { 400: "a bad query parameter, named" },
	},
	{
		method: "get",
		path: "/api/policy/versions/{id}",
		summary: "One published policy version with its document",
		tag: "policy",
		pathParameters: { id: "The version's id." },
		responses: {
			200: {
				description: "The version",
				schema: v.object({ ...PolicyVersion.entries, text: v.string() }),
			},
		},
		errors: { 400: "a bad id", 404: "no such version" },
	},
	{
		method: "post",
		path: "/api/session",
		summary: "Sign in to the console with the admin token: sets the session cookie",
		tag: "console",
		public: true,
		body: SignInSchema,
		responses: { 200: { description: "Signed in (Set-Cookie)", schema: ConsoleSession } },
		errors: {
			400: "a bad body",
			401: "wrong token",
			413: "a body over MAX_BODY_BYTES",
			429: "too many failed attempts from this address (Retry-After)",
			503: "the API is off (ADMIN_TOKEN unset or too weak)",
		},
	},
	{
		method: "get",
		path: "/api/session",
		summary: "The console session of this cookie",
		tag: "console",
		public: true,
		responses: { 200: { description: "The session", schema: ConsoleSession } },
		errors: { 401: "no valid session" },
	},
	{
		method: "delete",
		path: "/api/session",
		summary: "Sign out of the console: clears the cookie",
		tag: "console",
		public: true,
		responses: {
			200: {
				description: "Signed out (the cookie cleared)",
				schema: v.object({ signedOut: v.literal(true) }),
			},
		},
	},
	{
		method: "post",
		path: "/api/policy/backtest",
		summary:
			"Which live topics a policy (a draft, or the live one) would refuse by name or text, one page of topics per request",
		description:
			'Pass `next` back as `after` until it is null. A run of the live policy returns `preview` (a token bound to the live policy and to the counts of actions, valid 10 minutes). `"apply": true` with that `previewToken` and the same `after` and `limit` records each refused topic in the enforcement ledger and queues its action, confirmed with Tencent and capped per hour (docs/enforcement.md). A draft is never applied.',
		tag: "enforcement",
		body: BacktestBodySchema,
		responses: {
			200: {
				description: "The refused topics of this page and the cursor of the next",
				schema: v.object({
					refused: v.array(v.record(v.string(), v.unknown())),
					scanned: v.number(),
					next: nullable(v.string()),
					policyVersion: nullable(v.string()),
					source: v.string(),
					preview: v.optional(
						v.object({
							token: v.string(),
							expiresAt: v.pipe(v.number(), v.description("ms; apply before then")),
							counts: v.object({
								revert: v.number(),
								rename: v.number(),
								destroy: v.number(),
								log: v.number(),
								clear: v.number(),
							}),
						}),
					),
					applied: v.optional(v.object({ recorded: v.number(), queued: v.number() })),
				}),
			},
		},
		errors: {
			400: "a bad body, an invalid draft policy, apply of a draft, or apply without a valid preview token, named",
			409: "apply with a stale preview token (the live policy changed, the page's counts changed, or older than 10 minutes), or no usable live policy",
		},
	},
	{
		method: "get",
		path: "/api/enforcement",
		summary: "The enforcement ledger: every action taken or planned on a live name, paged",
		tag: "enforcement",
		query: enforcementQuery,
		responses: {
			200: {
				description: "One page of ledger rows",
				schema: v.object({ actions: v.array(v.record(v.string(), v.unknown())), next }),
			},
		},
		errors: { 400: "a bad query parameter, named" },
	},
	{
		method: "get",
		path: "/api/enforcement/hold",
		summary: "Actions held past an hourly cap, the caps, and whether enforcement only records",
		tag: "enforcement",
		responses: {
			200: {
				description: "The hold",
				schema: v.object({
					held: v.number(),
					oldestAt: nullable(v.number()),
					caps: v.object({ destroysPerHour: v.number(), renamesPerHour: v.number() }),
					unsigned: v.pipe(
						v.boolean(),
						v.description(
							"Callbacks are accepted unsigned: enforcement records what they would make it do and calls nothing for them; a moderator's backtest apply or resume still acts once Tencent confirms.",
						),
					),
				}),
			},
		},
	},
	{
		method: "post",
		path: "/api/enforcement/resume",
		summary: "Resume held actions: each is confirmed with Tencent, then carried out regardless of the cap",
		tag: "enforcement",
		body: HeldSelectionSchema,
		responses: {
			200: { description: "How many held actions were resumed", schema: v.object({ resumed: v.number() }) },
		},
		errors: { 400: "a bad body, named" },
	},
	{
		method: "post",
		path: "/api/enforcement/discard",
		summary: "Discard held actions: nothing is ever called for them",
		tag: "enforcement",
		body: HeldSelectionSchema,
		responses: {
			200: {
				description: "How many held actions were discarded",
				schema: v.object({ discarded: v.number() }),
			},
		},
		errors: { 400: "a bad body, named" },
	},
	{
		method: "post",
		path: "/api/policy/check",
		summary:
			"What the callback would answer for a name (or enforcement for a text), with the live policy or a draft",
		tag: "policy",
		body: CheckBodySchema,
		responses: {
			200: {
				description: "The answer and the rule that decided",
				schema: v.object({
					ErrorCode: v.number(),
					ErrorInfo: v.string(),
					rule: nullable(v.string()),
					allowed: v.boolean(),
					dryRun: v.boolean(),
					policyVersion: nullable(v.string()),
					source: v.string(),
					field: v.optional(v.pipe(v.string(), v.description("The field judged: the body's `Field`."))),
				}),
			},
		},
		errors: { 400: "a bad body or inline policy, naming the field or rule" },
	},
	{
		method: "get",
		path: "/api/quarantine",
		summary: "Quarantined callbacks (bodies that failed validation), without bodies, paged",
		tag: "quarantine",
		query: quarantineQuery,
		responses: {
			200: { description: "One page", schema: v.object({ quarantine: v.array(Quarantined), next }) },
		},
		errors: { 400: "a bad query parameter, named" },
	},
	{
		method: "get",
		path: "/api/quarantine/{id}",
		summary: "One quarantined callback with its raw body and the actions taken on it",
		tag: "quarantine",
		pathParameters: quarantineRow,
		responses: {
			200: {
				description: "The row and its actions",
				schema: v.object({
					entry: v.object({ ...Quarantined.entries, body: v.string() }),
					actions: v.array(QuarantineAction),
				}),
			},
		},
		errors: { 400: "a bad id", 404: "no such row" },
	},
	{
		method: "post",
		path: "/api/quarantine/{id}/replay",
		summary: "Judge the body again and store the event if it now passes",
		tag: "quarantine",
		pathParameters: quarantineRow,
		responses: {
			200: {
				description: "Stored (or already stored); the row is now replayed",
				schema: v.object({
					id: v.number(),
					outcome: v.picklist(["stored", "duplicate"]),
					inserted: v.number(),
				}),
			},
		},
		errors: {
			400: "a bad id",
			404: "no such row",
			409: "already replayed or dismissed",
			422: "still invalid, or not replayable",
		},
	},
	{
		method: "delete",
		path: "/api/quarantine/{id}",
		summary: "Dismiss a quarantined callback (kept, marked dismissed)",
		tag: "quarantine",
		pathParameters: quarantineRow,
		responses: {
			200: {
				description: "Dismissed",
				schema: v.object({ id: v.number(), outcome: v.literal("dismissed") }),
			},
		},
		errors: { 400: "a bad id", 404: "no such row", 409: "already replayed or dismissed" },
	},
];
