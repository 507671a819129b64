import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { DecisionView } from "../../src/api/decisions";
import { sendCallback, unique } from "../support/tencent";
import { apiGet } from "./admin";

interface DecisionPage {
	decisions: DecisionView[];
	next: number | null;
}

const list = (query: string) => apiGet<DecisionPage>(`/api/decisions?${query}`);

/** Decision rows as the policy engine writes them. */
async function insertDecisions(operator: string, rows: { name: string; allowed: boolean; at: number }[]) {
	const insert = env.DB.prepare(
		`INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, rule,
		 policy_version, dry_run, source) VALUES (?, 'Group.CallbackBeforeCreateTopic', ?, ?, ?, ?, ?, 'v1', 0, 'policy')`,
	);
	await env.DB.batch(
		rows.map((row) =>
			insert.bind(
				row.at,
				operator,
				row.name,
				row.allowed ? 1 : 0,
				row.allowed ? 0 : 10150,
				row.allowed ? null : "names.banned[0]",
			),
		),
	);
}

describe("GET /api/decisions", () => {
	it("lists a decision made by a BeforeCreateTopic callback", async () => {
		const operator = `op-${unique()}`;
		const res = await sendCallback("Group.CallbackBeforeCreateTopic", {
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
			Operator_Account: operator,
			Type: "Community",
			Name: "MyFirstTopic",
		});
		expect(res).toEqual({
			status: 200,
			json: { ActionStatus: "OK", ErrorCode: expect.any(Number), ErrorInfo: expect.any(String) },
		});
		const page = await list(`operator=${encodeURIComponent(operator)}`);
		expect(page.status).toBe(200);
		// The row says what the answer said: one decision, its outcome and code those Tencent received.
		expect(page.json.decisions).toEqual([
			expect.objectContaining({
				command: "Group.CallbackBeforeCreateTopic",
				operator_account: operator,
				name: "MyFirstTopic",
				allowed: res.json.ErrorCode === 0,
				error_code: res.json.ErrorCode,
				dry_run: false,
			}),
		]);
		// A before-callback decides; it stores no event.
		const events = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE operator_account = ?")
			.bind(operator)
			.first<number>("n");
		expect(events).toBe(0);
	});

	it("filters by operator, outcome and time, and pages with a cursor", async () => {
		const operator = `op-${unique()}`;
		await insertDecisions(operator, [
			{ name: "a", allowed: true, at: 1_000 },
			{ name: "casino", allowed: false, at: 2_000 },
			{ name: "b", allowed: true, at: 3_000 },
			{ name: "casino 2", allowed: false, at: 4_000 },
		]);
		const refused = await list(`operator=${operator}&allowed=false`);
		expect(refused.json.decisions.map((row) => [row.name, row.allowed, row.error_code])).toEqual([
			["casino", false, 10150],
			["casino 2", false, 10150],
		]);
		const recent = await list(`operator=${operator}&since=3000`);
		expect(recent.json.decisions.map((row) => row.name)).toEqual(["b", "casino 2"]);

		const first = await list(`operator=${operator}&limit=3`);
		expect(first.json.decisions.map((row) => row.name)).toEqual(["a", "casino", "b"]);
		expect(first.json.next).toBe(first.json.decisions[2]?.id);
		const second = await list(`operator=${operator}&limit=3&after=${first.json.next}`);
		expect(second.json).toEqual({ decisions: [expect.objectContaining({ name: "casino 2" })], next: null });
	});

	it("filters by rule and a time window, newest first with order=desc, paging backwards", async () => {
		const operator = `op-${unique()}`;
		await insertDecisions(operator, [
			{ name: "a", allowed: false, at: 10_000 },
			{ name: "b", allowed: false, at: 20_000 },
			{ name: "c", allowed: false, at: 30_000 },
		]);
		const window = await list(`operator=${operator}&rule=names.banned[0]&since=15000&until=30000`);
		expect(window.json.decisions.map((row) => row.name)).toEqual(["b"]);
		const newest = await list(`operator=${operator}&order=desc&limit=2`);
		expect(newest.json.decisions.map((row) => row.name)).toEqual(["c", "b"]);
		const older = await list(`operator=${operator}&order=desc&limit=2&before=${newest.json.next}`);
		expect(older.json).toEqual({ decisions: [expect.objectContaining({ name: "a" })], next: null });
		expect((await list(`operator=${operator}&rule=names.banned[9]`)).json.decisions).toEqual([]);
	});

	it.each([
		["allowed=yes", "allowed"],
		["limit=5000", "limit"],
		["since=soon", "since"],
		["operator=", "operator"],
		["name=x", "name"],
		["order=up", "order"],
	])("answers 400 naming the parameter for ?%s", async (query, parameter) => {
		const res = await list(query);
		expect(res.status).toBe(400);
		expect(res.json).toEqual({
			error: { code: "bad_request", field: parameter, message: expect.stringContaining(parameter) },
		});
	});
});

describe("GET /api/decisions/refusals", () => {
	it("counts refusals per rule in the window, most frequent first, allowances left out", async () => {
		const at = 5_000_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
		await insertDecisions(`op-${unique()}`, [
			{ name: "x", allowed: false, at },
			{ name: "y", allowed: false, at: at + 1 },
			{ name: "z", allowed: true, at: at + 2 },
			{ name: "too late", allowed: false, at: at + 100 },
		]);
		await env.DB.prepare(
			`INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, rule,
			 policy_version, dry_run, source) VALUES (?, 'Group.CallbackBeforeCreateTopic', 'o', 'w', 0, 1, 'names.banned[7]', 'v1', 0, 'policy')`,
		)
			.bind(at + 3)
			.run();
		const res = await apiGet(`/api/decisions/refusals?since=${at}&until=${at + 100}`);
		expect(res.status).toBe(200);
		expect(res.json).toEqual({
			since: at,
			until: at + 100,
			total: 3,
			rules: [
				{ rule: "names.banned[0]", count: 2 },
				{ rule: "names.banned[7]", count: 1 },
			],
		});
		expect((await apiGet("/api/decisions/refusals?since=x")).json).toMatchObject({
			error: { code: "bad_request", field: "since" },
		});
	});
});
