// What one /api route is: its method and path, who may call it, its query, body and response schemas (for
// the OpenAPI document, `npm run openapi`) and its handler. Each api/*.ts file exports the routes it serves;
// api/index.ts lists them, routes.ts maps the list, and the document is generated from the same list.
import type { IRequest } from "itty-router";
import type * as v from "valibot";
import type { AdminCaller } from "../auth/admin-auth";

type Schema = v.GenericSchema;

/** A request as the route table hands it over: its id in the logs and, behind the admin check, its caller. */
export type ApiRequest = IRequest & { requestId: string; caller: AdminCaller };

/** What answers one method of one path. */
export type ApiHandler = (
	request: ApiRequest,
	env: Env,
	ctx: ExecutionContext,
) => Response | Promise<Response>;

/** One /api operation as the OpenAPI document describes it. */
export interface ApiOperation {
	method: "get" | "post" | "put" | "delete";
	/** The OpenAPI path, with `{name}` for path parameters, e.g. `/api/groups/{groupId}/events`. */
	path: string;
	summary: string;
	description?: string;
	/** Groups operations in viewers (e.g. "history", "quarantine", "policy"). */
	tag: string;
	/** Path parameters: name → description (all strings, percent-encoded by the client). */
	pathParameters?: Record<string, string>;
	/** The route's own query shape, the same object it passes to readQuery: name → valibot schema. */
	query?: Record<string, Schema>;
	/** The JSON request body's valibot schema. */
	body?: Schema;
	/** Success responses by status: a description and the JSON body's valibot schema. */
	responses: Record<number, { description: string; schema?: Schema }>;
	/** Error statuses this operation answers besides 401/429/503 (common to every admin route), by status. */
	errors?: Record<number, string>;
	/** True for the few operations that need no admin token. */
	public?: boolean;
}

/** One /api route: the operation and the handler that serves it. */
export interface ApiRoute extends ApiOperation {
	handler: ApiHandler;
}

/** What every /api error answer looks like (see docs/sync.md), for the document's components. */
export interface ApiErrorShape {
	schema: Schema;
	description: string;
}

/** The request's URL, parsed. */
export const urlOf = (request: Request): URL => new URL(request.url);
