// The one error shape of /api. Callbacks (POST /) keep Tencent's envelope (`envelope.ts`): Tencent reads
// ActionStatus/ErrorCode/ErrorInfo there; an operator's script reads this.
import { jsonResponse } from "./envelope";

/** Every status an /api error is answered with, and its `code`: a stable word a client can branch on. */
export const API_ERROR_CODES = {
	400: "bad_request",
	401: "unauthorized",
	403: "forbidden",
	404: "not_found",
	405: "method_not_allowed",
	409: "conflict",
	413: "payload_too_large",
	415: "unsupported_media_type",
	422: "unprocessable",
	429: "too_many_requests",
	500: "internal",
	503: "unavailable",
} as const;

/** An /api error status. */
export type ApiErrorStatus = keyof typeof API_ERROR_CODES;

/** Why an /api request failed, before it becomes a response. */
export interface ApiProblem {
	status: ApiErrorStatus;
	/** A sentence for a person, naming the field when there is one. */
	message: string;
	/** The query parameter, path segment or body field at fault (`limit`, `topicId`, `Name`, `policy`). */
	field?: string;
	/** Further machine-readable facts, e.g. a policy problem's `rule`, `line` and `column`. */
	detail?: Record<string, unknown>;
}

/**
 * The body of every /api error, whatever the status (400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503):
 *
 * ```json
 * {"error": {"code": "bad_request", "message": "limit: must be a whole number from 1 to 1000", "field": "limit"}}
 * ```
 *
 * `code` is `API_ERROR_CODES[status]`; `field` and `detail` appear only when there is one. docs/sync.md ("Errors") documents it.
 */
export interface ApiErrorBody {
	error: {
		code: (typeof API_ERROR_CODES)[ApiErrorStatus];
		message: string;
		field?: string;
		detail?: Record<string, unknown>;
	};
}

/** The body of an /api error (see {@link ApiErrorBody}). */
export function apiErrorBody(problem: ApiProblem): ApiErrorBody {
	return {
		error: {
			code: API_ERROR_CODES[problem.status],
			message: problem.message,
			...(problem.field === undefined ? {} : { field: problem.field }),
			...(problem.detail === undefined ? {} : { detail: problem.detail }),
		},
	};
}

/**
 * The answer to a failed /api request: {@link ApiErrorBody} with the problem's status, never cached.
 *
 * @example
 * return apiError({ status: 404, message: "topic not found", field: "topicId" });
 */
export function apiError(problem: ApiProblem, headers?: HeadersInit): Response {
	const response = jsonResponse(apiErrorBody(problem), problem.status, headers);
	response.headers.set("cache-control", "no-store");
	return response;
}
