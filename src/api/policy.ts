// The policy through the API: read the live document, validate a draft, publish, list and restore
// versions. Validation is the loader's own (compilePolicyText), so what passes here is what the Worker uses.
import * as v from "valibot";
import type { AdminCaller } from "../auth/admin-auth";
import { readConfig } from "../config";
import { apiError } from "../http/api-error";
import { NO_STORE, readJsonBody } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { compilePolicyText, publishPolicy, readLivePolicy, summarizePolicy } from "../policy";
import { policyVersion, policyVersionByHash, policyVersionsBefore } from "../store/policy-versions";
import { appParam, configuredApp, pathSegment, type QueryResult, readQuery, wholeNumber } from "./query";
import { type ApiRoute, urlOf } from "./route";
import { page } from "./rows";
import { nullable, PolicyProblem } from "./shapes";

/** Largest policy text accepted by validate and publish, in characters (KV values may be 25 MiB; this is plenty). */
const MAX_POLICY_CHARS = 5_000_000;

/**
 * Largest body that carries a policy document (validate, publish, a backtest's draft), in bytes: room for
 * MAX_POLICY_CHARS characters of UTF-8, and never less than MAX_BODY_BYTES.
 */
export function policyBodyLimit(env: Env): number {
	return Math.max(readConfig(env).maxBodyBytes, 4 * MAX_POLICY_CHARS);
}

const PolicyText = v.pipe(
	v.string("must be the policy document as a JSON text"),
	v.maxLength(MAX_POLICY_CHARS, `must be at most ${MAX_POLICY_CHARS} characters`),
);
/** Bodies of the policy routes (also in the OpenAPI document). */
/** GET /api/policy/versions's query parameters. */
export const policyVersionsQuery = {
	before: wholeNumber(1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
	limit: wholeNumber(1, 100, 20),
	app: appParam,
};

/**
 * The query of the routes that read or write one policy key: `?app=<SdkAppid>` is that app's own key
 * `policy:<SdkAppid>`; without it, the shared key `policy` (the policy of every app without its own).
 */
export const policyKeyQuery = { app: appParam };

/** The policy key `url` names (see {@link policyKeyQuery}): an SdkAppid, or null for the shared key. */
function policyApp(url: URL, env: Env): QueryResult<string | null> {
	const query = readQuery(url, policyKeyQuery);
	if (!query.ok) return query;
	const app = configuredApp(env, query.value.app);
	return app.ok ? { ok: true, value: app.value ?? null } : app;
}

export const ValidateSchema = v.strictObject({ policy: PolicyText });
export const PublishSchema = v.strictObject({
	policy: PolicyText,
	baseHash: v.optional(v.nullable(v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, "must be a SHA-256 hex")))),
});
export const RollbackSchema = v.strictObject({
	to: v.pipe(v.number("must be a version id"), v.integer("must be a version id"), v.minValue(1)),
	baseHash: PublishSchema.entries.baseHash,
});

/**
 * GET /api/policy[?app=] → `{"text", "hash", "valid", "problem", "version", "current"}`: the KV value
 * exactly as stored (even when broken), whether it compiles, and the recorded version it matches (null
 * after a hand edit). With `app`, that app's own key (`text` null: the app has none, the shared one decides).
 */
export async function getLivePolicy(url: URL, env: Env): Promise<Response> {
	const app = policyApp(url, env);
	if (!app.ok) return apiError(app.problem);
	const live = await readLivePolicy(env, app.value);
	const compiled = live.text === null ? null : compilePolicyText(live.text);
	const current = live.hash === null ? null : await policyVersionByHash(env.DB, live.hash, app.value ?? "");
	return jsonResponse(
		{
			text: live.text,
			hash: live.hash,
			valid: compiled?.ok ?? false,
			problem: compiled === null ? null : compiled.ok ? null : compiled.problem,
			version: compiled?.ok ? compiled.value.version : null,
			current,
		},
		200,
		NO_STORE,
	);
}

/**
 * POST /api/policy/validate `{"policy": text}` → 200 `{"valid": true, "version", "summary"}` or
 * `{"valid": false, "problem": {message, rule, line, column}}`: the Worker's own check, nothing written.
 */
export async function validatePolicy(request: Request, env: Env): Promise<Response> {
	const body = await readJsonBody(request, ValidateSchema, policyBodyLimit(env));
	if (!body.ok) return apiError(body.problem);
	const compiled = compilePolicyText(body.value.policy);
	return jsonResponse(
		compiled.ok
			? { valid: true, version: compiled.value.version, summary: summarizePolicy(compiled.value) }
			: { valid: false, problem: compiled.problem },
		200,
		NO_STORE,
	);
}

function publishAnswer(result: Awaited<ReturnType<typeof publishPolicy>>): Response {
	if (result.ok)
		return jsonResponse(
			{ published: result.value.published, previous: result.value.previous },
			200,
			NO_STORE,
		);
	const refusal = result.problem;
	if (refusal.status === 400)
		return apiError({
			status: 400,
			message: `policy: ${refusal.policyProblem.message}`,
			field: "policy",
			detail: { problem: refusal.policyProblem },
		});
	return apiError({
		status: 409,
		message: refusal.message,
		field: "baseHash",
		detail: { liveHash: refusal.liveHash },
	});
}

