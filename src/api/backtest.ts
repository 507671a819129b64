// POST /api/policy/backtest: which live topics a policy (a draft in the body, or the live one) would refuse
// by name or by text, one page of `topics` per request (keyset paging on topic_id, so every page costs the
// same on a million topics). A run of the live policy returns a preview token; `"apply": true` with that
// token records and queues the enforcement of each refused topic of the same page. A draft cannot be applied.
import * as v from "valibot";
import type { AdminCaller } from "../auth/admin-auth";
import { readConfig } from "../config";
import { sha256Hex } from "../crypto";
import {
	applyBacktest,
	countActions,
	previewedHit,
	refusedGroups,
	refusedTopics,
} from "../enforcement/backtest";
import { checkPreview, issuePreview, PREVIEW_TTL_MS } from "../enforcement/preview";
import { tencentClient } from "../enforcement/tencent-calls";
import { apiError } from "../http/api-error";
import { NO_STORE, readJsonBody } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { type CompiledPolicy, policyLabel, policyLoaders, readAppPolicy } from "../policy";
import { groupsAfter } from "../store/groups";
import { topicsAfter } from "../store/topics";
import { policyBodyLimit } from "./policy";
import { compileInlinePolicy } from "./policy-check";
import { appParam, configuredApp } from "./query";
import type { ApiRoute } from "./route";
import { nullable } from "./shapes";

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
	previewToken: v.optional(v.pipe(v.string("must be a string"), v.minLength(1), v.maxLength(2048))),
	app: appParam,
	target: v.optional(v.picklist(["topics", "groups"], "must be topics or groups"), "topics"),
});

function badBody(field: string, message: string, detail?: Record<string, unknown>): Response {
	return apiError({ status: 400, message: `${field}: ${message}`, field, ...(detail ? { detail } : {}) });
}

/**
 * Body `{"policy"?, "after"?, "limit"?, "apply"?, "previewToken"?, "app"?, "target"?}` → `{"refused": […], "scanned", "next",
 * "policyVersion", "source", "preview"?, "applied"?}`. Pass `next` back as `after` until it is null. A run
 * of the live policy without `apply` returns `preview` (`token`, `expiresAt`, `counts`); apply needs that
 * token, for the same page, within 10 minutes and while the same policy is live (else 409). The caller has
 * checked the admin token and is recorded on every action apply queues.
 */
