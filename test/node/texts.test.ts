// Texts over real sockets: the Worker started by wrangler on 127.0.0.1, Tencent's REST API played by the
// recording stand-in on another loopback port, callbacks signed as Tencent signs them. A refused
// introduction, notification or face URL is reverted (or cleared) through modify_topic and
// modify_group_base_info once Tencent confirms it; innocent texts, bypass operators and the Worker's own
// changes are left alone; a policy without `texts` judges no text at all.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_SECRET_KEY } from "../support/fake-tencent.mjs";
import { type FakeTencentServer, type RecordedCall, startFakeTencent } from "./support/fake-tencent-server";
import { enforcementHarness, pollUntil, settled } from "./support/signed";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "admin-token-for-texts-socket-test-0123456789";
const CALLBACK_TOKEN = "callback-token-for-texts-socket-test";
const APP = "1400000000";
const MODIFY_TOPIC = "million_group_open_http_svc/modify_topic";
const MODIFY_GROUP = "group_open_http_svc/modify_group_base_info";

const NAMES = {
	operators: { bypass: ["moderator"] },
	names: { banned: ["casino", { match: "word-start", value: "ass" }] },
};
const WITHOUT_TEXTS = {
	version: "without-texts",
	...NAMES,
	enforcement: { renames: "revert", texts: "revert" },
};
const WITH_TEXTS = {
	version: "with-texts",
	...NAMES,
	texts: {
		fields: ["Introduction", "Notification"],
		banned: "names",
		maxLength: 400,
		faceUrl: { hosts: ["cdn.example.com"], https: true },
	},
	enforcement: { renames: "revert", texts: "revert" },
};

interface Action {
	topic_id: string | null;
	group_id: string;
	field: string;
	status: string;
	action: string;
	old_name: string;
	new_name: string | null;
	confirmed_name: string | null;
	rule: string | null;
}

let tencent: FakeTencentServer;
let worker: RunningWorker;

const control = <T>(path: string, body: unknown): Promise<T> => tencent.control<T>(path, body);
const calls = (groupId: string) => control<RecordedCall[]>("calls", { groupId });
const callsNaming = (text: string) => control<RecordedCall[]>("calls-naming", { text });

beforeAll(async () => {
	tencent = await startFakeTencent();
	worker = await startWorker({
		vars: { SDKAPPID: APP, TENCENT_API_BASE: tencent.base, TENCENT_ADMIN_IDENTIFIER: "administrator" },
		secrets: { TENCENT_SECRET_KEY: FAKE_SECRET_KEY, ADMIN_TOKEN, CALLBACK_TOKEN },
		policyKv: { policy: JSON.stringify(WITHOUT_TEXTS) },
	});
});

afterAll(async () => {
	await worker?.stop();
	await tencent?.close();
});

const harness = enforcementHarness<Action>(() => worker, {
	callbackToken: CALLBACK_TOKEN,
	adminToken: ADMIN_TOKEN,
	app: APP,
	prefix: "text",
});
const { api, ledger, ledgerUntil, community, drained } = harness;

/** A signed callback, answered as every accepted after-callback is. */
async function callback(command: string, body: Record<string, unknown>): Promise<void> {
	const response = await harness.callback(command, body);
	expect(await response.json()).toEqual({ ActionStatus: "OK", ErrorInfo: "", ErrorCode: 0 });
}

/** The one ledger row of a topic (or group), once it settled. */
const settledRow = async (query: string) => (await ledgerUntil(query, (rows) => settled(rows)))[0];

/** A topic of a new community whose earlier profile Tencent reported (AfterCreateTopic) and Tencent now holds. */
async function topicWith(created: Record<string, string>, now: Record<string, string>) {
	const { groupId, topic } = community();
	const topicId = topic("t");
	await control("topics", { groupId, topics: [{ topicId, name: "Weekly chat", ...now }] });
	await callback("Group.CallbackAfterCreateTopic", {
		GroupId: groupId,
		TopicId: topicId,
		Operator_Account: "leckie",
		Owner_Account: "leckie",
		Type: "Community",
		Name: "Weekly chat",
		...created,
	});
	return { groupId, topicId };
}

describe("a policy without texts", () => {
	it("changes nothing: a banned notification is neither recorded nor acted on", async () => {
		const { groupId, topicId } = await topicWith(
			{ Notification: "Welcome" },
			{ notification: "Casino tonight" },
		);
		await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: groupId,
			TopicId: topicId,
			Operator_Account: "leckie",
			Notification: "Casino tonight",
		});
		await drained();
		expect(await ledger(`topic=${encodeURIComponent(topicId)}`)).toEqual([]);
		expect(await callsNaming(topicId)).toEqual([]);
	});
});

