// The quarantine API: list, look at, replay (stores the event once the body passes), dismiss; every
// action recorded; nothing replayed twice.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SDK_APP_ID, samples, sendCallback, unique } from "../support/tencent";
import { apiCall, apiGet, community } from "./admin";

/** A quarantine row as an older Worker would have left it: `body` refused then, for `reason`. */
async function quarantine(command: string, body: string, truncated = false): Promise<number> {
	const row = await env.DB.prepare(
		`INSERT INTO quarantine (received_at, command, sdk_app_id, reason, body, body_bytes, body_truncated)
		 VALUES (?, ?, ?, 'invalid under an older schema', ?, ?, ?) RETURNING id`,
	)
		.bind(1_700_000_000_000, command, SDK_APP_ID, body, body.length, truncated ? 1 : 0)
		.first<{ id: number }>();
	return row?.id as number;
}

async function actions(id: number) {
	const { results } = await env.DB.prepare(
		"SELECT action, outcome, detail FROM quarantine_actions WHERE quarantine_id = ? ORDER BY id",
	)
		.bind(id)
		.all<{ action: string; outcome: string; detail: string | null }>();
	return results;
}

describe("quarantine API", () => {
	it("replays a body that passes today: stores the event with its original time, once, and records it", async () => {
		const { groupId, topic } = community();
		const body = JSON.stringify(samples.afterCreateTopic(topic("replayed"), groupId));
		const id = await quarantine("Group.CallbackAfterCreateTopic", body);

		const replay = await apiCall("POST", `/api/quarantine/${id}/replay`);
		expect(replay.status).toBe(200);
		expect(replay.json).toEqual({ id, outcome: "stored", inserted: 1 });
		const stored = await env.DB.prepare("SELECT received_at FROM events WHERE topic_id = ?")
			.bind(topic("replayed"))
			.all<{ received_at: number }>();
		expect(stored.results).toEqual([{ received_at: 1_700_000_000_000 }]);
		expect(await actions(id)).toEqual([
			{ action: "replay", outcome: "stored", detail: "1 event row(s) added" },
		]);

		// Settled: a second replay or a dismissal is refused, and nothing is stored twice.
		expect((await apiCall("POST", `/api/quarantine/${id}/replay`)).status).toBe(409);
		expect((await apiCall("DELETE", `/api/quarantine/${id}`)).status).toBe(409);
		const count = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE topic_id = ?")
			.bind(topic("replayed"))
			.first<number>("n");
		expect(count).toBe(1);
		const view = await apiGet<{ entry: Record<string, unknown>; actions: unknown[] }>(
			`/api/quarantine/${id}`,
		);
		expect(view.json.entry).toMatchObject({ id, resolution: "replayed", body });
		expect(view.json.actions).toHaveLength(1);
	});

	it("answers 422 for a body that still fails, records the attempt, and leaves the row open", async () => {
		const marker = unique();
		const sent = await sendCallback("Group.CallbackAfterCreateTopic", {
			...samples.afterCreateTopic(),
			GroupId: 7,
			Name: marker,
		});
		expect(sent.status).toBe(400);
		const row = await env.DB.prepare("SELECT id FROM quarantine WHERE instr(body, ?) > 0")
			.bind(marker)
			.first<{ id: number }>();
		const id = row?.id as number;

		const replay = await apiCall("POST", `/api/quarantine/${id}/replay`);
		expect(replay.status).toBe(422);
		expect(replay.json).toEqual({
			error: {
				code: "unprocessable",
				message: expect.stringMatching(/GroupId/),
				detail: { id, outcome: "still_invalid" },
			},
		});
		expect(await actions(id)).toEqual([
			{ action: "replay", outcome: "still_invalid", detail: expect.stringMatching(/GroupId/) },
		]);
		const open = await apiGet<{ quarantine: { id: number }[] }>("/api/quarantine?limit=500");
		expect(open.json.quarantine.map((q) => q.id)).toContain(id);
	});

	it("refuses to replay a cut body or a before-callback, and records why", async () => {
		const cut = await quarantine(
			"Group.CallbackAfterCreateTopic",
			'{"CallbackCommand":"Group.Callback',
			true,
		);
		const before = await quarantine(
			"Group.CallbackBeforeCreateTopic",
			JSON.stringify(samples.beforeCreateTopic()),
		);
		for (const id of [cut, before]) {
			const replay = await apiCall("POST", `/api/quarantine/${id}/replay`);
			expect(replay.status).toBe(422);
			expect(replay.json).toMatchObject({
				error: { code: "unprocessable", detail: { id, outcome: "not_replayable" } },
			});
			expect(await actions(id)).toEqual([
				{ action: "replay", outcome: "not_replayable", detail: expect.any(String) },
			]);
		}
	});

	it("dismisses a row: kept, marked, recorded, and no longer listed as open", async () => {
		const id = await quarantine("Group.CallbackAfterGroupInfoChanged", "{not json");
		const dismissed = await apiCall("DELETE", `/api/quarantine/${id}`);
		expect(dismissed.status).toBe(200);
		expect(dismissed.json).toEqual({ id, outcome: "dismissed" });
		expect(await actions(id)).toEqual([{ action: "dismiss", outcome: "dismissed", detail: null }]);
		const open = await apiGet<{ quarantine: { id: number }[] }>("/api/quarantine?limit=500");
		expect(open.json.quarantine.map((q) => q.id)).not.toContain(id);
		const resolved = await apiGet<{ quarantine: { id: number; resolution: string }[] }>(
			`/api/quarantine?status=resolved&after=${id - 1}&limit=1`,
		);
		expect(resolved.json.quarantine).toEqual([expect.objectContaining({ id, resolution: "dismissed" })]);
	});

	it("pages the list by id and refuses bad ids and parameters with 4xx naming them", async () => {
		const ids = [];
		for (let i = 0; i < 3; i++) ids.push(await quarantine("Group.CallbackAfterCreateTopic", `{"page":${i}}`));
		const first = await apiGet<{ quarantine: { id: number }[]; next: number | null }>(
			`/api/quarantine?after=${(ids[0] as number) - 1}&limit=2`,
		);
		expect(first.json.quarantine.map((q) => q.id)).toEqual(ids.slice(0, 2));
		expect(first.json.next).toBe(ids[1]);
		expect((await apiGet("/api/quarantine/abc")).status).toBe(400);
		expect((await apiGet("/api/quarantine/999999999")).status).toBe(404);
		expect((await apiCall("POST", "/api/quarantine/999999999/replay")).status).toBe(404);
		const bad = await apiGet("/api/quarantine?status=closed");
		expect(bad.status).toBe(400);
		expect(bad.json).toMatchObject({ error: { code: "bad_request", field: "status" } });
	});
});

