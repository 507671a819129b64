// POST /api/policy/backtest: which live topics a policy (a draft in the body, or the live one) would refuse
// by name, one page of `topics` per request (keyset paging on topic_id, so every page costs the same on a
// million topics); `"apply": true` also records and queues the enforcement of each refused topic.
import * as v from "valibot";
import { readConfig } from "../config";
import { tencentClient } from "../enforcement/actions";
import { applyBacktest, type LiveTopic, refusedTopics } from "../enforcement/backtest";
import { apiError } from "../http/api-error";
import { jsonResponse } from "../http/envelope";
import { type CompiledPolicy, policyLoader } from "../policy";
import { compileInlinePolicy } from "./policy-check";

/** Topics read per request by default, and at most: bounds the CPU and D1 work of one request. */
export const BACKTEST_DEFAULT_LIMIT = 500;
export const BACKTEST_MAX_LIMIT = 1_000;

/** The backtest request body. */
export const BacktestBodySchema = v.strictObject({
	policy: v.optional(
		v.union([v.string(), v.record(v.string(), v.unknown())], "must be a policy document or its JSON text"),
	),
	after: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1024))),
	limit: v.optional(
		v.pipe(
			v.number(),
			v.integer(`must be a whole number from 1 to ${BACKTEST_MAX_LIMIT}`),
			v.minValue(1, `must be a whole number from 1 to ${BACKTEST_MAX_LIMIT}`),
			v.maxValue(BACKTEST_MAX_LIMIT, `must be a whole number from 1 to ${BACKTEST_MAX_LIMIT}`),
		),
	),
	apply: v.optional(v.boolean("must be true or false")),
});

function badBody(field: string, message: string, detail?: Record<string, unknown>): Response {
	return apiError({ status: 400, message: `${field}: ${message}`, field, ...(detail ? { detail } : {}) });
}

/**
 * Body `{"policy"?, "after"?, "limit"?, "apply"?}` → `{"refused": […], "scanned", "next", "policyVersion",
 * "source", "applied"?}`. Pass `next` back as `after` until it is null. The caller has checked the admin token.
 */
export async function handleBacktest(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
	let json: unknown;
	try {
		json = await request.json();
	} catch {
		return badBody("body", "must be JSON");
	}
	const body = v.safeParse(BacktestBodySchema, json);
	if (!body.success) {
		const issue = body.issues[0];
		const field = issue?.path?.map((p) => p.key).join(".") || "body";
		return badBody(field, issue?.expected === "never" ? "unknown field" : (issue?.message ?? "invalid"));
	}
	const { policy: inline, after, limit = BACKTEST_DEFAULT_LIMIT, apply = false } = body.output;

	let policy: CompiledPolicy;
	let policyVersion: string;
	let source: string;
	if (inline !== undefined) {
		const compiled = compileInlinePolicy(inline);
		if (!compiled.ok) {
			const { message, rule, line, column } = compiled.problem;
			return badBody("policy", message, { rule, line, column });
		}
		policy = compiled.value;
		policyVersion = compiled.value.version ?? "inline";
		source = "inline";
	} else {
		const state = await policyLoader.current(env, (work) => ctx.waitUntil(work));
		if (state.policy === null)
			return apiError({
				status: 409,
				message: 'no usable policy is loaded; send one as "policy"',
				field: "policy",
			});
		policy = state.policy.compiled;
		policyVersion = state.policy.label;
		source = state.liveProblem === null ? "live" : "last-known-good";
	}

	const { results: rows } = await env.DB.prepare(
		"SELECT topic_id, group_id, name, deleted_at FROM topics WHERE topic_id > ?1 ORDER BY topic_id LIMIT ?2",
	)
		.bind(after ?? "", limit)
		.all<LiveTopic>();
	const refused = refusedTopics(policy, rows);
	const next = rows.length === limit ? (rows.at(-1)?.topic_id ?? null) : null;
	let applied: Awaited<ReturnType<typeof applyBacktest>> | undefined;
	if (apply) {
		const appOf = await sdkAppIdsOfTopics(
			env,
			refused.map((hit) => hit.topicId),
		);
		const fallback = readConfig(env).sdkAppIds[0] ?? "";
		applied = await applyBacktest(
			env,
			policy,
			policyVersion,
			refused,
			(topicId) => appOf.get(topicId) ?? fallback,
			(sdkAppId) => tencentClient(env, sdkAppId) !== null,
		);
	}
	return jsonResponse(
		{
			refused: refused.map((hit) => ({
				topic_id: hit.topicId,
				group_id: hit.groupId,
				name: hit.name,
				rule: hit.rule,
				error_code: hit.errorCode,
			})),
			scanned: rows.length,
			next,
			policyVersion,
			source,
			...(applied === undefined ? {} : { applied }),
		},
		200,
		{ "cache-control": "no-store" },
	);
}

/** The SdkAppid each topic's events arrived for (the ledger needs it to pick the key). */
async function sdkAppIdsOfTopics(env: Env, topicIds: string[]): Promise<Map<string, string>> {
	if (topicIds.length === 0) return new Map();
	const { results } = await env.DB.prepare(
		`SELECT t.value AS topic_id, (SELECT sdk_app_id FROM events WHERE topic_id = t.value ORDER BY id DESC LIMIT 1) AS sdk_app_id
		 FROM json_each(?1) AS t`,
	)
		.bind(JSON.stringify(topicIds))
		.all<{ topic_id: string; sdk_app_id: string | null }>();
	return new Map(
		results.flatMap((row) => (row.sdk_app_id === null ? [] : [[row.topic_id, row.sdk_app_id] as const])),
	);
}