describe("a policy with texts", () => {
	beforeAll(async () => {
		const published = await api("PUT", "/api/policy", { policy: JSON.stringify(WITH_TEXTS) });
		expect(published.status).toBe(200);
		// Each isolate picks a publication up on its own schedule: a check decides with this one's policy.
		await pollUntil(
			() => api<{ policyVersion: string }>("POST", "/api/policy/check", { Operator_Account: "t", Name: "x" }),
			(checked) => checked.json.policyVersion === "with-texts",
			"the published policy",
		);
	});

	it("reverts a topic notification holding a banned word (an evasion) to the previous one within 30 s, and its own revert causes no loop", async () => {
		const refused = "Tonight: free chips at the c4s1no, bring friends!";
		const { groupId, topicId } = await topicWith(
			{ Notification: "Welcome, say hi" },
			{ notification: refused },
		);
		await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: groupId,
			TopicId: topicId,
			Type: "Community",
			Operator_Account: "leckie",
			Notification: refused,
		});
		const answeredAt = Date.now();
		const row = await settledRow(`topic=${encodeURIComponent(topicId)}`);
		expect(row).toMatchObject({
			field: "notification",
			action: "revert",
			status: "done",
			old_name: refused,
			new_name: "Welcome, say hi",
			confirmed_name: refused,
			rule: 'names.banned[0] "casino"',
		});
		const modifies = (await calls(groupId)).filter((call) => call.command === MODIFY_TOPIC);
		expect(modifies.map((call) => call.body)).toEqual([
			{ GroupId: groupId, TopicId: topicId, Notification: "Welcome, say hi" },
		]);
		expect(modifies[0]?.at ?? Number.POSITIVE_INFINITY).toBeLessThan(answeredAt + 30_000);
		expect(modifies[0]?.userSigProblem).toBeNull();

		// Tencent reports the Worker's own revert, then an admin change to a refused text: neither acts.
		for (const notification of ["Welcome, say hi", refused])
			await callback("Group.CallbackAfterTopicInfoChanged", {
				GroupId: groupId,
				TopicId: topicId,
				Operator_Account: "administrator",
				Notification: notification,
			});
		await drained();
		expect((await calls(groupId)).filter((call) => call.command === MODIFY_TOPIC)).toHaveLength(1);
		expect(await ledger(`topic=${encodeURIComponent(topicId)}`)).toHaveLength(1);
	});

	it("clears a group introduction that has no earlier value", async () => {
		const { groupId } = community();
		await control("group", {
			groupId,
			group: { Name: "Card players", Owner_Account: "leckie", Introduction: "We meet at the casino" },
		});
		await callback("Group.CallbackAfterGroupInfoChanged", {
			GroupId: groupId,
			Type: "Community",
			Operator_Account: "leckie",
			Introduction: "We meet at the casino",
		});
		const row = await settledRow(`group=${encodeURIComponent(groupId)}`);
		expect(row).toMatchObject({ field: "introduction", action: "revert", status: "done", new_name: "" });
		expect(
			(await calls(groupId)).filter((call) => call.command === MODIFY_GROUP).map((call) => call.body),
		).toEqual([{ GroupId: groupId, Introduction: "" }]);
		expect(
			(await control<{ group: { Introduction: string } }>("state", { groupId })).group.Introduction,
		).toBe("");
	});

	it("resets a face URL on another host to the last allowed one", async () => {
		const good = "https://img.cdn.example.com/a.png";
		const bad = "https://cdn.example.com.evil.example/a.png";
		const { groupId, topicId } = await topicWith({ FaceUrl: good }, { faceUrl: bad });
		await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: groupId,
			TopicId: topicId,
			Operator_Account: "leckie",
			FaceUrl: bad,
		});
		const row = await settledRow(`topic=${encodeURIComponent(topicId)}`);
		expect(row).toMatchObject({
			field: "face_url",
			status: "done",
			rule: "texts.faceUrl.hosts",
			new_name: good,
		});
		expect(
			(await calls(groupId)).filter((call) => call.command === MODIFY_TOPIC).map((call) => call.body),
		).toEqual([{ GroupId: groupId, TopicId: topicId, FaceUrl: good }]);
	});

	it("leaves alone an innocent notification sharing letters with a banned word, and a bypass operator's change", async () => {
		const innocent = "Class starts at nine: bring your passport and a classic casserole";
		const scunthorpe = await topicWith({ Notification: "Welcome" }, { notification: innocent });
		await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: scunthorpe.groupId,
			TopicId: scunthorpe.topicId,
			Operator_Account: "leckie",
			Notification: innocent,
		});
		const bypassed = await topicWith({ Notification: "Welcome" }, { notification: "Casino night!" });
		await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: bypassed.groupId,
			TopicId: bypassed.topicId,
			Operator_Account: "moderator",
			Notification: "Casino night!",
		});
		await drained();
		for (const { topicId } of [scunthorpe, bypassed]) {
			expect(await ledger(`topic=${encodeURIComponent(topicId)}`)).toEqual([]);
			expect(await callsNaming(topicId)).toEqual([]);
		}
	});
});
