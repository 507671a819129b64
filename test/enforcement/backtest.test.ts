// POST /api/policy/backtest: paging over live topics, answers to bad input, and "apply" through the ledger.
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { ADMIN_TOKEN, community } from "../api/admin";
import { fetchWith, SDK_APP_ID, samples, sendCallback } from "../support/tencent";
import { tencentCalls, tencentHasGroup, tencentHasTopics } from "../support/tencent-rest";
import { actionsOf, enforcementDrained, settledActions, usePolicy } from "./support";

interface BacktestPage {
	refused: {
		topic_id: string;
		group_id: string;
		field: string;
		name: string;
		rule: string;
		error_code: number;
	}[];
	scanned: number;
	next: string | null;
	policyVersion: string;
	source: string;
	applied?: { recorded: number; queued: number };
	preview?: { token: string; expiresAt: number; counts: Record<string, number> };
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

/** Puts topics of the test's app straight into `topics`, as the after-events would have. */
async function seedTopics(rows: { topicId: string; groupId: string; name: string; deleted?: boolean }[]) {
	const insert = env.DB.prepare(
		"INSERT INTO topics (sdk_app_id, topic_id, group_id, name, created_at, deleted_at) VALUES (?, ?, ?, ?, 1, ?)",
	);
	await env.DB.batch(
		rows.map((row) => insert.bind(SDK_APP_ID, row.topicId, row.groupId, row.name, row.deleted ? 2 : null)),
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

	it("with apply and the preview's token records and queues the enforcement once per topic and name", async () => {
		const { groupId, topic } = community();
		const topicId = topic("sweep");
		await tencentHasTopics(groupId, [{ topicId, name: "Casino night" }]);
		await seedTopics([{ topicId, groupId, name: "Casino night" }]);
		await usePolicy({ renames: "destroy" });
		// The page is exactly this community's topic: its ids sort right after the GroupId.
		const page = { after: groupId, limit: 1 };
		const preview = await backtest(page);
		expect(preview.status).toBe(200);
		expect(preview.json.refused.map((hit) => hit.topic_id)).toEqual([topicId]);
		expect(preview.json.preview?.counts).toEqual({ revert: 0, rename: 0, destroy: 1, log: 0, clear: 0 });
		expect(await actionsOf({ topic: topicId })).toEqual([]);
		const first = await backtest({ ...page, apply: true, previewToken: preview.json.preview?.token });
		expect(first.status).toBe(200);
		expect(first.json.applied).toEqual({ recorded: 1, queued: 1 });
		const [row] = await settledActions({ topic: topicId });
		expect(row).toMatchObject({
			trigger: "backtest",
			action: "destroy",
			status: "done",
			policy_version: preview.json.policyVersion,
			requested_by: "api token",
			confirmed_name: "Casino night",
		});
		expect((await tencentCalls(groupId)).map((call) => call.body)).toEqual([
			{ GroupId: groupId, From_Account: "administrator", TopicIdList: [topicId] },
			{ GroupId: groupId, TopicIdList: [topicId] },
		]);
		const again = await backtest({ ...page, apply: true, previewToken: preview.json.preview?.token });
		expect(again.json.applied).toEqual({ recorded: 0, queued: 0 });
		expect((await tencentCalls(groupId)).length).toBe(2);
	});

	it("judges the texts of live topics with a texts section, and applies enforcement.texts per field", async () => {
		const { groupId, topic } = community();
		const topicId = topic("texts");
		const notification = "Chips at the c4s1no tonight";
		const faceUrl = "https://elsewhere.example/a.png";
		await tencentHasTopics(groupId, [{ topicId, name: "Card games", notification, faceUrl }]);
		await env.DB.prepare(
			`INSERT INTO topics (sdk_app_id, topic_id, group_id, name, introduction, notification, face_url, created_at)
			 VALUES (?5, ?1, ?2, 'Card games', 'Weekly games', ?3, ?4, 1)`,
		)
			.bind(topicId, groupId, notification, faceUrl, SDK_APP_ID)
			.run();
		const page = { after: groupId, limit: 1 };
		await usePolicy({ texts: "clear" });
		// Without a texts section the same topic is not refused at all.
		expect((await backtest(page)).json.refused).toEqual([]);
		await usePolicy({ texts: "clear" }, { texts: { faceUrl: { hosts: ["cdn.example.com"] } } });
		const preview = await backtest(page);
		expect(preview.json.refused.map(({ field, name, rule }) => [field, name, rule])).toEqual([
			["notification", notification, 'names.banned[0] "casino"'],
			["face_url", faceUrl, "texts.faceUrl.hosts"],
		]);
		expect(preview.json.preview?.counts).toEqual({ revert: 0, rename: 0, destroy: 0, log: 0, clear: 2 });
		const applied = await backtest({ ...page, apply: true, previewToken: preview.json.preview?.token });
		expect(applied.json.applied).toEqual({ recorded: 2, queued: 2 });
		const rows = await settledActions({ topic: topicId });
		expect(rows.map((row) => [row.field, row.action, row.status, row.new_name])).toEqual([
			["notification", "clear", "done", ""],
			["face_url", "clear", "done", ""],
		]);
		const modifies = (await tencentCalls(groupId)).filter((call) => call.command.endsWith("modify_topic"));
		expect(modifies.map((call) => call.body)).toEqual([
			{ GroupId: groupId, TopicId: topicId, Notification: "" },
			{ GroupId: groupId, TopicId: topicId, FaceUrl: "" },
		]);
	});

	it('judges communities with "target": "groups" (the groups view), and applies enforcement.texts to them', async () => {
		const { groupId } = community();
		const notification = "Chips at the c4s1no tonight";
		// Stored as Tencent would report them, through the after-events (no texts rules yet: nothing recorded).
		await usePolicy({ texts: "clear" });
		for (const [command, body] of [
			["Group.CallbackAfterCreateGroup", { ...samples.afterCreateGroup(groupId), Name: "Card games" }],
			[
				"Group.CallbackAfterGroupInfoChanged",
				{ ...samples.afterGroupInfoChanged(groupId), Notification: notification },
			],
		] as const)
			expect((await sendCallback(command, body)).status).toBe(200);
		await tencentHasGroup(groupId, {
			Name: "Card games",
			Owner_Account: "leckie",
			Notification: notification,
		} as never);
		const page = { target: "groups", after: groupId.slice(0, -1), limit: 1 };
		// The callbacks' own enforcement is done (recorded under no texts rules: nothing) before the rules change.
		await enforcementDrained();
		expect(await actionsOf({ group: groupId })).toEqual([]);
		// Without a texts section the community is not refused.
		expect((await backtest(page)).json.refused).toEqual([]);
		await usePolicy({ texts: "clear" }, { texts: {} });
		// The topics' pages never list a community.
		const topicsPage = await backtest({ after: page.after, limit: 5 });
		expect(topicsPage.json.refused.filter((hit) => hit.group_id === groupId)).toEqual([]);
		const preview = await backtest(page);
		expect(preview.json.refused).toEqual([
			{
				target: "group",
				group_id: groupId,
				topic_id: null,
				field: "notification",
				name: notification,
				rule: 'names.banned[0] "casino"',
				error_code: 1,
			},
		]);
		expect(preview.json.next).toBe(groupId);
		expect(preview.json.preview?.counts).toEqual({ revert: 0, rename: 0, destroy: 0, log: 0, clear: 1 });
		// The token of the topics' page at the same cursor does not apply the groups' page.
		// (same after and limit: only the target differs)
		const topicsToken = (await backtest({ after: page.after, limit: page.limit })).json.preview?.token;
		expect(topicsToken).toEqual(expect.any(String));
		const crossed = await backtest({ ...page, apply: true, previewToken: topicsToken });
		expect([crossed.status, crossed.json.error?.message]).toEqual([
			400,
			expect.stringContaining("was issued for another page"),
		]);
		const applied = await backtest({ ...page, apply: true, previewToken: preview.json.preview?.token });
		expect(applied.json.applied).toEqual({ recorded: 1, queued: 1 });
		const rows = await settledActions({ group: groupId });
		expect(rows.map((row) => [row.target, row.field, row.action, row.status, row.new_name])).toEqual([
			["group", "notification", "clear", "done", ""],
		]);
		const modifies = (await tencentCalls(groupId)).filter((call) =>
			call.command.endsWith("modify_group_base_info"),
		);
		expect(modifies.map((call) => call.body)).toEqual([{ GroupId: groupId, Notification: "" }]);
	});

	it("judges with the KV value itself, right after a publish this isolate has not loaded yet", async () => {
		await usePolicy({ renames: "destroy" });
		const { groupId } = community();
		expect((await backtest({ after: groupId, limit: 1 })).json.source).toBe("live");
		// Straight into KV, the isolate's copy left as it is (it refreshes once a minute).
		await env.POLICY.put(
			"policy",
			JSON.stringify({
				version: "published-just-now",
				names: { banned: ["casino"] },
				enforcement: { renames: "log" },
			}),
		);
		const page = await backtest({ after: groupId, limit: 1 });
		expect(page.json).toMatchObject({ source: "live", policyVersion: "published-just-now" });
	});

	it("never applies a draft, and applies nothing without a preview token", async () => {
		await usePolicy({ renames: "destroy" });
		const { groupId } = community();
		const withDraft = await backtest({ policy: draft, apply: true, after: groupId, limit: 1 });
		expect(withDraft.status).toBe(400);
		expect(withDraft.json.error).toMatchObject({
			field: "apply",
			message: expect.stringContaining("publish it"),
		});
		const withoutToken = await backtest({ apply: true, after: groupId, limit: 1 });
		expect(withoutToken.status).toBe(400);
		expect(withoutToken.json.error?.field).toBe("previewToken");
		// A draft's backtest gives no preview to apply.
		expect((await backtest({ policy: draft, after: groupId, limit: 1 })).json.preview).toBeUndefined();
	});

	it("refuses a token that is forged, for another page, stale by policy, by counts or by age", async () => {
		const { groupId, topic } = community();
		await seedTopics([
			{ topicId: topic("a"), groupId, name: "Casino a" },
			{ topicId: topic("b"), groupId, name: "Weekly chat" },
		]);
		await usePolicy({ renames: "destroy" });
		const page = { after: groupId, limit: 2 };
		const token = (await backtest(page)).json.preview?.token ?? "";
		const [payload, mac] = token.split(".");
		const forged = await backtest({ ...page, apply: true, previewToken: `${payload}.${mac?.slice(1)}x` });
		expect(forged.status).toBe(400);
		expect(forged.json.error?.field).toBe("previewToken");
		const otherPage = await backtest({ after: groupId, limit: 3, apply: true, previewToken: token });
		expect(otherPage.status).toBe(400);
		// The counts of the page changed: another of its topics was renamed to a refused name.
		await env.DB.prepare("UPDATE topics SET name = 'Casino b' WHERE topic_id = ?").bind(topic("b")).run();
		const counts = await backtest({ ...page, apply: true, previewToken: token });
		expect(counts.status).toBe(409);
		expect(counts.json.error?.field).toBe("previewToken");
		// The same counts, but other topics: topic a is innocent now and b refused.
		await env.DB.prepare("UPDATE topics SET name = 'Weekly a' WHERE topic_id = ?").bind(topic("a")).run();
		const swapped = (await backtest(page)).json;
		expect(swapped.refused.map((hit) => hit.topic_id)).toEqual([topic("b")]);
		await env.DB.prepare("UPDATE topics SET name = 'Casino a' WHERE topic_id = ?").bind(topic("a")).run();
		await env.DB.prepare("UPDATE topics SET name = 'Weekly b' WHERE topic_id = ?").bind(topic("b")).run();
		const before = (await backtest(page)).json.preview?.token ?? "";
		await env.DB.prepare("UPDATE topics SET name = 'Weekly a' WHERE topic_id = ?").bind(topic("a")).run();
		await env.DB.prepare("UPDATE topics SET name = 'Casino b' WHERE topic_id = ?").bind(topic("b")).run();
		const otherTopics = await backtest({ ...page, apply: true, previewToken: before });
		expect(otherTopics.status).toBe(409);
		expect(otherTopics.json.error?.message).toContain("refused topics or their names changed");
		// The live policy changed since the preview.
		const fresh = (await backtest(page)).json.preview?.token ?? "";
		await usePolicy({ renames: "destroy" });
		const changed = await backtest({ ...page, apply: true, previewToken: fresh });
		expect(changed.status).toBe(409);
		expect(changed.json.error?.message).toContain("policy changed");
		// Older than 10 minutes.
		const current = (await backtest(page)).json.preview?.token ?? "";
		vi.useFakeTimers({ toFake: ["Date"] });
		try {
			vi.setSystemTime(Date.now() + 10 * 60 * 1000 + 1_000);
			const old = await backtest({ ...page, apply: true, previewToken: current });
			expect(old.status).toBe(409);
			expect(old.json.error?.message).toContain("older than 10 minutes");
		} finally {
			vi.useRealTimers();
		}
		expect(await actionsOf({ group: groupId })).toEqual([]);
	});
});
