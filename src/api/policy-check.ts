// POST /api/policy/check: what the callback would answer for a name, and which rule decided, with the
// live policy or one sent in the body (to try an edit before saving it); with `Field`, how enforcement would
// judge a text of a profile instead (Introduction, Notification, FaceUrl). Decisions here are not logged.
import * as v from "valibot";
import { creationCommands, creationKindOf } from "../commands";
import { readConfig } from "../config";
import { apiError } from "../http/api-error";
import { NOT_JSON, readJsonBody } from "../http/body";
import {
	type CompiledPolicy,
	type CreationKind,
	compilePolicy,
	compilePolicyText,
	explainCreation,
	explainTextBy,
	failModeDecision,
	type Outcome,
	POLICY_LIMITS,
	type PolicyDocument,
	PolicyDocumentSchema,
	policyLoaders,
	TENCENT_FIELD,
	TEXT_KEYS,
} from "../policy";
import { appParam, configuredApp } from "./query";
import type { ApiRoute } from "./route";
import { nullable, PolicyProblem } from "./shapes";

/**
 * Longest Name the check API judges: the callbacks' own bound on a name. Matching costs name length times
 * the policy's program size, so an unbounded name would let one request hold the isolate for minutes.
 */
export const MAX_CHECK_NAME_LENGTH = POLICY_LIMITS.nameLength;

/** The body of POST /api/policy/check (also in the OpenAPI document). */
export const CheckBodySchema = v.strictObject({
	Operator_Account: v.pipe(v.string(), v.maxLength(256, "must be at most 256 characters")),
	Name: v.pipe(
		v.string(),
		v.maxLength(MAX_CHECK_NAME_LENGTH, `must be at most ${MAX_CHECK_NAME_LENGTH} characters`),
	),
	Type: v.optional(v.pipe(v.string(), v.maxLength(1024, "must be at most 1024 characters"))),
	CallbackCommand: v.optional(v.picklist(creationCommands)),
	Field: v.optional(
		v.pipe(
			v.picklist(["Name", ...TEXT_KEYS.map((key) => TENCENT_FIELD[key])]),
			v.description(
				"Which field `Name` holds (default Name). A text (Introduction, Notification, FaceUrl) is judged as " +
					"enforcement judges it after the fact: bypass operators, then the policy's `texts` section.",
			),
		),
	),
	policy: v.optional(v.union([v.string(), v.record(v.string(), v.unknown())])),
	app: appParam,
});

/**
 * POST /api/policy/check body {"Operator_Account","Name","Type"?,"CallbackCommand"?,"policy"?,"app"?} (`app`:
 * the policy that decides that SdkAppid's callbacks; left out, the only app's, or the shared one) →
 * {"ErrorCode","ErrorInfo","rule",…,"explanation"} (the explanation's shape: docs/policy.md); an invalid
 * body or inline policy → 400 in the /api error shape naming the field, a body over MAX_BODY_BYTES → 413.
 * The caller has already checked the ADMIN_TOKEN bearer.
 */
export async function handlePolicyCheck(
	request: Request,
	env: Env,
	ctx: ExecutionContext,
): Promise<Response> {
	// The callbacks' body limit and nesting bound: a huge or deeply nested body is refused before parsing.
	const body = await readJsonBody(request, CheckBodySchema, readConfig(env).maxBodyBytes);
	// This route's answer to a body that is not JSON has always been this sentence, naming no field.
	if (!body.ok)
		return apiError(
			body.problem.message === NOT_JSON ? { status: 400, message: "the body must be JSON" } : body.problem,
		);
	const { Operator_Account, Name, Type, CallbackCommand, policy: inline } = body.value;
	const app = configuredApp(env, body.value.app);
	if (!app.ok) return apiError(app.problem);
	const kind: CreationKind = (CallbackCommand && creationKindOf(CallbackCommand)) || "topic";

	let compiled: ReturnType<typeof compilePolicyText>;
	let policyVersion: string | null;
	let source: string;
	if (inline !== undefined) {
		compiled = compileInlinePolicy(inline);
		if (!compiled.ok) {
			const { message, rule, line, column } = compiled.problem;
			return apiError({
				status: 400,
				message: `policy: ${message}`,
				field: "policy",
				detail: { rule, line, column },
			});
		}
		policyVersion = compiled.value.version;
		source = "inline";
	} else {
		const state = await policyLoaders(env).current(env, (work) => ctx.waitUntil(work), app.value);
		if (state.policy === null) {
			const decision = failModeDecision(env, "policy check without a usable policy");
			return Response.json({
				ErrorCode: decision.errorCode,
				ErrorInfo: decision.errorInfo,
				rule: decision.rule,
				allowed: decision.allowed,
				dryRun: false,
				wouldRefuseWith: null,
				policyVersion: null,
				source: decision.source,
				problem: state.liveProblem,
			});
		}
		compiled = { ok: true, value: state.policy.compiled };
		policyVersion = state.policy.label;
		source = state.liveProblem === null ? "live" : "last-known-good";
	}
	const textKey = TEXT_KEYS.find((key) => TENCENT_FIELD[key] === body.value.Field);
	const { verdict, explanation } =
		textKey === undefined
			? explainCreation(compiled.value, kind, { operatorAccount: Operator_Account, name: Name, type: Type })
			: explainTextBy(compiled.value, kind, textKey, Operator_Account, Name);
	const answered = verdict.dryRun
		? { code: 0, info: "" }
		: { code: verdict.errorCode, info: verdict.errorInfo };
	return Response.json({
		ErrorCode: answered.code,
		ErrorInfo: answered.info,
		rule: verdict.rule,
		allowed: verdict.dryRun || verdict.allowed,
		dryRun: verdict.dryRun,
		wouldRefuseWith: verdict.dryRun && !verdict.allowed ? verdict.errorCode : null,
		policyVersion,
		source,
		field: body.value.Field ?? "Name",
		explanation,
	});
}

/**
 * Compiles a policy sent in a request body: a JSON text, or the document as an object. Problems carry the
 * rule and, for the object form, a position in its tab-indented rendering.
 */
export function compileInlinePolicy(inline: string | Record<string, unknown>): Outcome<CompiledPolicy> {
	if (typeof inline === "string") return compilePolicyText(inline);
	const parsed = v.safeParse(PolicyDocumentSchema, inline);
	// Reuse the text path for its messages and positions.
	return parsed.success
		? compilePolicy(parsed.output as PolicyDocument)
		: compilePolicyText(JSON.stringify(inline, null, "\t"));
}

/** The dry run of a callback's decision. */
export const checkRoutes: ApiRoute[] = [
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
					wouldRefuseWith: v.pipe(
						nullable(v.number()),
						v.description("In dry-run mode, the ErrorCode the policy would refuse with; else null."),
					),
					policyVersion: nullable(v.string()),
					source: v.string(),
					field: v.optional(v.pipe(v.string(), v.description("The field judged: the body's `Field`."))),
					problem: v.optional(
						v.pipe(
							nullable(PolicyProblem),
							v.description("Without a usable policy: why the live one is not in use."),
						),
					),
					explanation: v.optional(
						v.pipe(
							v.record(v.string(), v.unknown()),
							v.description("How the name was read and matched (folded forms, the match, the rule)."),
						),
					),
				}),
			},
		},
		errors: { 400: "a bad body or inline policy, naming the field or rule" },
		handler: (request, env, ctx) => handlePolicyCheck(request, env, ctx),
	},
];
