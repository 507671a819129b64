// Tencent's answer shape, used for every answer on the callback path (and errors everywhere).

/** The body Tencent expects: `ActionStatus`, `ErrorCode`, `ErrorInfo`. */
export interface Envelope {
	ActionStatus: "OK" | "FAIL";
	ErrorCode: number;
	ErrorInfo: string;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;

/** A JSON response with the right content type. */
export function jsonResponse(body: unknown, status = 200, headers?: HeadersInit): Response {
	return jsonTextResponse(JSON.stringify(body), status, headers);
}

/** The same for JSON already serialized (a document built into the Worker as text). */
export function jsonTextResponse(text: string, status = 200, headers?: HeadersInit): Response {
	const response = new Response(text, { status, headers: JSON_HEADERS });
	if (headers) for (const [name, value] of new Headers(headers)) response.headers.set(name, value);
	return response;
}

/** The answer to nearly every callback, serialized once. */
const OK_BODY = JSON.stringify({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } satisfies Envelope);

/** `200 {"ActionStatus":"OK","ErrorCode":errorCode,"ErrorInfo":errorInfo}`: the answer Tencent reads. */
export function okEnvelope(errorCode = 0, errorInfo = ""): Response {
	if (errorCode === 0 && errorInfo === "") return new Response(OK_BODY, { headers: JSON_HEADERS });
	return jsonResponse({ ActionStatus: "OK", ErrorCode: errorCode, ErrorInfo: errorInfo } satisfies Envelope);
}

/** `{"ActionStatus":"FAIL",…}` with an HTTP status that fits; `ErrorCode` mirrors the status. */
export function failEnvelope(status: number, errorInfo: string, headers?: HeadersInit): Response {
	return jsonResponse(
		{ ActionStatus: "FAIL", ErrorCode: status, ErrorInfo: errorInfo } satisfies Envelope,
		status,
		headers,
	);
}
