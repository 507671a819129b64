// The topic-creation policy, and the one way into src/policy/ (the import check refuses deeper imports from
// outside it). engine/ is the pure matcher (folding, readings, compiler, evaluator, compiled form),
// document/ the document's schema, limits and JSON positions; loader.ts does the KV I/O, decision-log.ts D1.
import { readConfig, soleApp } from "../config";
import { afterAnswer } from "../deadline";
import { errorMessage, log } from "../log";

import { logDecision } from "../store/decisions";
import { summarizePolicy } from "./engine/compile";
import { evaluateCreation } from "./engine/evaluate";
import type { CreationKind, CreationRequest, Verdict } from "./engine/types";
import { failModeDecision, type PolicyDecision } from "./fail-mode";
import { policyKey } from "./loader";
import { policyLoaders } from "./loaders";

export { POLICY_LIMITS } from "./document/limits";
export type { Outcome } from "./document/positions";
export {
	ENFORCEMENT_DEFAULTS,
	type PolicyDocument,
	PolicyDocumentSchema,
	TENCENT_NAME_MAX_BYTES,
	TEXT_FIELDS,
	type TextField,
} from "./document/schema";
export { compilePolicy, compilePolicyText, summarizePolicy } from "./engine/compile";
export { evaluateCreation, evaluateName, explainCreation } from "./engine/evaluate";
export {
	evaluateText,
	explainText,
	explainTextBy,
	judgesField,
	TENCENT_FIELD,
	TEXT_KEYS,
	type TextKey,
	textRules,
} from "./engine/texts";
export type {
	CompiledPolicy,
	CompiledRules,
	CreationKind,
	CreationRequest,
	JudgedField,
	Verdict,
} from "./engine/types";
export type { PolicyDecision } from "./fail-mode";
export { failModeDecision } from "./fail-mode";
export { lastKnownGoodKey, policyKey, policyLabel } from "./loader";
export { policyLoaders } from "./loaders";
export { publishPolicy, readAppPolicy, readLivePolicy } from "./publish";

/**
 * The before-callback a creation comes with, as its command module declares it (src/commands): its name, the
 * policy section that decides it and the fields holding the operator and the name.
 */
export interface CreationCallback {
	command: string;
	creation: CreationKind;
	userText: { operatorAccount: string; name: string };
}

/**
 * Decides a creation for the app `sdkAppId` (left out: the only configured one) with that app's policy.
 * Never throws. Never waits on D1 (the decision row is written via ctx.waitUntil), and waits on KV only
 * while the isolate has no policy at all (at most 1 s): once one is loaded it decides with it and
 * refreshes it behind the answer.
 */
export async function decideCreation(
	env: Env,
	ctx: ExecutionContext,
	callback: CreationCallback,
	request: CreationRequest,
	sdkAppId?: string,
): Promise<PolicyDecision> {
	const kind = callback.creation;
	const receivedAt = Date.now();
	let decision: PolicyDecision;
	let verdict: Verdict;
	try {
		const state = await policyLoaders(env).current(env, (work) => ctx.waitUntil(work), sdkAppId);
		if (state.policy === null) {
			const reason = state.liveProblem?.message ?? state.kvError ?? "no policy";
			decision = failModeDecision(env, `no good policy has ever been loaded (${reason})`);
			verdict = { ...decision, dryRun: false };
		} else {
			verdict = evaluateCreation(state.policy.compiled, kind, request);
			decision = {
				...(verdict.dryRun ? { allowed: true, errorCode: 0, errorInfo: "" } : verdict),
				rule: verdict.rule,
				dryRun: verdict.dryRun,
				policyVersion: state.policy.label,
				source: state.liveProblem === null ? "policy" : "last-known-good",
			};
			if (verdict.dryRun && !verdict.allowed) {
				const line = { name: request.name, rule: verdict.rule, errorCode: verdict.errorCode };
				afterAnswer(
					(work) => ctx.waitUntil(work),
					() => log("info", "policy.dry_run_refusal", line),
				);
			}
		}
	} catch (error) {
		decision = failModeDecision(env, `the policy failed: ${errorMessage(error)}`);
		verdict = { ...decision, dryRun: false };
	}
	logDecision(
		env.DB,
		{
			receivedAt,
			sdkAppId: decisionApp(env, sdkAppId),
			command: callback.command,
			request,
			verdict,
			policyVersion: decision.policyVersion,
			source: decision.source,
		},
		(work) => ctx.waitUntil(work),
	);
	return decision;
}

