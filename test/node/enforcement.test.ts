// The acceptance run of enforcement over real sockets: the Worker started by wrangler on 127.0.0.1, Tencent's
// REST API played by a recording HTTP server on another loopback port (TENCENT_API_BASE points there).
// A rename to a banned name, sent as Tencent sends it, must produce exactly one correct modify_topic call
// within seconds, visible in /api/enforcement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_SECRET_KEY } from "../support/fake-tencent.mjs";
import { type FakeTencentServer, startFakeTencent } from "./support/fake-tencent-server";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "admin-token-for-enforcement-socket-test-0123456789";
const GROUP_ID = "@TGS#_@TGS#cQVLVHIM62CJ";
const TOPIC_ID = `${GROUP_ID}@TOPIC#_@TOPIC#cRTE3HIM62C5`;

interface Recorded {
	at: number;
	command: string;
	body: Record<string, unknown>;
	query: Record<string, string>;
	userSigProblem: string | null;
}

let tencent: FakeTencentServer;
let worker: RunningWorker;

/** The stand-in's control paths, called in-process. */
const control = <T>(path: string, body: unknown): Promise<T> => tencent.control<T>(path, body);

beforeAll(async () => {
	// The recording stand-in for Tencent's REST API, on its own loopback port.
	tencent = await startFakeTencent();
	worker = await startWorker({
		vars: {
			TENCENT_API_BASE: tencent.base,
			TENCENT_ADMIN_IDENTIFIER: "administrator",
			ALLOW_UNSIGNED_CALLBACKS: "true",
		},
		secrets: { TENCENT_SECRET_KEY: FAKE_SECRET_KEY, ADMIN_TOKEN },
		policyKv: {
			policy: JSON.stringify({
				version: "socket-enforcement",
				names: { banned: ["casino"] },
				enforcement: { renames: "revert" },
			}),
		},
	});
});

afterAll(async () => {
	await worker?.stop();
	await tencent?.close();
});

function callback(command: string, body: Record<string, unknown>) {
	const query = new URLSearchParams({
		SdkAppid: "1400000000",
		CallbackCommand: command,
		contenttype: "json",
		ClientIP: "127.0.0.1",
		OptPlatform: "RESTAPI",
	});
	return worker.fetch(`/?${query}`, {
		method: "POST",
		body: JSON.stringify({ CallbackCommand: command, ...body }),
	});
}

describe("enforcement on a local wrangler dev", () => {
	it("reverts a rename to a banned name with exactly one modify_topic call, within seconds", async () => {
		await control("topics", { groupId: GROUP_ID, topics: [{ topicId: TOPIC_ID, name: "Casino night" }] });
		const created = await callback("Group.CallbackAfterCreateTopic", {
			GroupId: GROUP_ID,
			TopicId: TOPIC_ID,
			Operator_Account: "group_root",
			Owner_Account: "leckie",
			Type: "Community",
			Name: "MyFirstTopic",
		});
		expect(created.status).toBe(200);
		// Tencent's rename sample: GroupId only, no TopicId.
		const renamed = await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: GROUP_ID,
			Type: "Community",
			Operator_Account: "leckie",
			Name: "Casino night",
			Introduction: "TestIntroduction",
			Notification: "NewNotification",
			FaceUrl: "http://this.is.face.url",
		});
		const answeredAt = Date.now();
		expect(renamed.status).toBe(200);
		expect(await renamed.json()).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });

		const modifies = async () =>
			(await control<Recorded[]>("calls", { groupId: GROUP_ID })).filter(
				(call) => call.command === "million_group_open_http_svc/modify_topic",
			);
		let calls: Recorded[] = [];
		for (let waited = 0; waited < 30_000 && calls.length === 0; waited += 100) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			calls = await modifies();
		}
		expect(calls).toHaveLength(1);
		const [call] = calls;
		console.log(`after-event answered → modify_topic received: ${(call?.at ?? 0) - answeredAt} ms`);
		expect(call?.body).toEqual({ GroupId: GROUP_ID, TopicId: TOPIC_ID, TopicName: "MyFirstTopic" });
		expect(call?.query).toMatchObject({
			sdkappid: "1400000000",
			identifier: "administrator",
			contenttype: "json",
		});
		expect(call?.userSigProblem).toBeNull();

		const ledger = await worker.fetch(`/api/enforcement?topic=${encodeURIComponent(TOPIC_ID)}`, {
			headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
		});
		expect(ledger.status).toBe(200);
		const { actions } = (await ledger.json()) as { actions: Record<string, unknown>[] };
		expect(actions).toEqual([
			expect.objectContaining({
				trigger: "Group.CallbackAfterTopicInfoChanged",
				old_name: "Casino night",
				new_name: "MyFirstTopic",
				action: "revert",
				status: "done",
				attempts: 1,
			}),
		]);

		// Tencent reports the Worker's own change: stored, never acted on again.
		const ownChange = await callback("Group.CallbackAfterTopicInfoChanged", {
			GroupId: GROUP_ID,
			Type: "Community",
			Operator_Account: "administrator",
			Name: "MyFirstTopic",
		});
		expect(ownChange.status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 3_000));
		expect(await modifies()).toHaveLength(1);
	});
});
