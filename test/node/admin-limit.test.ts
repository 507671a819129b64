// Over a real socket under wrangler dev (workerd with the ADMIN_AUTH_LIMITER binding of wrangler.toml):
// /healthz tells an anonymous client only its verdict, and failed admin attempts from one address end in
// 429 with Retry-After, the right token included, while the Worker keeps answering others.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import packageJson from "../../package.json";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "admin-token-for-limit-socket-tests-0123456789";
const POLICY = JSON.stringify({ version: "socket-1", names: { banned: ["casino"] } });
let worker: RunningWorker;

beforeAll(async () => {
	worker = await startWorker({ secrets: { ADMIN_TOKEN }, policyKv: { policy: POLICY } });
});
afterAll(async () => {
	await worker?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * Sends a failing request until it is answered other than 401 (at most 25 times): the statuses, the answer
 * that ended the run, and whether the run stayed in one of the binding's one-minute windows.
 */
async function failUntilRefused(send: () => Promise<Response>) {
	const window = Math.floor(Date.now() / 60_000);
	const statuses: number[] = [];
	let over: Response | undefined;
	while (statuses.length < 25) {
		const response = await send();
		statuses.push(response.status);
		if (response.status !== 401) {
			over = response;
			break;
		}
		await response.arrayBuffer();
	}
	return { statuses, over, windowHeld: Math.floor(Date.now() / 60_000) === window };
}

describe("GET /healthz over a socket", () => {
	it("anonymous: only the status and the version", async () => {
		const response = await worker.fetch("/healthz");
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ status: "ok", version: packageJson.version });
	});

	it("with the admin token: the details", async () => {
		const response = await worker.fetch("/healthz", { headers: bearer(ADMIN_TOKEN) });
		expect(response.status).toBe(200);
		expect(await response.json()).toMatchObject({
			status: "ok",
			policy: { version: "socket-1" },
			queue: { bound: true },
		});
	});
});

describe("failed admin attempts over a socket", () => {
	it("the eleventh wrong token in a minute gets 429, then the right one too; the limit is per address", async () => {
		// wrangler dev sets CF-Connecting-IP to the peer (127.0.0.1) unless the request carries one, as a
		// proxy in front would; two header values stand for two clients.
		const client = { "cf-connecting-ip": "203.0.113.7" };
		const { statuses, over, windowHeld } = await failUntilRefused(() =>
			worker.fetch("/api/events", { headers: { ...client, ...bearer("wrong-token") } }),
		);
		expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
		// The binding counts in fixed one-minute windows: only a window ending mid-run may delay the 429.
		if (windowHeld) expect(statuses.length).toBe(11);
		expect(over?.status).toBe(429);
		expect(Number(over?.headers.get("retry-after"))).toBeGreaterThan(0);
		// Written out: a change to the block's length must fail here.
		expect(over?.headers.get("retry-after")).toBe("60");
		expect(await over?.json()).toMatchObject({ error: { code: "too_many_requests" } });

		const right = await worker.fetch("/api/events", { headers: { ...client, ...bearer(ADMIN_TOKEN) } });
		expect(right.status).toBe(429);
		await right.arrayBuffer();

		const other = await worker.fetch("/api/events", {
			headers: { "cf-connecting-ip": "203.0.113.8", ...bearer(ADMIN_TOKEN) },
		});
		expect(other.status).toBe(200);
		await other.arrayBuffer();
	});
});

describe("what counts, over a socket", () => {
	it("11 requests with no credential from one address leave the right token working", async () => {
		const client = { "cf-connecting-ip": "203.0.113.21" };
		for (let i = 0; i < 11; i++) {
			const none = await worker.fetch("/api/events", { headers: client });
			expect(none.status, `request ${i + 1}`).toBe(401);
			expect(await none.json()).toMatchObject({ error: { code: "unauthorized" } });
		}
		const right = await worker.fetch("/api/events", { headers: { ...client, ...bearer(ADMIN_TOKEN) } });
		expect(right.status).toBe(200);
		await right.arrayBuffer();
	});

	it("a 2 MiB POST /api/session gets 413 in the /api error shape, declared or streamed", async () => {
		const client = { "cf-connecting-ip": "203.0.113.22", "content-type": "application/json" };
		const twoMiB = JSON.stringify({ token: ADMIN_TOKEN, name: "x".repeat(2 * 1024 * 1024) });
		const declared = await worker.fetch("/api/session", { method: "POST", headers: client, body: twoMiB });
		expect(declared.status).toBe(413);
		expect(declared.headers.get("set-cookie")).toBeNull();
		expect(await declared.json()).toEqual({
			error: { code: "payload_too_large", message: "body is larger than 1048576 bytes" },
		});

		// Chunked, with no Content-Length: refused once past the limit, the rest drained so the answer arrives.
		const bytes = new TextEncoder().encode(twoMiB);
		const streamed = await worker.fetch("/api/session", {
			method: "POST",
			headers: client,
			body: new ReadableStream<Uint8Array>({
				start(controller) {
					for (let at = 0; at < bytes.length; at += 65_536) controller.enqueue(bytes.slice(at, at + 65_536));
					controller.close();
				},
			}),
			duplex: "half",
		} as RequestInit);
		expect(streamed.status).toBe(413);
		expect(await streamed.json()).toMatchObject({ error: { code: "payload_too_large" } });

		const signIn = await worker.fetch("/api/session", {
			method: "POST",
			headers: client,
			body: JSON.stringify({ token: ADMIN_TOKEN }),
		});
		expect(signIn.status).toBe(200);
		await signIn.arrayBuffer();
	});

	it("wrong tokens at POST /api/session count: ten 401s, then 429 with Retry-After 60", async () => {
		const client = { "cf-connecting-ip": "203.0.113.23", "content-type": "application/json" };
		const { statuses, over, windowHeld } = await failUntilRefused(() =>
			worker.fetch("/api/session", {
				method: "POST",
				headers: client,
				body: JSON.stringify({ token: "wrong-token" }),
			}),
		);
		expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
		if (windowHeld) expect(statuses.length).toBe(11);
		expect(over?.status).toBe(429);
		expect(over?.headers.get("retry-after")).toBe("60");
		await over?.arrayBuffer();
	});
});