/** The app a decision row is kept under: the callback's, else the only configured one, else ''. */
function decisionApp(env: Env, sdkAppId: string | undefined): string {
	if (sdkAppId !== undefined) return sdkAppId;
	try {
		return soleApp(readConfig(env)) ?? "";
	} catch {
		return "";
	}
}

/**
 * The answer to a creation callback whose body is unusable (not JSON, or failing its schema): the fail
 * mode decides, since no rule can judge what cannot be read. Like every decision it gets a `decisions`
 * row, written after the answer, with whatever operator and name the body had ("" when none).
 */
export function decideUnusableCreation(
	env: Env,
	ctx: ExecutionContext,
	callback: CreationCallback,
	body: unknown,
	reason: string,
	sdkAppId?: string,
): PolicyDecision {
	const decision = failModeDecision(env, reason);
	const field = (key: string) => {
		const value =
			typeof body === "object" && body !== null ? (body as Record<string, unknown>)[key] : undefined;
		return typeof value === "string" ? value.slice(0, 1024) : "";
	};
	logDecision(
		env.DB,
		{
			receivedAt: Date.now(),
			sdkAppId: decisionApp(env, sdkAppId),
			command: callback.command,
			request: {
				operatorAccount: field(callback.userText.operatorAccount),
				name: field(callback.userText.name),
			},
			verdict: { ...decision, dryRun: false },
			policyVersion: null,
			source: decision.source,
		},
		(work) => ctx.waitUntil(work),
	);
	return decision;
}

/** Each app's policy as /healthz reports it: version, source and whether it is the app's own key. */
async function appPolicies(env: Env, apps: readonly string[]): Promise<Record<string, unknown>> {
	const entries = await Promise.all(
		apps.map(async (app) => {
			const state = await policyLoaders(env).inspect(env, app);
			const own = policyLoaders(env).loaderOf(app).hasOwn();
			const source = state.policy === null ? "none" : state.liveProblem === null ? "live" : "last-known-good";
			return [
				app,
				{ version: state.policy?.label ?? null, source, key: own ? policyKey(app) : policyKey(null) },
			];
		}),
	);
	return Object.fromEntries(entries);
}

/**
 * JSON-serializable status for GET /healthz: whether a policy is loaded, its version, its source
 * (live/last-known-good/none), the live value's current error with rule and position, the fail mode; where
 * several apps are configured, `apps`: each app's policy version and source, and whether it is its own key.
 * Never throws.
 */
export async function policyHealth(env: Env): Promise<Record<string, unknown>> {
	try {
		const state = await policyLoaders(env).inspect(env);
		const policy = state.policy;
		const apps = readConfig(env).sdkAppIds;
		return {
			...(apps.length > 1 ? { apps: await appPolicies(env, apps) } : {}),
			loaded: policy !== null,
			version: policy?.label ?? null,
			source: policy === null ? "none" : state.liveProblem === null ? "live" : "last-known-good",
			loadedAt: policy === null ? null : new Date(policy.loadedAt).toISOString(),
			error: state.liveProblem,
			kvError: state.kvError,
			failMode: readConfig(env).failMode,
			rules: policy === null ? null : summarizePolicy(policy.compiled),
		};
	} catch (error) {
		return {
			loaded: false,
			source: "none",
			error: { message: errorMessage(error) },
			failMode: readConfig(env).failMode,
		};
	}
}
