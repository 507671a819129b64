// The acceptance run of enforcement over real sockets: the Worker started by wrangler on 127.0.0.1, Tencent's
// REST API played by a recording HTTP server on another loopback port (TENCENT_API_BASE points there),
// callbacks signed with the console token as Tencent signs them. Enforcement acts only on what Tencent
// confirms, within the hourly caps, and records who asked.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_SECRET_KEY } from "../support/fake-tencent.mjs";
import { type FakeTencentServer, startFakeTencent } from "./support/fake-tencent-server";
import { enforcementHarness, settled } from "./support/signed";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "admin-token-for-enforcement-socket-test-0123456789";
const CALLBACK_TOKEN = "callback-token-for-enforcement-socket-test";
const APP = "1400000000";
/** A second app of the same Worker: the caps count per SdkAppid, so the cap test has one of its own. */
const CAPPED_APP = "1400000001";
const DESTROY = "million_group_open_http_svc/destroy_topic";
const MODIFY = "million_group_open_http_svc/modify_topic";
const GET = "million_group_open_http_svc/get_topic";

interface Recorded {
	at: number;
	command: string;
	body: Record<string, unknown>;
	query: Record<string, string>;
	userSigProblem: string | null;
}

interface Action {
	id: number;
	topic_id: string | null;
	status: string;
	action: string;
	trigger: string;
	old_name: string;
	new_name: string | null;
	confirmed_name: string | null;
	requested_by: string | null;
	policy_version: string | null;
	reason: string | null;
	attempts: number;
}

let tencent: FakeTencentServer;
let worker: RunningWorker;

/** The stand-in's control paths, called in-process. */
const control = <T>(path: string, body: unknown): Promise<T> => tencent.control<T>(path, body);

const calls = (groupId: string) => control<Recorded[]>("calls", { groupId });
const callsNaming = (text: string) => control<Recorded[]>("calls-naming", { text });

beforeAll(async () => {
	// The recording stand-in for Tencent's REST API, on its own loopback port.
	tencent = await startFakeTencent();
	worker = await startWorker({
		vars: {
			SDKAPPID: `${APP},${CAPPED_APP}`,
			TENCENT_API_BASE: tencent.base,
			TENCENT_ADMIN_IDENTIFIER: "administrator",
		},
		secrets: { TENCENT_SECRET_KEY: FAKE_SECRET_KEY, ADMIN_TOKEN, CALLBACK_TOKEN },
		policyKv: {
			policy: JSON.stringify({
				version: "socket-enforcement",
				names: { banned: ["casino"] },
				enforcement: { renames: "revert", creates: "destroy" },
			}),
		},
	});
});

afterAll(async () => {
	await worker?.stop();
	await tencent?.close();
});

const { callback, api, ledgerUntil, community, drained } = enforcementHarness<Action>(() => worker, {
	callbackToken: CALLBACK_TOKEN,
	adminToken: ADMIN_TOKEN,
	app: APP,
	prefix: "sock",
});

