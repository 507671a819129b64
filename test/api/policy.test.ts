// Publishing the policy through the API: only a valid document reaches the KV key `policy`; every
// publication is recorded in D1 with who and when; hand edits are kept restorable; rollback restores.
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/crypto";
import { fetchWith } from "../support/tencent";
import { ADMIN_TOKEN } from "./admin";

const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" };

async function call(method: string, path: string, body?: unknown) {
	const response = await fetchWith(
		new Request(`https://webhooks.example.com${path}`, {
			method,
			headers: AUTH,
			body: body === undefined ? undefined : JSON.stringify(body),
		}),
		{ ADMIN_TOKEN },
	);
	// biome-ignore lint/suspicious/noExplicitAny: each test checks the fields it reads
	return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const doc = (version: string, banned: string[]) => JSON.stringify({ version, names: { banned } }, null, "\t");

beforeEach(async () => {
	await env.POLICY.delete("policy");
	await env.DB.prepare("DELETE FROM policy_versions").run();
});

describe("POST /api/policy/validate", () => {
	it("answers the Worker's own verdict with the problem's line, writing nothing", async () => {
		const broken = '{\n\t"version": "x",\n\t"names": { "banned": ["a"], "maxLenght": 3 }\n}';
		const { status, json } = await call("POST", "/api/policy/validate", { policy: broken });
		expect(status).toBe(200);
		expect(json.valid).toBe(false);
		expect(json.problem).toMatchObject({ rule: "names.maxLenght", line: 3 });
		expect(await env.POLICY.get("policy")).toBeNull();
		const good = await call("POST", "/api/policy/validate", { policy: doc("v1", ["casino"]) });
		expect(good.json).toMatchObject({ valid: true, version: "v1" });
	});

	it("refuses a body without the policy text (400 naming the field)", async () => {
		const { status, json } = await call("POST", "/api/policy/validate", { policy: { names: {} } });
		expect(status).toBe(400);
		expect(json).toMatchObject({
			error: { code: "bad_request", message: expect.stringMatching(/^policy: /) },
		});
	});
});

describe("PUT /api/policy", () => {
	it("refuses an invalid document and leaves KV and the history as they were", async () => {
		await env.POLICY.put("policy", doc("live", ["casino"]));
		const { status, json } = await call("PUT", "/api/policy", {
			policy: '{"names": {"banned": ["(unclosed"]}',
		});
		expect(status).toBe(400);
		expect(json.error.field).toBe("policy");
		expect(json.error.detail.problem.message).toBeTruthy();
		expect(await env.POLICY.get("policy")).toBe(doc("live", ["casino"]));
		expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM policy_versions").first())?.n).toBe(0);
	});

	it("writes a valid document, records who and when, and keeps the hand-edited one it replaced", async () => {
		const handEdited = doc("hand", ["casino"]);
		await env.POLICY.put("policy", handEdited);
		const before = Date.now();
		const { status, json } = await call("PUT", "/api/policy", {
			policy: doc("v2", ["casino", "pirate"]),
			baseHash: await sha256Hex(handEdited),
		});
		expect(status).toBe(200);
		expect(await env.POLICY.get("policy")).toBe(doc("v2", ["casino", "pirate"]));
		expect(json.published).toMatchObject({ published_by: "api token", action: "publish", version: "v2" });
		expect(json.published.published_at).toBeGreaterThanOrEqual(before);
		expect(json.previous).toMatchObject({
			published_by: "KV (hand edit)",
			action: "hand-edit",
			version: "hand",
		});
		const stored = await call("GET", `/api/policy/versions/${json.previous.id}`);
		expect(stored.json.text).toBe(handEdited);
		// The last known good copy is the loader's business: publishing leaves it alone.
		expect(await env.POLICY.get("policy:last-known-good")).toBeNull();
	});

	it("refuses (409) when the live value changed since the caller read it", async () => {
		await env.POLICY.put("policy", doc("theirs", ["casino"]));
		const { status, json } = await call("PUT", "/api/policy", {
			policy: doc("mine", ["pirate"]),
			baseHash: await sha256Hex(doc("what I loaded", [])),
		});
		expect(status).toBe(409);
		expect(json.error.detail.liveHash).toBe(await sha256Hex(doc("theirs", ["casino"])));
		expect(await env.POLICY.get("policy")).toBe(doc("theirs", ["casino"]));
	});
});

describe("POST /api/policy/rollback and GET /api/policy", () => {
	it("restores an earlier version in one call and records it as a rollback", async () => {
		const first = await call("PUT", "/api/policy", { policy: doc("v1", ["casino"]) });
		await call("PUT", "/api/policy", { policy: doc("v2", ["casino", "pirate"]) });
		const live = await call("GET", "/api/policy");
		expect(live.json).toMatchObject({ valid: true, version: "v2", current: { version: "v2" } });

		const { status, json } = await call("POST", "/api/policy/rollback", {
			to: first.json.published.id,
			baseHash: live.json.hash,
		});
		expect(status).toBe(200);
		expect(json.published).toMatchObject({
			action: "rollback",
			restored_from: first.json.published.id,
			version: "v1",
		});
		expect(await env.POLICY.get("policy")).toBe(doc("v1", ["casino"]));
		const versions = await call("GET", "/api/policy/versions");
		expect(versions.json.versions.map((v: { version: string }) => v.version)).toEqual(["v1", "v2", "v1"]);
		expect((await call("POST", "/api/policy/rollback", { to: 999999 })).status).toBe(404);
	});

	it("shows a broken hand edit as it is, with its problem", async () => {
		await env.POLICY.put("policy", '{"names": {"banned": [1]}}');
		const { json } = await call("GET", "/api/policy");
		expect(json).toMatchObject({ text: '{"names": {"banned": [1]}}', valid: false, current: null });
		expect(json.problem.rule).toMatch(/^names\.banned\[0\]/);
	});
});
