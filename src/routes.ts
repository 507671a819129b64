// The route table: which path and method go where, and one error handler for every failure. It sits at the
// top, above every feature it reaches, so the HTTP edge below (`http/`) imports none of them.
import { type IRequest, Router } from "itty-router";
import { countRefusals, listDecisions } from "./api/decisions";
import { listEvents, listGroupEvents } from "./api/events";
import {
	getLivePolicy,
	getPolicyVersion,
	listPolicyVersions,
	putPolicy,
	rollbackPolicy,
	validatePolicy,
} from "./api/policy";
import { dismissQuarantined, getQuarantined, listQuarantine, replayQuarantined } from "./api/quarantine";
import { currentSession, signIn, signOut } from "./api/session";
import { getTopic, listGroupTopics, searchTopics } from "./api/topics";
import { type AdminCaller, authenticateAdmin } from "./auth/admin-auth";
import { receiveCallback } from "./callbacks/receive";
import { commandModule } from "./callbacks/registry";
import { serveConsole } from "./console/page";
import { health } from "./health";
import { apiError } from "./http/api-error";
import { discardBody } from "./http/body";
import { failEnvelope, okEnvelope } from "./http/envelope";
import { errorMessage, log } from "./log";
import { failModeDecision, handlePolicyCheck } from "./policy";

type Args = [Env, ExecutionContext];

/** The fail-mode answer (200) of a before-callback; allows, as Tencent would, if even the env is unreadable. */
function failModeAnswer(env: Env, reason: string): Response {
	try {
		const decision = failModeDecision(env, reason);
		return decision.allowed ? okEnvelope() : okEnvelope(decision.errorCode, decision.errorInfo);
	} catch {
		return okEnvelope();
	}
}
type EdgeRequest = IRequest & { requestId: string; caller: AdminCaller };

/**
 * Requires the admin bearer token or a console session (with its CSRF header on state-changing calls);
 * answers the refusal, or records the caller and answers nothing to let the route run.
 */
async function requireAdmin(request: EdgeRequest, env: Env): Promise<Response | undefined> {
	const auth = await authenticateAdmin(request, env);
	if (auth.ok) {
		request.caller = auth.caller;
		return undefined;
	}
	log("warn", "api.unauthorized", { requestId: request.requestId, reason: auth.reason });
	return apiError(
		{ status: auth.status, message: auth.reason },
		auth.status === 401 ? { "www-authenticate": "Bearer" } : {},
	);
}

/** The 405 of an /api path asked with a method it does not answer. */
function allowOnly(...methods: ("GET" | "POST" | "DELETE")[]): () => Response {
	return () =>
		apiError(
			{ status: 405, message: `this path answers ${methods.join(" or ")} only` },
			{ allow: methods.join(", ") },
		);
}

/** Whether the request is for the read API (answered in its JSON error shape, not Tencent's envelope). */
function isApiPath(request: Request): boolean {
	return new URL(request.url).pathname.startsWith("/api/");
}

/** The Worker's router. Every answer is JSON; only an unexpected exception gives a 5xx. */
export const router = Router<EdgeRequest, Args>({
	before: [
		(request) => {
			request.requestId = request.headers.get("cf-ray") ?? crypto.randomUUID();
		},
	],
	catch: (error, request, env) => {
		const command = new URL(request.url).searchParams.get("CallbackCommand");
		log("error", "request.failed", {
			requestId: (request as EdgeRequest).requestId,
			command,
			error: errorMessage(error),
			stack: error instanceof Error ? error.stack : undefined,
		});
		// Tencent counts a non-200 before-callback as failed and then applies its own console default;
		// answering the configured fail mode keeps POLICY_FAIL_MODE in charge even here.
		if (request.method === "POST" && command && commandModule(command)?.kind === "before")
			return failModeAnswer(env, `exception: ${errorMessage(error)}`);
		return isApiPath(request)
			? apiError({ status: 500, message: "internal error" })
			: failEnvelope(500, "internal error");
	},
	// A body no handler read (a refused /api request, a 404, a 405) is drained so the answer reaches the client.
	finally: [
		async (response: Response, request: EdgeRequest) => {
			await discardBody(request);
			return response;
		},
	],
})
	.post("/", (request, env, ctx) => receiveCallback(request, env, ctx, request.requestId))
	.all("/", () => failEnvelope(405, "callbacks are POST /", { allow: "POST" }))
	.get("/healthz", (_request, env) => health(env))
	.get("/admin", serveConsole)
	.get("/admin/*", serveConsole)
	.post("/api/session", (request, env) => signIn(request, env))
	.get("/api/session", (request, env) => currentSession(request, env))
	.delete("/api/session", () => signOut())
	.all("/api/*", requireAdmin)
	// Each /api path: its handler, then a 405 naming the method it answers.
	.post("/api/policy/check", (request, env, ctx) => handlePolicyCheck(request, env, ctx))
	.all("/api/policy/check", allowOnly("POST"))
	.get("/api/policy", (request, env) => getLivePolicy(new URL(request.url), env))
	.put("/api/policy", (request, env) => putPolicy(request, env, request.caller))
	.post("/api/policy/validate", (request) => validatePolicy(request))
	.post("/api/policy/rollback", (request, env) => rollbackPolicy(request, env, request.caller))
	.get("/api/policy/versions", (request, env) => listPolicyVersions(new URL(request.url), env))
	.get("/api/policy/versions/:id", (request, env) =>
		getPolicyVersion(request.params.id, new URL(request.url), env),
	)
	.get("/api/topics", (request, env) => searchTopics(new URL(request.url), env))
	.get("/api/topics/:topicId", (request, env) => getTopic(request.params.topicId, new URL(request.url), env))
	.all("/api/topics/:topicId", allowOnly("GET"))
	.get("/api/groups/:groupId/topics", (request, env) =>
		listGroupTopics(request.params.groupId, new URL(request.url), env),
	)
	.all("/api/groups/:groupId/topics", allowOnly("GET"))
	.get("/api/groups/:groupId/events", (request, env) =>
		listGroupEvents(request.params.groupId, new URL(request.url), env),
	)
	.all("/api/groups/:groupId/events", allowOnly("GET"))
	.get("/api/events", (request, env) => listEvents(new URL(request.url), env))
	.all("/api/events", allowOnly("GET"))
	.get("/api/quarantine", (request, env) => listQuarantine(new URL(request.url), env))
	.all("/api/quarantine", allowOnly("GET"))
	.get("/api/quarantine/:id", (request, env) => getQuarantined(request.params.id, new URL(request.url), env))
	.delete("/api/quarantine/:id", (request, env) =>
		dismissQuarantined(request.params.id, env, request.requestId),
	)
	.all("/api/quarantine/:id", allowOnly("GET", "DELETE"))
	.post("/api/quarantine/:id/replay", (request, env) =>
		replayQuarantined(request.params.id, env, request.requestId),
	)
	.all("/api/quarantine/:id/replay", allowOnly("POST"))
	.get("/api/decisions", (request, env) => listDecisions(new URL(request.url), env))
	.all("/api/decisions", allowOnly("GET"))
	.get("/api/decisions/refusals", (request, env) => countRefusals(new URL(request.url), env))
	.all("/api/*", () => apiError({ status: 404, message: "no such /api path" }))
	.all("*", () => failEnvelope(404, "not found"));
