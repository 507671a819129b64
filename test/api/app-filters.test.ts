// With several apps, the quarantine list and the enforcement hold answer per app (`?app=`), and resume and
// discard touch only the app their body names; an SdkAppid the Worker does not serve is a 400 naming `app`.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fetchWith } from "../support/tencent";
import { ADMIN_TOKEN } from "./admin";

const A = "1400000000";
const B = "1400000001";
const TWO_APPS = { ADMIN_TOKEN, SDKAPPID: `${A},${B}` } as Partial<Env>;

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
	const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
	if (body !== undefined) headers["content-type"] = "application/json";
	const request = new Request(`https://webhooks.example.com${path}`, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const response = await fetchWith(request, TWO_APPS);
	return { status: response.status, json: (await response.json()) as T };
}

/** One quarantined body of `app`; its id. */
async function quarantined(app: string): Promise<number> {
	const row = await env.DB.prepare(
		`INSERT INTO quarantine (received_at, command, sdk_app_id, reason, body, body_bytes, body_truncated)
		 VALUES (?1, 'Group.CallbackAfterCreateTopic', ?2, 'invalid body', '{}', 2, 0) RETURNING id`,
	)
		.bind(Date.now(), app)
		.first<{ id: number }>();
	return row?.id ?? 0;
}

/** One held ledger row of `app`; its id. */
async function held(app: string): Promise<number> {
	const now = Date.now();
	const row = await env.DB.prepare(
		`INSERT INTO enforcement_actions (action_key, sdk_app_id, target, group_id, topic_id, trigger, old_name, action,
		 status, created_at, updated_at)
		 VALUES (?1, ?2, 'topic', '@TGS#_g', NULL, 'Group.CallbackAfterCreateTopic', 'Casino', 'destroy', 'held', ?3, ?3)
		 RETURNING id`,
	)
		.bind(`held-${crypto.randomUUID()}`, app, now)
		.first<{ id: number }>();
	return row?.id ?? 0;
}

describe("per-app filters of the quarantine and the hold", () => {
	it("lists each app's quarantined bodies under ?app=, every app's without", async () => {
		const a = await quarantined(A);
		const b = await quarantined(B);
		const ids = async (query: string) =>
			(
				await call<{ quarantine: { id: number; sdk_app_id: string }[] }>(
					"GET",
					`/api/quarantine?status=all${query}`,
				)
			).json.quarantine.map((row) => [row.id, row.sdk_app_id]);
		expect(await ids(`&app=${A}`)).toContainEqual([a, A]);
		expect(await ids(`&app=${A}`)).not.toContainEqual([b, B]);
		expect(await ids(`&app=${B}`)).toEqual(expect.arrayContaining([[b, B]]));
		expect((await ids(`&app=${B}`)).every(([, app]) => app === B)).toBe(true);
		expect(await ids("")).toEqual(
			expect.arrayContaining([
				[a, A],
				[b, B],
			]),
		);
		const unknown = await call<{ error: { field?: string } }>("GET", "/api/quarantine?app=1499999999");
		expect(unknown.status).toBe(400);
		expect(unknown.json.error.field).toBe("app");
	});

	it("counts each app's held actions, and resumes or discards only the named app's", async () => {
		await env.DB.prepare("DELETE FROM enforcement_actions WHERE status = 'held'").run();
		const a1 = await held(A);
		await held(A);
		const b1 = await held(B);
		const hold = async (query: string) =>
			(await call<{ held: number }>("GET", `/api/enforcement/hold${query}`)).json.held;
		expect([await hold(`?app=${A}`), await hold(`?app=${B}`), await hold("")]).toEqual([2, 1, 3]);

		// An id of A named with app B selects nothing.
		expect(
			(await call<{ discarded: number }>("POST", "/api/enforcement/discard", { ids: [a1], app: B })).json,
		).toEqual({
			discarded: 0,
		});
		expect(
			(await call<{ discarded: number }>("POST", "/api/enforcement/discard", { all: true, app: B })).json,
		).toEqual({
			discarded: 1,
		});
		expect([await hold(`?app=${A}`), await hold(`?app=${B}`)]).toEqual([2, 0]);
		const status = await env.DB.prepare("SELECT status FROM enforcement_actions WHERE id = ?")
			.bind(b1)
			.first("status");
		expect(status).toBe("discarded");
		const refused = await call<{ error: { field?: string } }>("POST", "/api/enforcement/resume", {
			all: true,
			app: "1499999999",
		});
		expect(refused.status).toBe(400);
		expect(refused.json.error.field).toBe("app");
		expect(await hold(`?app=${A}`)).toBe(2);
	});
});
