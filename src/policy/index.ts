// Topic-creation policy (first version): banned names, operator allow/deny lists, the refusal code.
import * as v from "valibot";
import { jsonResponse } from "../http/envelope";

export type CreationKind = "topic" | "group";
export interface CreationRequest {
	operatorAccount: string;
	name: string;
	type?: string | undefined;
}
export interface PolicyDecision {
	allowed: boolean;
	errorCode: number;
	errorInfo: string;
	rule: string | null;
	policyVersion: string | null;
	dryRun: boolean;
	source: "policy" | "last-known-good" | "fail-mode";
}

const refusalCode = v.union([
	v.literal(1),
	v.pipe(v.number(), v.integer(), v.minValue(10100), v.maxValue(10200)),
]);
const PolicyDocument = v.object({
	version: v.optional(v.string()),
	refusal: v.optional(v.object({ errorCode: refusalCode, errorInfo: v.optional(v.string(), "") }), {
		errorCode: 1,
		errorInfo: "",
	}),
	operators: v.optional(
		v.object({ allow: v.optional(v.array(v.string()), []), deny: v.optional(v.array(v.string()), []) }),
		{ allow: [], deny: [] },
	),
	names: v.optional(v.object({ banned: v.optional(v.array(v.string()), []) }), { banned: [] }),
});
type PolicyDocument = v.InferOutput<typeof PolicyDocument>;

async function loadPolicy(env: Env): Promise<PolicyDocument | string> {
	try {
		const text = await env.POLICY.get("policy");
		if (text === null) return "no policy under the KV key `policy`";
		const parsed = v.safeParse(PolicyDocument, JSON.parse(text));
		return parsed.success ? parsed.output : `invalid policy: ${parsed.issues[0]?.message}`;
	} catch (error) {
		return `policy unreadable: ${error instanceof Error ? error.message : String(error)}`;
	}
}

/** Decides a creation from the KV policy; never throws. */
export async function decideCreation(
	env: Env,
	_ctx: ExecutionContext,
	kind: CreationKind,
	request: CreationRequest,
): Promise<PolicyDecision> {
	const policy = await loadPolicy(env);
	if (typeof policy === "string") return failModeDecision(env, policy);
	const base = { policyVersion: policy.version ?? null, dryRun: false, source: "policy" as const };
	const refuse = (rule: string): PolicyDecision => ({
		allowed: false,
		errorCode: policy.refusal.errorCode,
		errorInfo: policy.refusal.errorInfo,
		rule,
		...base,
	});
	if (kind === "group") return { allowed: true, errorCode: 0, errorInfo: "", rule: null, ...base };
	if (policy.operators.deny.includes(request.operatorAccount)) return refuse("operators.deny");
	if (policy.operators.allow.length > 0 && !policy.operators.allow.includes(request.operatorAccount))
		return refuse("operators.allow");
	const name = request.name.toLowerCase();
	const banned = policy.names.banned.findIndex((entry) => name.includes(entry.toLowerCase()));
	if (banned >= 0) return refuse(`names.banned[${banned}]`);
	return { allowed: true, errorCode: 0, errorInfo: "", rule: null, ...base };
}

/** The answer when nothing usable decides: POLICY_FAIL_MODE open allows, closed refuses with 1. */
export function failModeDecision(env: Env, reason: string): PolicyDecision {
	const closed = env.POLICY_FAIL_MODE === "closed";
	console.error(JSON.stringify({ event: "policy.fail_mode", mode: closed ? "closed" : "open", reason }));
	return {
		allowed: !closed,
		errorCode: closed ? 1 : 0,
		errorInfo: "",
		rule: `fail-mode:${closed ? "closed" : "open"}`,
		policyVersion: null,
		dryRun: false,
		source: "fail-mode",
	};
}

/** Policy status for /healthz. */
export async function policyHealth(env: Env): Promise<Record<string, unknown>> {
	const policy = await loadPolicy(env);
	return typeof policy === "string"
		? { loaded: false, error: policy, failMode: env.POLICY_FAIL_MODE }
		: { loaded: true, version: policy.version ?? null, failMode: env.POLICY_FAIL_MODE };
}

/** POST /api/policy/check: the answer the callback would give. */
export async function handlePolicyCheck(
	request: Request,
	env: Env,
	ctx: ExecutionContext,
): Promise<Response> {
	const body = v.safeParse(
		v.object({ Operator_Account: v.string(), Name: v.string(), Type: v.optional(v.string()) }),
		await request.json().catch(() => null),
	);
	if (!body.success) return jsonResponse({ error: "body needs Operator_Account and Name" }, 400);
	const decision = await decideCreation(env, ctx, "topic", {
		operatorAccount: body.output.Operator_Account,
		name: body.output.Name,
		type: body.output.Type,
	});
	return jsonResponse({ ErrorCode: decision.errorCode, ErrorInfo: decision.errorInfo, rule: decision.rule });
}