describe("GET /api/groups/{groupId}/events", () => {
	it("lists the community's history, group-level and topic events, paged in id order", async () => {
		const { groupId, topic } = community();
		await sendCallback("Group.CallbackAfterCreateTopic", samples.afterCreateTopic(topic("a"), groupId));
		await sendCallback(
			"Group.CallbackAfterTopicDestroyed",
			samples.afterTopicDestroyed([topic("a")], groupId),
		);
		await sendCallback("Group.CallbackAfterGroupDestroyed", samples.afterGroupDestroyed(groupId));
		await sendCallback(
			"Group.CallbackAfterCreateTopic",
			samples.afterCreateTopic(topic("other"), `${groupId}x`),
		);
		const path = `/api/groups/${encodeURIComponent(groupId)}/events`;
		type Page = {
			groupId: string;
			events: { id: number; command: string; topic_id: string | null }[];
			next: number | null;
		};
		const first = await apiGet<Page>(`${path}?limit=2`);
		expect(first.status).toBe(200);
		expect(first.json.groupId).toBe(groupId);
		expect(first.json.events.map((e) => e.command)).toEqual([
			"Group.CallbackAfterCreateTopic",
			"Group.CallbackAfterTopicDestroyed",
		]);
		const second = await apiGet<Page>(`${path}?limit=2&after=${first.json.next}`);
		expect(second.json.events.map((e) => [e.command, e.topic_id])).toEqual([
			["Group.CallbackAfterGroupDestroyed", null],
		]);
		expect(second.json.next).toBeNull();
		expect((await apiGet(`${path}?limit=0`)).status).toBe(400);
	});
});
