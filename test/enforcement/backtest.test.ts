// POST /api/policy/backtest: paging over live topics, answers to bad input, and "apply" through the ledger.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, community } from "../api/admin";
import { fetchWith, sendCallback } from "../support/tencent";
import { tencentCalls, tencentHasTopics } from "../support/tencent-rest";
import { settledActions } from "./support";

interface BacktestPage {
	refused: { topic_id: string; group_id: string; name: string; rule: string; error_code: number }[];
	scanned: number;
	next: string | null;
	policyVersion: string;
	source: string;
	applied?: { recorded: number; queued: number };
	error?: { code: string; message: string; field?: string };
}

async function backtest(body: unknown): Promise<{ status: number; json: BacktestPage }> {
	const response = await fetchWith(
		new Request("https://webhooks.example.com/api/policy/backtest", {
			method: "POST",
			headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
			body: typeof body === "string" ? body : JSON.stringify(body),
		}),
		{ ADMIN_TOKEN },
	);
	return { status: response.status, json: await response.json<BacktestPage>() };
}

const draft = { version: "draft-1", names: { banned: ["casino", { match: "prefix", value: "admin" }] } };

/** Puts topics straight into `topics`, as the after-events would have. */
async function seedTopics(rows: { topicId: string; groupId: string; name: string; deleted?: boolean }[]) {
	const insert = env.DB.prepare(
		"INSERT INTO topics (topic_id, group_id, name, created_at, deleted_at) VALUES (?, ?, ?, 1, ?)",
	);
	await env.DB.batch(
		rows.map((row) => insert.bind(row.topicId, row.groupId, row.name, row.deleted ? 2 : null)),
	);
}

describe("POST /api/policy/backtest", () => {
	it("pages over every topic with a cursor and lists the live ones the draft refuses, with the rule", async () => {
		const { groupId, topic } = community();
		const names = Array.from({ length: 23 }, (_, i) =>
			i % 5 === 0 ? `Casino ${i}` : i % 7 === 0 ? `admin room ${i}` : `Topic ${i}`,
		);
		await seedTopics([
			...names.map((name, i) => ({ topicId: topic(String(i).padStart(3, "0")), groupId, name })),
			{ topicId: topic("zz-deleted"), groupId, name: "Casino gone", deleted: true },
		]);
		const refused: BacktestPage["refused"] = [];
		let after: string | undefined;
		let pages = 0;
		let scanned = 0;
		for (;;) {
			const page = await backtest({ policy: draft, limit: 5, ...(after ? { after } : {}) });
			expect(page.status).toBe(200);
			expect(page.json.scanned).toBeLessThanOrEqual(5);
			expect(page.json).toMatchObject({ policyVersion: "draft-1", source: "inline" });
			refused.push(...page.json.refused);
			scanned += page.json.scanned;
			pages++;
			if (page.json.next === null) break;
			after = page.json.next;
		}
		expect(scanned).toBe(24);
		expect(pages).toBe(5);
		const expected = names.flatMap((name, i) =>
			/^(Casino|admin)/.test(name) ? [{ topic_id: topic(String(i).padStart(3, "0")), name }] : [],
		);
		expect(refused.map(({ topic_id, name }) => ({ topic_id, name }))).toEqual(expected);
		expect(refused.find((hit) => hit.name === "Casino 0")).toMatchObject({
			rule: 'names.banned[0] "casino"',
			error_code: 1,
			group_id: groupId,
		});
		expect(refused.find((hit) => hit.name === "admin room 7")?.rule).toMatch(/^names\.banned\[1\]/);
	});

	it("uses the live policy when the body has none", async () => {
		await env.POLICY.put("policy", JSON.stringify({ version: "live-7", names: { banned: ["weekly"] } }));
		const { groupId, topic } = community();
		await seedTopics([{ topicId: topic("a"), groupId, name: "Weekly chat" }]);
		const page = await backtest({});
		expect(page.status).toBe(200);
		expect(page.json.policyVersion).toBe("live-7");
		expect(page.json.refused.map((hit) => hit.name)).toContain("Weekly chat");
	});

	it.each([
		["not json", "body"],
		[{ limit: 0 }, "limit"],
		[{ limit: 1001 }, "limit"],
		[{ after: "" }, "after"],
		[{ apply: "yes" }, "apply"],
		[{ extra: 1 }, "extra"],
		[{ policy: { names: { banned: [{ match: "nope", value: "x" }] } } }, "policy"],
		[{ policy: { names: { banned: ["renamed"] }, enforcement: { renames: "revert" } } }, "policy"],
	])("answers 400 naming the field for %j", async (body, field) => {
		const page = await backtest(body);
		expect(page.status).toBe(400);
		expect(page.json.error?.code).toBe("bad_request");
		expect(page.json.error?.field).toBe(field);
		expect(page.json.error?.message).toMatch(new RegExp(`^${field}: `));
	});

	it("with apply records and queues the enforcement once per topic and name", async () => {
		const { groupId, topic } = community();
		const topicId = topic("sweep");
		await tencentHasTopics(groupId, [{ topicId, name: "Casino night" }]);
		await sendCallback("Group.CallbackAfterCreateTopic", {
			CallbackCommand: "Group.CallbackAfterCreateTopic",
			GroupId: groupId,
			TopicId: topicId,
			Operator_Account: "leckie",
			Type: "Community",
			Name: "Casino night",
		});
		const policy = { ...draft, enforcement: { renames: "destroy" } };
		// Other tests' topics sort after this community too: the page holds them, none applies to this one.
		const first = await backtest({ policy, apply: true, after: groupId, limit: 1000 });
		expect(first.status).toBe(200);
		const ours = first.json.refused.filter((hit) => hit.group_id === groupId);
		expect(ours.map((hit) => hit.topic_id)).toEqual([topicId]);
		expect(first.json.applied?.recorded).toBe(first.json.refused.length);
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({
			trigger: "backtest",
			action: "destroy",
			status: "done",
			policy_version: "draft-1",
		});
		expect((await tencentCalls(groupId)).map((call) => call.body)).toEqual([
			{ GroupId: groupId, TopicIdList: [topicId] },
		]);
		const again = await backtest({ policy, apply: true, after: groupId, limit: 1000 });
		expect(again.json.applied).toEqual({ recorded: 0, queued: 0 });
		expect((await tencentCalls(groupId)).length).toBe(1);
	});
});
