// HEAD, and the 405s of GET paths, over a real socket: what a client (curl -I, a monitor, a proxy) receives is GET's status line and
// headers, Content-Length counting GET's body, and not one byte of body. Node's own HTTP client is used, so
// the raw headers and the bytes after them are seen as sent.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "admin-token-for-socket-tests-0123456789";
let worker: RunningWorker;

beforeAll(async () => {
	worker = await startWorker({ secrets: { ADMIN_TOKEN } });
});
afterAll(async () => {
	await worker?.stop();
});

interface RawAnswer {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	/** Every byte the server sent after the headers. */
	body: Buffer;
}

/** One request on its own connection, read to the end as the server sent it. */
function send(method: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
	return new Promise((resolve, reject) => {
		const outgoing = request(new URL(path, worker.url), { method, headers, agent: false }, (response) => {
			const chunks: Buffer[] = [];
			response.on("data", (chunk: Buffer) => chunks.push(chunk));
			response.on("end", () =>
				resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
			);
			response.on("error", reject);
		});
		outgoing.on("error", reject);
		outgoing.end();
	});
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe("HEAD over a real socket", () => {
	it.each([
		["/healthz", {}],
		["/admin", {}],
		["/admin/console.js", {}],
		["/api/openapi.json", {}],
		["/api/events", admin],
		["/api/policy", admin],
		["/api/events", {}],
	] as [string, Record<string, string>][])(
		"HEAD %s: GET's status, type and length, no body",
		async (path, headers) => {
			const get = await send("GET", path, headers);
			const head = await send("HEAD", path, headers);
			expect(head.status).toBe(get.status);
			expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
			expect(head.headers["cache-control"]).toBe(get.headers["cache-control"]);
			expect(head.headers.etag).toBe(get.headers.etag);
			expect(head.headers["content-length"]).toBe(String(get.body.byteLength));
			expect(head.body.byteLength).toBe(0);
		},
	);

	it("HEAD of a path that answers only POST is its 405, with Allow: POST and no body", async () => {
		const head = await send("HEAD", "/api/policy/check", admin);
		expect(head.status).toBe(405);
		expect(head.headers.allow).toBe("POST");
		expect(head.body.byteLength).toBe(0);
	});

	it.each(["POST", "PUT", "DELETE"])(
		"/healthz asked with %s: 405 with Allow and the JSON error",
		async (method) => {
			const answer = await send(method, "/healthz");
			expect(answer.status).toBe(405);
			expect(answer.headers.allow).toBe("GET, HEAD");
			expect(answer.headers["content-type"]).toMatch(/^application\/json/);
			expect(JSON.parse(answer.body.toString())).toEqual({
				error: { code: "method_not_allowed", message: "this path answers GET or HEAD only" },
			});
		},
	);

	it("a 405 of a GET path names HEAD in Allow", async () => {
		const answer = await send("DELETE", "/api/events", admin);
		expect(answer.status).toBe(405);
		expect(answer.headers.allow).toBe("GET, HEAD");
		expect(JSON.parse(answer.body.toString())).toEqual({
			error: { code: "method_not_allowed", message: "this path answers GET or HEAD only" },
		});
	});
});
