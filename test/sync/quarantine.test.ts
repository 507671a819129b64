import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { boundedBody, QUARANTINE_BODY_LIMIT } from "../../src/store/quarantine";
import { SDK_APP_ID, samples, sendCallback, unique } from "../support/tencent";
import { d1Down } from "./faults";

interface QuarantineRow {
	id: number;
	received_at: number;
	command: string;
	sdk_app_id: string;
	reason: string;
	body: string;
	body_bytes: number;
	body_truncated: number;
	resolved_at: number | null;
	resolution: string | null;
}

/** The quarantine rows whose body contains `marker`. */
async function quarantined(marker: string): Promise<QuarantineRow[]> {
	const { results } = await env.DB.prepare("SELECT * FROM quarantine WHERE instr(body, ?) > 0 ORDER BY id")
		.bind(marker)
		.all<QuarantineRow>();
	return results;
}

async function countEvents(groupId: string): Promise<number> {
	return (
		(await env.DB.prepare("SELECT count(*) AS n FROM events WHERE group_id = ?")
			.bind(groupId)
			.first<number>("n")) ?? 0
	);
}

describe("quarantine of authenticated bodies that fail validation", () => {
	it("keeps a body that is not JSON, raw, with the reason, and still answers 400", async () => {
		const marker = `broken-${unique()}`;
		const raw = `{"CallbackCommand":"Group.CallbackAfterCreateTopic","GroupId":"${marker}",`;
		const res = await sendCallback("Group.CallbackAfterCreateTopic", raw);
		expect(res.status).toBe(400);
		expect(await quarantined(marker)).toEqual([
			{
				id: expect.any(Number),
				received_at: expect.any(Number),
				command: "Group.CallbackAfterCreateTopic",
				sdk_app_id: SDK_APP_ID,
				reason: expect.stringContaining("not JSON"),
				body: raw,
				body_bytes: new TextEncoder().encode(raw).byteLength,
				body_truncated: 0,
				resolved_at: null,
				resolution: null,
			},
		]);
	});

	it("keeps a body that fails the schema exactly as sent, and stores no event", async () => {
		const groupId = `@TGS#q${unique()}`;
		// A format change: EventTime in an unexpected shape, fields the schema does not know.
		const raw = JSON.stringify({
			...samples.afterGroupInfoChanged(groupId),
			EventTime: { ms: 1 },
			NewField: [1],
		});
		const res = await sendCallback("Group.CallbackAfterGroupInfoChanged", raw);
		expect(res.status).toBe(400);
		const [row] = await quarantined(groupId);
		expect(row).toMatchObject({ command: "Group.CallbackAfterGroupInfoChanged", body: raw });
		expect(row?.reason).toMatch(/EventTime/);
		expect(await countEvents(groupId)).toBe(0);
	});

	it("keeps a body whose CallbackCommand differs from the URL's", async () => {
		const groupId = `@TGS#m${unique()}`;
		const res = await sendCallback(
			"Group.CallbackAfterTopicDestroyed",
			samples.afterCreateTopic(`${groupId}@TOPIC#_x`, groupId),
		);
		expect(res.status).toBe(400);
		const [row] = await quarantined(groupId);
		expect(row).toMatchObject({
			command: "Group.CallbackAfterTopicDestroyed",
			reason: expect.stringMatching(/CallbackCommand/),
		});
	});

	it("keeps an invalid before-callback body while answering the fail-mode 200", async () => {
		const marker = `before-${unique()}`;
		const res = await sendCallback("Group.CallbackBeforeCreateTopic", {
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
			Operator_Account: 7,
			Name: marker,
		});
		expect(res).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		const [row] = await quarantined(marker);
		expect(row).toMatchObject({
			command: "Group.CallbackBeforeCreateTopic",
			reason: expect.stringMatching(/Operator_Account/),
		});
	});

	it("cuts a large body at 64 KiB and records its full size", async () => {
		const marker = `big-${unique()}`;
		const raw = JSON.stringify({
			...samples.afterCreateTopic(`${marker}@TOPIC#_x`, marker),
			Name: "名".repeat(40_000),
		});
		const res = await sendCallback("Group.CallbackAfterCreateTopic", raw);
		expect(res.status).toBe(400);
		const [row] = await quarantined(marker);
		const fullBytes = new TextEncoder().encode(raw).byteLength;
		expect(fullBytes).toBeGreaterThan(QUARANTINE_BODY_LIMIT);
		expect(row).toMatchObject({ body_bytes: fullBytes, body_truncated: 1 });
		expect(raw.startsWith(row?.body ?? "?")).toBe(true);
		expect(new TextEncoder().encode(row?.body).byteLength).toBeLessThanOrEqual(QUARANTINE_BODY_LIMIT);
	});

	it("never cuts inside a character", () => {
		// "é" is two bytes: a 3-byte limit must keep one character, not one and a half.
		expect(boundedBody("ééé", 3)).toEqual({ text: "é", bytes: 6, truncated: true });
		expect(boundedBody("abc", 3)).toEqual({ text: "abc", bytes: 3, truncated: false });
	});

	it("still answers 400, not 5xx, when D1 cannot take the quarantine row", async () => {
		const res = await sendCallback("Group.CallbackAfterCreateTopic", "{not json", { env: { DB: d1Down() } });
		expect(res.status).toBe(400);
		expect(res.json).toMatchObject({ ActionStatus: "FAIL", ErrorInfo: expect.stringMatching(/not JSON/) });
		const before = await sendCallback("Group.CallbackBeforeCreateTopic", "{not json", {
			env: { DB: d1Down() },
		});
		expect(before.status).toBe(200);
	});
});
