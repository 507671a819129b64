// The route table: which path and method go where, and one error handler for every failure. It sits at the
// top, above every feature it reaches, so the HTTP edge below (`http/`) imports none of them.
import { Router } from "itty-router";
import { API_ROUTES, type ApiHandler, type ApiRequest, type ApiRoute } from "./api";
import { adminRefusalResponse, authenticateAdmin } from "./auth/admin-auth";
import { attemptSource } from "./auth/attempt-limit";
import { receiveCallback } from "./callbacks/receive";
import { commandModule } from "./commands";
import { configProblem, readConfig } from "./config";
import { serveConsole } from "./console/page";
import { health } from "./health";
import { apiError } from "./http/api-error";
import { discardBody } from "./http/body";
import { failEnvelope, okEnvelope } from "./http/envelope";
import { errorMessage, log } from "./log";
import { failModeDecision } from "./policy";

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
type EdgeRequest = ApiRequest;

/**
 * Requires the admin bearer token or a console session (with its CSRF header on state-changing calls);
 * answers the refusal, or records the caller and answers nothing to let the route run.
 */
async function requireAdmin(request: EdgeRequest, env: Env): Promise<Response | undefined> {
	const auth = await authenticateAdmin(request, readConfig(env), attemptSource(request, env));
	if (auth.ok) {
		request.caller = auth.value;
		return undefined;
	}
	log("warn", "api.unauthorized", {
		requestId: request.requestId,
		status: auth.problem.status,
		reason: auth.problem.message,
	});
	return adminRefusalResponse(auth.problem);
}

/** A method an /api path can answer. */
export type ApiMethod = "GET" | "POST" | "PUT" | "DELETE";
/** One /api path (itty-router pattern) and the handler of each method it answers. */
interface ApiPath {
	path: string;
	admin: boolean;
	methods: Partial<Record<ApiMethod, ApiHandler>>;
}

/** The methods a path answers, as `Allow` names them: HEAD wherever GET is (the router answers it as GET). */
function allowedMethods(methods: string[]): string[] {
	return methods.includes("GET") ? [...methods, "HEAD"] : methods;
}

/**
 * The 405 of a path asked with a method it does not answer (an /api path, /healthz, the console): the /api
 * error shape, and `Allow`.
 */
function allowOnly(methods: string[]): () => Response {
	const allowed = allowedMethods(methods);
	return () =>
		apiError(
			{ status: 405, message: `this path answers ${allowed.join(" or ")} only` },
			{ allow: allowed.join(", ") },
		);
}

/**
 * The routes of api/index.ts by path, in itty-router's form (`{id}` → `:id`), in the order first given.
 * Public paths and admin paths stay apart: a path is one or the other.
 */
function apiPaths(routes: readonly ApiRoute[]): ApiPath[] {
	const byPath = new Map<string, ApiPath>();
	for (const route of routes) {
		const path = route.path.replace(/\{(\w+)\}/g, ":$1");
		const admin = route.public !== true;
		const entry = byPath.get(path) ?? { path, admin, methods: {} };
		if (entry.admin !== admin) throw new Error(`${route.path}: public and admin methods on one path`);
		entry.methods[route.method.toUpperCase() as ApiMethod] = route.handler;
		byPath.set(path, entry);
	}
	return [...byPath.values()];
}

const API_PATH_TABLE = apiPaths(API_ROUTES);

/** Every /api path and the methods it answers (any other method gets 405 with `Allow`), for docs and tests. */
export const API_PATHS: readonly { path: string; methods: ApiMethod[]; admin: boolean }[] =
	API_PATH_TABLE.map(({ path, methods, admin }) => ({
		path,
		methods: Object.keys(methods) as ApiMethod[],
		admin,
	}));

/** Adds each path's handlers, then the 405 for every other method on it. */
function addApiRoutes(router: typeof base, paths: ApiPath[]): typeof base {
	for (const { path, methods } of paths) {
		for (const [method, handler] of Object.entries(methods) as [ApiMethod, ApiHandler][])
			router[method.toLowerCase() as "get" | "post" | "put" | "delete"](path, handler);
		router.all(path, allowOnly(Object.keys(methods)));
	}
	return router;
}