/**
 * PUT /api/policy[?app=] `{"policy": text, "baseHash"?}` (with `app`: to `policy:<SdkAppid>`) → 200 `{"published", "previous"}`; 400 (nothing
 * written) when the document does not compile; 409 when `baseHash` is not the live value's hash.
 */
export async function putPolicy(request: Request, env: Env, caller: AdminCaller): Promise<Response> {
	const app = policyApp(new URL(request.url), env);
	if (!app.ok) return apiError(app.problem);
	const body = await readJsonBody(request, PublishSchema, policyBodyLimit(env));
	if (!body.ok) return apiError(body.problem);
	return publishAnswer(
		await publishPolicy(env, body.value.policy, caller.name, {
			baseHash: body.value.baseHash,
			app: app.value,
		}),
	);
}

/**
 * POST /api/policy/rollback[?app=] `{"to": id, "baseHash"?}`: publishes a recorded version's text again,
 * to the shared key or (with `app`) to that app's own key.
 */
export async function rollbackPolicy(request: Request, env: Env, caller: AdminCaller): Promise<Response> {
	const app = policyApp(new URL(request.url), env);
	if (!app.ok) return apiError(app.problem);
	const body = await readJsonBody(request, RollbackSchema, readConfig(env).maxBodyBytes);
	if (!body.ok) return apiError(body.problem);
	const target = await policyVersion(env.DB, body.value.to);
	if (target === null)
		return apiError({ status: 404, message: `to: no policy version ${body.value.to}`, field: "to" });
	return publishAnswer(
		await publishPolicy(env, target.text, caller.name, {
			baseHash: body.value.baseHash,
			restoredFrom: target.id,
			app: app.value,
		}),
	);
}

/**
 * GET /api/policy/versions?before=&limit=&app= → `{"versions": [newest first, without text], "next"}`: the
 * versions of the shared key, or with `app` of that app's own key.
 */
export async function listPolicyVersions(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, policyVersionsQuery);
	if (!query.ok) return apiError(query.problem);
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const results = await policyVersionsBefore(
		env.DB,
		app.value ?? "",
		query.value.before,
		query.value.limit + 1,
	);
	const { items, next } = page(results, query.value.limit);
	return jsonResponse({ versions: items, next }, 200, NO_STORE);
}

/** GET /api/policy/versions/{id} → the version with its `text`; 404 when there is none. */
export async function getPolicyVersion(rawId: string | undefined, url: URL, env: Env): Promise<Response> {
	const id = pathSegment("id", rawId);
	if (!id.ok) return apiError(id.problem);
	const query = readQuery(url, {});
	if (!query.ok) return apiError(query.problem);
	if (!/^[1-9]\d{0,15}$/.test(id.value))
		return apiError({ status: 400, message: "id: must be a version id", field: "id" });
	const version = await policyVersion(env.DB, Number(id.value));
	if (version === null) return apiError({ status: 404, message: `no policy version ${id.value}` });
	return jsonResponse(version, 200, NO_STORE);
}

/** A published version of the policy (a row of `policy_versions`, without its text). */
const PolicyVersion = v.object({
	id: v.pipe(v.number(), v.description("The version's id: grows with every publication.")),
	sdk_app_id: v.pipe(
		v.string(),
		v.description("The key written: '' for the shared `policy`, else the SdkAppid of `policy:<SdkAppid>`."),
	),
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

const Published = v.object({
	published: PolicyVersion,
	previous: v.pipe(
		nullable(PolicyVersion),
		v.description("The version that was live before; null for the first."),
	),
});

/** The live policy, publishing, validating, rolling back, and the versions. */
export const policyRoutes: ApiRoute[] = [
	{
		method: "get",
		path: "/api/policy",
		summary: "The live policy document, its hash and the version that published it",
		tag: "policy",
		query: policyKeyQuery,
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
		handler: (request, env) => getLivePolicy(urlOf(request), env),
	},
	{
		method: "put",
		path: "/api/policy",
		summary: "Publish a policy document (validated first; recorded as a version)",
		tag: "policy",
		query: policyKeyQuery,
		body: PublishSchema,
		responses: { 200: { description: "Published", schema: Published } },
		errors: { 400: "an invalid document, naming the rule", 409: "the live policy changed meanwhile" },
		handler: (request, env) => putPolicy(request, env, request.caller),
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
		handler: (request, env) => validatePolicy(request, env),
	},
	{
		method: "post",
		path: "/api/policy/rollback",
		summary: "Publish an earlier version again",
		tag: "policy",
		query: policyKeyQuery,
		body: RollbackSchema,
		responses: { 200: { description: "Rolled back", schema: Published } },
		errors: { 400: "a bad body", 404: "no such version" },
		handler: (request, env) => rollbackPolicy(request, env, request.caller),
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
		handler: (request, env) => listPolicyVersions(urlOf(request), env),
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
		handler: (request, env) => getPolicyVersion(request.params.id, urlOf(request), env),
	},
];