describe("enforcement over real sockets", () => {
	it("reverts a real banned rename with one modify_topic call within 30 s, and never its own change", async () => {
		const { groupId, topic } = community();
		const topicId = topic("t");
		await control("topics", { groupId, topics: [{ topicId, name: "Casino night" }] });
		expect(
			(
				await callback("Group.CallbackAfterCreateTopic", {
					GroupId: groupId,
					TopicId: topicId,
					Operator_Account: "group_root",
					Owner_Account: "leckie",
					Type: "Community",
					Name: "MyFirstTopic",
				})
			).status,
		).toBe(200);
		// Tencent's rename sample: GroupId only, no TopicId.
		const renamed = await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: groupId,
			Type: "Community",
			Operator_Account: "leckie",
			Name: "Casino night",
		});
		const answeredAt = Date.now();
		expect(await renamed.json()).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
		const [row] = await ledgerUntil(`topic=${encodeURIComponent(topicId)}`, (rows) => settled(rows));
		expect(row).toMatchObject({
			trigger: "Group.CallbackAfterTopicInfoChanged",
			old_name: "Casino night",
			new_name: "MyFirstTopic",
			confirmed_name: "Casino night",
			action: "revert",
			status: "done",
			requested_by: "callback",
			policy_version: "socket-enforcement",
		});
		const modifies = (await calls(groupId)).filter((call) => call.command === MODIFY);
		expect(modifies).toHaveLength(1);
		console.log(`after-event answered → modify_topic received: ${(modifies[0]?.at ?? 0) - answeredAt} ms`);
		expect(modifies[0]?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(answeredAt + 30_000);
		expect(modifies[0]?.body).toEqual({ GroupId: groupId, TopicId: topicId, TopicName: "MyFirstTopic" });
		expect(modifies[0]?.userSigProblem).toBeNull();

		// Tencent reports the admin's own change; even to a banned name that Tencent confirms, nothing acts.
		await control("topics", { groupId, topics: [{ topicId, name: "Casino night" }] });
		await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: groupId,
			TopicId: topicId,
			Type: "Community",
			Operator_Account: "administrator",
			Name: "Casino night",
		});
		await drained();
		expect((await calls(groupId)).filter((call) => call.command === MODIFY)).toHaveLength(1);
	});

	it("acts on no forged after-event: Tencent lists the topics under innocent names", async () => {
		const { groupId, topic } = community();
		await control("topics", {
			groupId,
			topics: [
				{ topicId: topic("garden"), name: "Garden club" },
				{ topicId: topic("chess"), name: "Chess corner" },
			],
		});
		await callback("Group.CallbackAfterCreateTopic", {
			GroupId: groupId,
			TopicId: topic("garden"),
			Operator_Account: "leckie",
			Type: "Community",
			Name: "casino",
		});
		await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: groupId,
			TopicId: topic("chess"),
			Type: "Community",
			Operator_Account: "leckie",
			Name: "casino royale",
		});
		const rows = await ledgerUntil(`group=${encodeURIComponent(groupId)}`, (found) => settled(found, 2));
		expect(rows.map((row) => [row.topic_id, row.action, row.status, row.confirmed_name])).toEqual([
			[topic("garden"), "destroy", "skipped", "Garden club"],
			[topic("chess"), "revert", "skipped", "Chess corner"],
		]);
		await drained();
		expect((await callsNaming(groupId)).map((call) => call.command)).toEqual([GET, GET]);
	});

	it("destroys at most 20 of 25 banned creations an hour, holds the rest, and resumes them through the API", async () => {
		const { groupId, topic } = community();
		const topics = Array.from({ length: 25 }, (_, index) => ({
			topicId: topic(`c${index}`),
			name: `Casino ${index}`,
		}));
		await control("topics", { groupId, topics });
		for (const { topicId, name } of topics)
			expect(
				(
					await callback(
						"Group.CallbackAfterCreateTopic",
						{ GroupId: groupId, TopicId: topicId, Operator_Account: "leckie", Type: "Community", Name: name },
						{ app: CAPPED_APP },
					)
				).status,
			).toBe(200);
		const rows = await ledgerUntil(`group=${encodeURIComponent(groupId)}`, (found) => settled(found, 25));
		const byStatus = (status: string) => rows.filter((row) => row.status === status);
		expect(byStatus("done")).toHaveLength(20);
		expect(byStatus("held")).toHaveLength(5);
		expect((await calls(groupId)).filter((call) => call.command === DESTROY)).toHaveLength(20);
		const hold = await api<{ held: number; caps: Record<string, number> }>("GET", "/api/enforcement/hold");
		expect(hold.json).toMatchObject({ held: 5, caps: { destroysPerHour: 20, renamesPerHour: 200 } });

		expect(await api("POST", "/api/enforcement/resume", { all: true })).toEqual({
			status: 200,
			json: { resumed: 5 },
		});
		const after = await ledgerUntil(`group=${encodeURIComponent(groupId)}`, (found) =>
			found.every((row) => row.status === "done"),
		);
		expect(after.filter((row) => row.reason === "resumed by api token")).toHaveLength(5);
		expect((await calls(groupId)).filter((call) => call.command === DESTROY)).toHaveLength(25);
	});

	it("applies a backtest only with the live policy's preview token, recording who asked", async () => {
		const { groupId, topic } = community();
		const names = { a: "Casino a", b: "Weekly chat", c: "Casino c" };
		await control("topics", {
			groupId,
			topics: Object.entries(names).map(([id, name]) => ({ topicId: topic(id), name })),
		});
		for (const [id, name] of Object.entries(names))
			await callback("Group.CallbackAfterCreateTopic", {
				GroupId: groupId,
				TopicId: topic(id),
				Operator_Account: "trusted-importer",
				Type: "Community",
				Name: name,
			});
		// The banned creations were destroyed on creation; put them back on Tencent's side, as if restored.
		await drained();
		await control("topics", {
			groupId,
			topics: Object.entries(names).map(([id, name]) => ({ topicId: topic(id), name })),
		});
		const before = (await calls(groupId)).length;
		const page = { after: groupId, limit: 3, app: APP };
		const draft = await api<{ error: { field: string } }>("POST", "/api/policy/backtest", {
			...page,
			apply: true,
			policy: { names: { banned: ["weekly"] }, enforcement: { renames: "destroy" } },
		});
		expect(draft.status).toBe(400);
		expect(draft.json.error.field).toBe("apply");
		const untokened = await api<{ error: { field: string } }>("POST", "/api/policy/backtest", {
			...page,
			apply: true,
		});
		expect(untokened.status).toBe(400);
		expect(untokened.json.error.field).toBe("previewToken");

		const preview = await api<{ preview: { token: string; counts: Record<string, number> } }>(
			"POST",
			"/api/policy/backtest",
			page,
		);
		expect(preview.json.preview.counts).toEqual({ revert: 2, rename: 0, destroy: 0, log: 0, clear: 0 });
		const stale = await api<{ error: { field: string } }>("POST", "/api/policy/backtest", {
			...page,
			apply: true,
			previewToken: preview.json.preview.token.replace(/^./, (c) => (c === "e" ? "f" : "e")),
		});
		expect(stale.status).toBe(400);
		const applied = await api<{ applied: { recorded: number; queued: number } }>(
			"POST",
			"/api/policy/backtest",
			{
				...page,
				apply: true,
				previewToken: preview.json.preview.token,
			},
		);
		expect(applied).toMatchObject({ status: 200, json: { applied: { recorded: 2, queued: 2 } } });
		const rows = await ledgerUntil(`group=${encodeURIComponent(groupId)}`, (found) =>
			settled(
				found.filter((row) => row.trigger === "backtest"),
				2,
			),
		);
		const swept = rows.filter((row) => row.trigger === "backtest");
		expect(swept.map((row) => [row.topic_id, row.status, row.requested_by, row.policy_version])).toEqual([
			[topic("a"), "done", "api token", "socket-enforcement"],
			[topic("c"), "done", "api token", "socket-enforcement"],
		]);
		expect((await calls(groupId)).slice(before).filter((call) => call.command === MODIFY)).toHaveLength(2);

		// Once the policy changes, the old token is refused with 409.
		const republished = await api<Record<string, unknown>>("PUT", "/api/policy", {
			policy: JSON.stringify({
				version: "socket-enforcement-2",
				names: { banned: ["casino", "weekly"] },
				enforcement: { renames: "revert", creates: "destroy" },
			}),
		});
		expect(republished.status).toBe(200);
		const after = await api<{ error: { field: string } }>("POST", "/api/policy/backtest", {
			...page,
			apply: true,
			previewToken: preview.json.preview.token,
		});
		expect(after.status).toBe(409);
	});

	it("stores a re-signed redelivery of a creation or deletion once; A → B → A stays three events", async () => {
		const { groupId, topic } = community();
		const topicId = topic("once");
		const events = async (command: string) => {
			const page = await api<{ events: { command: string }[] }>(
				"GET",
				`/api/topics/${encodeURIComponent(topicId)}?limit=100`,
			);
			return page.json.events.filter((event) => event.command === command).length;
		};
		const create = {
			GroupId: groupId,
			TopicId: topicId,
			Operator_Account: "leckie",
			Type: "Community",
			Name: "A",
		};
		const now = Math.floor(Date.now() / 1000);
		await callback("Group.CallbackAfterCreateTopic", create, { requestTime: now - 2 });
		await callback("Group.CallbackAfterCreateTopic", create, { requestTime: now - 1 });
		for (const [index, name] of ["B", "A", "B"].entries())
			await callback(
				"Group.CallbackAfterTopicInfoChanged",
				{ GroupId: groupId, TopicId: topicId, Type: "Community", Operator_Account: "leckie", Name: name },
				{ requestTime: now - 10 + index },
			);
		const destroyed = { GroupId: groupId, Type: "Community", TopicIdList: [topicId] };
		await callback("Group.CallbackAfterTopicDestroyed", destroyed, { requestTime: now - 2 });
		await callback("Group.CallbackAfterTopicDestroyed", destroyed, { requestTime: now });
		expect(await events("Group.CallbackAfterCreateTopic")).toBe(1);
		expect(await events("Group.CallbackAfterTopicInfoChanged")).toBe(3);
		expect(await events("Group.CallbackAfterTopicDestroyed")).toBe(1);
	});
});