/** Whether the request is for the read API (answered in its JSON error shape, not Tencent's envelope). */
function isApiPath(request: Request): boolean {
	return new URL(request.url).pathname.startsWith("/api/");
}

/** The id of a request in the logs: Cloudflare's Ray ID, or a random one (locally). */
function requestIdOf(request: Request): string {
	return request.headers.get("cf-ray") ?? crypto.randomUUID();
}

/** The answer to an exception no handler caught, logged with its stack. */
function unexpectedFailure(error: unknown, request: Request, requestId: string, env: Env): Response {
	const command = new URL(request.url).searchParams.get("CallbackCommand");
	log("error", "request.failed", {
		requestId,
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
}

/** The callback path: `/`, which the route table's `/` also matches as `//` and so on. */
const CALLBACK_PATH = /^\/+$/;

/**
 * `POST /`, a callback from Tencent: the one path under load. It bypasses the route table (which parses
 * the URL and its query once more, and awaits each of its stages) with the same handling: a request id,
 * the exception answer, the unread body drained.
 */
async function answerCallback(
	request: Request,
	params: URLSearchParams,
	env: Env,
	ctx: ExecutionContext,
): Promise<Response> {
	const requestId = requestIdOf(request);
	let answer: Response;
	try {
		// An invalid var callbacks depend on refuses every callback (503 naming it) rather than guessing.
		const problem = configProblem(readConfig(env), "callbacks");
		answer = problem
			? failEnvelope(503, problem.message)
			: await receiveCallback(request, env, ctx, requestId, params);
	} catch (error) {
		answer = unexpectedFailure(error, request, requestId, env);
	}
	await discardBody(request);
	return answer;
}

/** The Worker's router, before its routes. Every answer is JSON; only an unexpected exception gives a 5xx. */
const base = Router<EdgeRequest, Args>({
	before: [
		(request) => {
			request.requestId = requestIdOf(request);
		},
	],
	catch: (error, request, env) => unexpectedFailure(error, request, (request as EdgeRequest).requestId, env),
	// A body no handler read (a refused /api request, a 404, a 405) is drained so the answer reaches the client.
	finally: [
		async (response: Response, request: EdgeRequest) => {
			await discardBody(request);
			return response;
		},
	],
});

// `POST /` never reaches the table (see answerCallback); every other method on `/` does.
base
	.all("/", () => failEnvelope(405, "callbacks are POST /", { allow: "POST" }))
	.get("/healthz", (request, env) => health(request, env))
	.all("/healthz", allowOnly(["GET"]))
	.get("/admin", serveConsole)
	.get("/admin/*", serveConsole)
	.all("/admin", allowOnly(["GET"]))
	.all("/admin/*", allowOnly(["GET"]));
addApiRoutes(
	base,
	API_PATH_TABLE.filter((path) => !path.admin),
);
base.all("/api/*", requireAdmin);
addApiRoutes(
	base,
	API_PATH_TABLE.filter((path) => path.admin),
);
base
	.all("/api/*", () => apiError({ status: 404, message: "no such /api path" }))
	.all("*", () => failEnvelope(404, "not found"));

/**
 * GET's answer without its body: the same status and headers, `Content-Length` included (HTTP's HEAD). The
 * body is read to count it: every GET answer here is bounded (a page of JSON, at most a few MiB, or a console
 * file).
 */
async function headAnswer(answer: Response): Promise<Response> {
	const headers = new Headers(answer.headers);
	if (answer.body !== null) headers.set("content-length", String((await answer.arrayBuffer()).byteLength));
	return new Response(null, { status: answer.status, statusText: answer.statusText, headers });
}

/**
 * The Worker's route table: callbacks, /healthz, the console, and every /api path. HEAD is answered as GET
 * without the body, so every GET route answers it and every 405 that allows GET allows HEAD.
 */
export const router = {
	routes: base.routes,
	fetch: async (request: Request, env: Env, ctx: ExecutionContext): Promise<Response> => {
		if (request.method === "POST") {
			const url = new URL(request.url);
			if (CALLBACK_PATH.test(url.pathname)) return answerCallback(request, url.searchParams, env, ctx);
		}
		return request.method === "HEAD"
			? headAnswer(await base.fetch(new Request(request, { method: "GET" }), env, ctx))
			: base.fetch(request, env, ctx);
	},
};
