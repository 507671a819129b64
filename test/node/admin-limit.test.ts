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
		const window = Math.floor(Date.now() / 60_000);
		const statuses: number[] = [];
		let over: Response | undefined;
		while (statuses.length < 25) {
			const response = await worker.fetch("/api/events", {
				headers: { ...client, ...bearer("wrong-token") },
			});
			statuses.push(response.status);
			if (response.status !== 401) {
				over = response;
				break;
			}
			await response.arrayBuffer();
		}
		expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
		// The binding counts in fixed one-minute windows: only a window ending mid-run may delay the 429.
		if (Math.floor(Date.now() / 60_000) === window) expect(statuses.length).toBe(11);
		expect(over?.status).toBe(429);
		expect(Number(over?.headers.get("retry-after"))).toBeGreaterThan(0);
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
