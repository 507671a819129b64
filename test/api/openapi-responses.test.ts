// The OpenAPI document's response schemas against what the routes really answer: each operation below is
// called on the real Worker (local KV and D1), and its answer must pass the documented schema and hold no
// field the schema does not name. A route that grows a field, or a schema that loses one, fails here.
import { env } from "cloudflare:test";
import type * as v from "valibot";
import { safeParse } from "valibot";
import { beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES as apiOperations } from "../../src/api";
import { undocumented } from "../support/documented";
import { fetchWith } from "../support/tencent";
import { ADMIN_TOKEN } from "./admin";

/** The documented schema of `method path`'s 200 answer. */
function documented(method: string, path: string) {
	const operation = apiOperations.find((op) => op.method === method && op.path === path);
	const schema = operation?.responses[200]?.schema;
	expect(schema, `${method} ${path} documents its 200 answer`).toBeDefined();
	return schema as v.GenericSchema;
}

const BASE = "https://webhooks.example.com";

/** Calls the Worker and checks the 200 answer against the documented schema of `documentedAs`. */
async function expectDocumented(
	documentedAs: [method: string, path: string],
	path: string,
	init: RequestInit = {},
): Promise<{ json: Record<string, unknown>; response: Response }> {
	const headers = new Headers(init.headers);
	if (!headers.has("cookie")) headers.set("authorization", `Bearer ${ADMIN_TOKEN}`);
	if (init.body) headers.set("content-type", "application/json");
	const response = await fetchWith(new Request(`${BASE}${path}`, { ...init, headers }), { ADMIN_TOKEN });
	const json = (await response.json()) as Record<string, unknown>;
	expect(response.status, JSON.stringify(json)).toBe(200);
	const schema = documented(...documentedAs);
	const parsed = safeParse(schema, json);
	expect(parsed.issues?.map((issue) => issue.message) ?? [], JSON.stringify(json)).toEqual([]);
	expect(undocumented(schema, json), JSON.stringify(json)).toEqual([]);
	return { json, response };
}

const policy = (version: string, banned: string[]) => JSON.stringify({ version, names: { banned } });

beforeAll(async () => {
	await env.POLICY.delete("policy");
	await env.DB.prepare("DELETE FROM policy_versions").run();
});

describe("OpenAPI response schemas match the real answers", () => {
	it("session: sign in, the session, sign out", async () => {
		const { response } = await expectDocumented(["post", "/api/session"], "/api/session", {
			method: "POST",
			headers: { cookie: "" },
			body: JSON.stringify({ token: ADMIN_TOKEN, name: "Dana" }),
		});
		const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
		await expectDocumented(["get", "/api/session"], "/api/session", { headers: { cookie } });
		await expectDocumented(["delete", "/api/session"], "/api/session", {
			method: "DELETE",
			headers: { cookie },
		});
	});

	it("publication: validate, publish, the live policy, versions, one version, rollback", async () => {
		const validate = ["post", "/api/policy/validate"] as [string, string];
		await expectDocumented(validate, "/api/policy/validate", {
			method: "POST",
			body: JSON.stringify({ policy: policy("v1", ["casino"]) }),
		});
		const broken = await expectDocumented(validate, "/api/policy/validate", {
			method: "POST",
			body: JSON.stringify({ policy: '{"names": {"banned": ["a"], "maxLenght": 3}}' }),
		});
		expect(broken.json.valid).toBe(false);

		await expectDocumented(["get", "/api/policy"], "/api/policy");
		// A hand edit first, so the publication's `previous` is a recorded version.
		await env.POLICY.put("policy", policy("by-hand", ["poker"]));
		const first = await expectDocumented(["put", "/api/policy"], "/api/policy", {
			method: "PUT",
			body: JSON.stringify({ policy: policy("v1", ["casino"]) }),
		});
		expect(first.json.previous).not.toBeNull();
		await expectDocumented(["put", "/api/policy"], "/api/policy", {
			method: "PUT",
			body: JSON.stringify({ policy: policy("v2", ["casino", "lottery"]) }),
		});
		const live = await expectDocumented(["get", "/api/policy"], "/api/policy");
		expect(live.json.current).not.toBeNull();

		const versions = await expectDocumented(["get", "/api/policy/versions"], "/api/policy/versions?limit=1");
		expect(versions.json.next).not.toBeNull();
		const [newest] = versions.json.versions as { id: number }[];
		await expectDocumented(["get", "/api/policy/versions/{id}"], `/api/policy/versions/${newest?.id}`);
		const rollback = await expectDocumented(["post", "/api/policy/rollback"], "/api/policy/rollback", {
			method: "POST",
			body: JSON.stringify({ to: (newest?.id ?? 2) - 1 }),
		});
		expect(rollback.json.published).toMatchObject({ action: "rollback" });
	});

	it("refusals counted by rule", async () => {
		const now = Date.now();
		for (const rule of ['names.banned[0] "casino"', 'names.banned[0] "casino"', null])
			await env.DB.prepare(
				`INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, rule, policy_version, dry_run, source)
				 VALUES (?, 'Group.CallbackBeforeCreateTopic', 'leckie', 'x', 0, 1, ?, NULL, 0, 'policy')`,
			)
				.bind(now - 1_000, rule)
				.run();
		const { json } = await expectDocumented(["get", "/api/decisions/refusals"], "/api/decisions/refusals");
		expect(json.total).toBeGreaterThanOrEqual(3);
		expect((json.rules as unknown[]).length).toBeGreaterThanOrEqual(2);
	});
});