export async function handleBacktest(
	request: Request,
	env: Env,
	ctx: ExecutionContext,
	caller: AdminCaller,
): Promise<Response> {
	const body = await readJsonBody(request, BacktestBodySchema, policyBodyLimit(env));
	if (!body.ok) return apiError(body.problem);
	const { policy: inline, after, limit = BACKTEST_DEFAULT_LIMIT, apply = false, previewToken } = body.value;
	// A backtest judges the topics of one app, with that app's policy.
	const named = configuredApp(env, body.value.app);
	if (!named.ok) return apiError(named.problem);
	const apps = readConfig(env).sdkAppIds;
	const app = named.value ?? (apps.length === 1 ? (apps[0] as string) : undefined);
	if (app === undefined)
		return badBody("app", `is required when several SdkAppids are configured (${apps.join(", ")})`);
	if (apply && inline !== undefined)
		return badBody(
			"apply",
			"a draft can be backtested but not applied: publish it, then backtest and apply the live policy",
		);
	if (apply && previewToken === undefined)
		return badBody(
			"previewToken",
			"apply needs the preview token of a backtest of the same page: run it without apply first",
		);

	let policy: CompiledPolicy;
	let policyVersion: string;
	let source: string;
	let liveHash: string | null = null;
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
		// The live policy is the KV value itself, not this isolate's copy (refreshed once a minute): a publish
		// from any isolate is what the next backtest judges with, and what makes an older preview stale.
		const [state, live] = await Promise.all([
			policyLoaders(env).current(env, (work) => ctx.waitUntil(work), app),
			readAppPolicy(env, app),
		]);
		const fresh =
			live.text !== null && live.hash !== state.policy?.hash ? compileInlinePolicy(live.text) : null;
		if (fresh?.ok) {
			policy = fresh.value;
			policyVersion = policyLabel(fresh.value.version, live.hash ?? "");
			source = "live";
			liveHash = live.hash;
		} else if (state.policy === null)
			return apiError({
				status: 409,
				message: 'no usable policy is loaded; send one as "policy"',
				field: "policy",
			});
		else {
			policy = state.policy.compiled;
			policyVersion = state.policy.label;
			// The same text as KV's (a different one was compiled above, unless it is broken).
			const isLive = state.liveProblem === null && live.hash === state.policy.hash;
			source = isLive ? "live" : "last-known-good";
			if (isLive) liveHash = state.policy.hash;
		}
	}
	if (apply && liveHash === null)
		return apiError({
			status: 409,
			message:
				"the live policy is not usable (the last known good one decides): apply acts only with the live, published policy",
			field: "policy",
		});

	const groups = body.value.target === "groups";
	const [refused, scanned, last] = groups
		? await groupsAfter(env.DB, app, after ?? "", limit).then(
				(rows) => [refusedGroups(policy, rows), rows.length, rows.at(-1)?.group_id] as const,
			)
		: await topicsAfter(env.DB, app, after ?? "", limit).then(
				(rows) => [refusedTopics(policy, rows), rows.length, rows.at(-1)?.topic_id] as const,
			);
	const next = scanned === limit ? (last ?? null) : null;
	const counts = countActions(policy, refused);
	// The refused topics and names (and texts) a preview shows, hashed only where a preview is made or checked.
	const hits = liveHash === null ? "" : await sha256Hex(JSON.stringify(refused.map(previewedHit)));
	const page = {
		policyHash: liveHash ?? "",
		after: groups ? `${app}:groups:${after ?? ""}` : `${app}:${after ?? ""}`,
		limit,
		counts,
		hits,
	};
	const secret = readConfig(env).adminToken ?? "";
	let applied: Awaited<ReturnType<typeof applyBacktest>> | undefined;
	let preview: { token: string; expiresAt: number; counts: typeof counts } | undefined;
	if (apply) {
		const checked = await checkPreview(secret, previewToken ?? "", page, Date.now());
		if (!checked.ok)
			return checked.problem.kind === "stale"
				? apiError({
						status: 409,
						message: `previewToken: ${checked.problem.message}`,
						field: "previewToken",
					})
				: badBody("previewToken", checked.problem.message);
		applied = await applyBacktest(
			env,
			policy,
			policyVersion,
			caller.name,
			refused,
			app,
			tencentClient(env, app) !== null,
		);
	} else if (liveHash !== null) {
		const issuedAt = Date.now();
		preview = {
			token: await issuePreview(secret, { ...page, issuedAt }),
			expiresAt: issuedAt + PREVIEW_TTL_MS,
			counts,
		};
	}
	return jsonResponse(
		{
			refused: refused.map((hit) => ({
				// Communities only (`"target": "groups"`): a topic's entry stays as it was.
				...(hit.target === "group" ? { target: "group" } : {}),
				topic_id: hit.topicId,
				group_id: hit.groupId,
				field: hit.field,
				name: hit.name,
				rule: hit.rule,
				error_code: hit.errorCode,
			})),
			scanned,
			next,
			policyVersion,
			source,
			...(preview === undefined ? {} : { preview }),
			...(applied === undefined ? {} : { applied }),
		},
		200,
		NO_STORE,
	);
}

/** The backtest of a policy against the live topics, and its apply. */
export const backtestRoutes: ApiRoute[] = [
	{
		method: "post",
		path: "/api/policy/backtest",
		summary:
			"Which live topics (or communities) a policy (a draft, or the live one) would refuse by name or text, one page per request",
		description:
			'Pass `next` back as `after` until it is null. A run of the live policy returns `preview` (a token bound to the live policy and to the counts of actions, valid 10 minutes). `"apply": true` with that `previewToken` and the same `after` and `limit` records each refused topic in the enforcement ledger and queues its action, confirmed with Tencent and capped per hour (docs/enforcement.md). A draft is never applied. `"target": "groups"` judges the communities (the view `groups`) instead of the topics, by group ID.',
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
		handler: (request, env, ctx) => handleBacktest(request, env, ctx, request.caller),
	},
];
