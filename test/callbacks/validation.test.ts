import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { samples, sendCallback, unique } from "../support/tencent";

describe("after-callback validation", () => {
	it("answers 400 naming the missing field", async () => {
		const { GroupId: _dropped, ...body } = samples.afterCreateTopic(`@TGS#_v${unique()}@TOPIC#_a`);
		const res = await sendCallback("Group.CallbackAfterCreateTopic", body);
		expect(res.status).toBe(400);
		expect(res.json).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 400 });
		expect(res.json.ErrorInfo).toMatch(/GroupId/);
	});

	it("answers 400 naming every mistyped field", async () => {
		const res = await sendCallback("Group.CallbackAfterTopicDestroyed", {
			CallbackCommand: "Group.CallbackAfterTopicDestroyed",
			GroupId: 42,
			TopicIdList: "not-a-list",
		});
		expect(res.status).toBe(400);
		expect(res.json.ErrorInfo).toMatch(/GroupId/);
		expect(res.json.ErrorInfo).toMatch(/TopicIdList/);
	});

	it("answers 400 for a body that is not JSON", async () => {
		const res = await sendCallback("Group.CallbackAfterCreateTopic", "{not json");
		expect(res.status).toBe(400);
		expect(res.json.ErrorInfo).toMatch(/not JSON/);
	});

	it("answers 400 when the body's CallbackCommand differs from the URL's", async () => {
		const res = await sendCallback("Group.CallbackAfterTopicDestroyed", samples.afterCreateTopic());
		expect(res.status).toBe(400);
		expect(res.json.ErrorInfo).toMatch(/CallbackCommand/);
	});

	it("accepts EventTime as a string or a number and stores it as a number", async () => {
		const groupId = `@TGS#et${unique()}`;
		for (const eventTime of ["1670574414123", 1670574414124]) {
			const res = await sendCallback("Group.CallbackAfterGroupInfoChanged", {
				...samples.afterGroupInfoChanged(groupId),
				EventTime: eventTime,
			});
			expect(res.status).toBe(200);
		}
		const { results } = await env.DB.prepare("SELECT event_time FROM events WHERE group_id = ? ORDER BY id")
			.bind(groupId)
			.all<{ event_time: number }>();
		expect(results.map((row) => row.event_time)).toEqual([1670574414123, 1670574414124]);
		const bad = await sendCallback("Group.CallbackAfterGroupInfoChanged", {
			...samples.afterGroupInfoChanged(groupId),
			EventTime: "yesterday",
		});
		expect(bad.status).toBe(400);
		expect(bad.json.ErrorInfo).toMatch(/EventTime/);
	});

	it("tolerates unknown fields and keeps them in the payload", async () => {
		const groupId = `@TGS#uf${unique()}`;
		const res = await sendCallback("Group.CallbackAfterCreateGroup", {
			...samples.afterCreateGroup(groupId),
			NewFieldFromTencent: { nested: true },
		});
		expect(res.status).toBe(200);
		const payload = await env.DB.prepare("SELECT payload FROM events WHERE group_id = ?")
			.bind(groupId)
			.first<string>("payload");
		expect(JSON.parse(payload ?? "{}")).toMatchObject({ NewFieldFromTencent: { nested: true } });
	});
});

describe("before-callback validation", () => {
	it("answers an invalid body with 200 and the fail-mode answer (open by default)", async () => {
		const res = await sendCallback("Group.CallbackBeforeCreateTopic", {
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
			Name: 7,
		});
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
	});

	it("logs the fail-mode decision of an invalid body in decisions", async () => {
		const operator = `op-${unique()}`;
		await sendCallback("Group.CallbackBeforeCreateTopic", {
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
			Operator_Account: operator,
			Name: ["not", "a", "string"],
		});
		const row = await env.DB.prepare("SELECT * FROM decisions WHERE operator_account = ?")
			.bind(operator)
			.first<Record<string, unknown>>();
		expect(row).toMatchObject({
			command: "Group.CallbackBeforeCreateTopic",
			name: "",
			allowed: 1,
			error_code: 0,
			rule: "POLICY_FAIL_MODE=open",
			source: "fail-mode",
		});
	});

	it("refuses with code 1 when POLICY_FAIL_MODE is closed", async () => {
		const res = await sendCallback("Group.CallbackBeforeCreateTopic", "{broken", {
			env: { POLICY_FAIL_MODE: "closed" },
		});
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 1, ErrorInfo: "" } });
	});
});
