// Reads a request body up to a byte limit without ever holding more than the limit in memory, and drains
// the bodies it refuses so the refusal reaches the client.
import * as v from "valibot";
import { fitsInUtf8Bytes } from "../crypto";
import { withinDeadline } from "../deadline";
import { jsonDepthExceeds } from "../json";
import { errorMessage } from "../log";
import { ok, type Result, refused } from "../result";
import type { ApiProblem } from "./api-error";

/** One decoder for every body: decoding a whole buffer keeps no state between calls. */
const utf8 = new TextDecoder();

/** Why a body could not be read. */
export type BodyReadFailure = { kind: "too-large"; limit: number } | { kind: "unreadable"; message: string };

/**
 * How many bytes of a refused body are read and dropped before answering. An HTTP server that answers and
 * closes while the client is still sending makes the client's TCP stack drop the answer (the client sees
 * a reset, curl exits 56, fetch says "terminated"); reading the rest first, as nginx's lingering close
 * does, lets the 413 or 401 arrive. Past this many bytes the stream is cancelled: the connection closes
 * and a client still sending may miss the answer, which bounds what one request can make the Worker read.
 */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/** How long a refused body is drained at most, so a client trickling bytes cannot hold the request open. */
export const DRAIN_DEADLINE_MS = 10_000;

/** What draining a refused body did: bytes dropped, and whether the stream was read to its end. */
export interface DrainOutcome {
	bytes: number;
	complete: boolean;
}

/**
 * Reads and drops the rest of a stream, up to `limit` bytes and `deadlineMs`; cancels it past either bound.
 * Never throws: a broken stream counts as drained as far as it went.
 */
export async function drainStream(
	reader: ReadableStreamDefaultReader<Uint8Array>,
	limit = DRAIN_LIMIT_BYTES,
	deadlineMs = DRAIN_DEADLINE_MS,
): Promise<DrainOutcome> {
	let bytes = 0;
	const readToEnd = async (): Promise<boolean> => {
		for (;;) {
			const next = await reader.read();
			if (next.done) return true;
			bytes += next.value.byteLength;
			if (bytes > limit) return false;
		}
	};
	const complete = await withinDeadline(readToEnd(), deadlineMs, "draining the body").catch(() => false);
	if (!complete) await reader.cancel().catch(() => {});
	return { bytes, complete };
}

/**
 * The body as text, or why not. A body with a `content-length` within `limit` is read in one go; one over
 * `limit` (by `content-length` or, without one, by counting bytes as they stream in) is never held in memory: the rest is drained (see `DRAIN_LIMIT_BYTES`) so the caller's 413
 * reaches the client.
 *
 * @example
 * const body = await readBodyWithLimit(request, 1_048_576);
 * if (typeof body !== "string") return failEnvelope(413, "body over 1 MiB");
 */
export async function readBodyWithLimit(request: Request, limit: number): Promise<string | BodyReadFailure> {
	if (!request.body) return "";
	const length = request.headers.get("content-length");
	const declared = length === null ? Number.NaN : Number(length);
	if (Number.isFinite(declared) && declared * 3 <= limit) {
		// One native read and decode, the cheapest there is, for the common case (Tencent's bodies all declare
		// a length far under the limit). Over a socket the runtime frames the body by Content-Length; a caller
		// inside the runtime (a service binding) can declare less than it sends, so the size is checked again
		// on the text: a UTF-8 byte decodes to at most one UTF-16 unit, and re-encoding gives at most three
		// bytes per byte received, so a body that really is within `declared` never fails the check.
		try {
			const text = await request.text();
			if (fitsInUtf8Bytes(text, limit)) return text;
			return { kind: "too-large", limit };
		} catch (error) {
			return { kind: "unreadable", message: errorMessage(error) };
		}
	}
	if (Number.isFinite(declared) && declared <= limit) {
		// A large declared body: read in one go and measured exactly in bytes before decoding.
		try {
			const bytes = await request.arrayBuffer();
			if (bytes.byteLength > limit) return { kind: "too-large", limit };
			return utf8.decode(bytes);
		} catch (error) {
			return { kind: "unreadable", message: errorMessage(error) };
		}
	}
	const reader = request.body.getReader();
	if (Number.isFinite(declared) && declared > limit) {
		await drainStream(reader);
		return { kind: "too-large", limit };
	}
	const chunks: Uint8Array[] = [];
	let size = 0;
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > limit) {
				await drainStream(reader, DRAIN_LIMIT_BYTES - size);
				return { kind: "too-large", limit };
			}
			chunks.push(value);
		}
	} catch (error) {
		return { kind: "unreadable", message: errorMessage(error) };
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	// Invalid UTF-8 becomes U+FFFD rather than an exception; the JSON parser then judges the text.
	return utf8.decode(bytes);
}

/**
 * Drains a body the answer does not need (a refused or unrouted request), so the answer reaches the client;
 * bounded like every drain. A body already read or being read is left alone.
 */
export async function discardBody(request: Request): Promise<void> {
	if (!request.body || request.bodyUsed || request.body.locked) return;
	await drainStream(request.body.getReader());
}

/**
 * Deepest nesting of arrays and objects accepted in a callback body. Tencent's bodies nest three levels;
 * SQLite's JSON functions refuse documents nested over 1000 levels, and one such stored payload would make
 * every `json_extract` over `events` fail.
 */
export const MAX_JSON_DEPTH = 64;

/** The message of a body that is not JSON (named like every field: `<field>: <message>`). */
export const NOT_JSON = "body: must be JSON";

/** `cache-control` of every /api answer: nothing the admin API says may be kept by a cache. */
export const NO_STORE = { "cache-control": "no-store" } as const;

/**
 * Reads an /api request's JSON body against a valibot schema, at most `limit` bytes: the value, or the
 * problem to answer: 413 over the limit (the rest drained), 400 unreadable, nested deeper than
 * {@link MAX_JSON_DEPTH}, not JSON (field `body`), or failing the schema, naming the field
 * (`"<field>: <message>"`; an unknown field of a strict object is "unknown field").
 */
export async function readJsonBody<S extends v.GenericSchema>(
	request: Request,
	schema: S,
	limit: number,
): Promise<Result<v.InferOutput<S>, ApiProblem>> {
	const text = await readBodyWithLimit(request, limit);
	if (typeof text !== "string")
		return refused(
			text.kind === "too-large"
				? { status: 413, message: `body is larger than ${text.limit} bytes` }
				: { status: 400, message: `body could not be read: ${text.message}` },
		);
	if (jsonDepthExceeds(text, MAX_JSON_DEPTH))
		return refused({ status: 400, message: `body nests deeper than ${MAX_JSON_DEPTH} levels` });
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return refused({ status: 400, message: NOT_JSON, field: "body" });
	}
	const parsed = v.safeParse(schema, json);
	if (parsed.success) return ok(parsed.output);
	const issue = parsed.issues[0];
	const field = issue?.path?.map((p) => p.key).join(".") || "body";
	const message = issue?.expected === "never" ? "unknown field" : issue?.message;
	return refused({ status: 400, message: `${field}: ${message}`, field });
}
