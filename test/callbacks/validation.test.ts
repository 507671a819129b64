import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callbackUrl, fetchWith, samples, sendCallback, unique } from "../support/tencent";

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
		const at = Date.now() - 60_000;
		for (const eventTime of [`${at}`, at + 1]) {
			const res = await sendCallback("Group.CallbackAfterGroupInfoChanged", {
				...samples.afterGroupInfoChanged(groupId),
				EventTime: eventTime,
			});
			expect(res.status).toBe(200);
		}
		const { results } = await env.DB.prepare("SELECT event_time FROM events WHERE group_id = ? ORDER BY id")
			.bind(groupId)
			.all<{ event_time: number }>();
		expect(results.map((row) => row.event_time)).toEqual([at, at + 1]);
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

describe("EventTime and IDs that would corrupt stored state", () => {
	const topicName = (topicId: string) =>
		env.DB.prepare("SELECT name FROM topics WHERE topic_id = ?").bind(topicId).first<string>("name");

	it("refuses an EventTime string that does not round-trip (past 2^53, leading zeros), naming EventTime", async () => {
		const groupId = `@TGS#rt${unique()}`;
		for (const eventTime of ["9007199254740993", "9999999999999999", "01670574414123"]) {
			const res = await sendCallback("Group.CallbackAfterGroupInfoChanged", {
				...samples.afterGroupInfoChanged(groupId),
				EventTime: eventTime,
			});
			expect(res.status, eventTime).toBe(400);
			expect(res.json.ErrorInfo, eventTime).toMatch(/EventTime/);
		}
		const stored = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE group_id = ?")
			.bind(groupId)
			.first<number>("n");
		expect(stored).toBe(0);
	});

	it("stores an EventTime far from the receive time as NULL, so it cannot freeze the topic's state", async () => {
		const groupId = `@TGS#_@TGS#fz${unique()}`;
		const topicId = `${groupId}@TOPIC#_frozen`;
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topicId, groupId));
		const yearAhead = Date.now() + 365 * 24 * 3600 * 1000;
		const future = await sendCallback(
			"Group.CallbackAfterTopicInfoChanged",
			samples.afterTopicInfoChanged(groupId, { TopicId: topicId, Name: "B", EventTime: `${yearAhead}` }),
		);
		expect(future.status).toBe(200);
		expect(await topicName(topicId)).toBe("B");
		const now = await sendCallback(
			"Group.CallbackAfterTopicInfoChanged",
			samples.afterTopicInfoChanged(groupId, { TopicId: topicId, Name: "C", EventTime: Date.now() }),
		);
		expect(now.status).toBe(200);
		// With the year-ahead time trusted, every later change would look older and be ignored.
		expect(await topicName(topicId)).toBe("C");
		const { results } = await env.DB.prepare(
			"SELECT event_time, json_extract(payload, '$.EventTime') AS sent FROM events WHERE topic_id = ? AND command = ? ORDER BY id",
		)
			.bind(topicId, "Group.CallbackAfterTopicInfoChanged")
			.all<{ event_time: number | null; sent: unknown }>();
		// The payload keeps what was sent (as a number, like every EventTime); event_time does not use it.
		expect(results[0]).toEqual({ event_time: null, sent: yearAhead });
		expect(results[1]?.event_time).toEqual(expect.any(Number));
	});

	it("refuses an ID with invalid UTF-8 instead of storing two different IDs as one", async () => {
		const groupId = `@TGS#u8${unique()}`;
		const encoder = new TextEncoder();
		const quarantined = () =>
			env.DB.prepare("SELECT count(*) AS n FROM quarantine WHERE reason LIKE ?")
				.bind("%GroupId%UTF-8%")
				.first<number>("n");
		const before = await quarantined();
		for (const invalid of [[0xff], [0xfe]]) {
			const head = encoder.encode(
				`{"CallbackCommand":"Group.CallbackAfterCreateGroup","GroupId":"${groupId}`,
			);
			const tail = encoder.encode('","Type":"Public","Operator_Account":"a","Owner_Account":"a","Name":"n"}');
			const body = new Uint8Array([...head, ...invalid, ...tail]);
			const res = await fetchWith(
				new Request(callbackUrl("Group.CallbackAfterCreateGroup"), { method: "POST", body }),
			);
			expect(res.status).toBe(400);
			expect(((await res.json()) as { ErrorInfo: string }).ErrorInfo).toMatch(/GroupId.*UTF-8/);
		}
		const stored = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE group_id LIKE ?")
			.bind(`${groupId}%`)
			.first<number>("n");
		expect(stored).toBe(0);
		expect(await quarantined()).toBe((before ?? 0) + 2);
	});
});
