// The `groups` view (migration 0011): a community's current profile from its own events, per app: the
// newest value of each field, its owner, when it was created, changed and destroyed.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { samples, sendCallback, unique } from "../support/tencent";

const A = "1400000000";
const B = "1400000001";
const TWO_APPS = { SDKAPPID: `${A},${B}` } as Partial<Env>;

async function send(app: string, body: Record<string, unknown>) {
	const { CallbackCommand } = body as { CallbackCommand: string };
	const res = await sendCallback(CallbackCommand, body, { extra: { SdkAppid: app }, env: TWO_APPS });
	expect(res.status, JSON.stringify(res.json)).toBe(200);
}

const group = (app: string, groupId: string) =>
	env.DB.prepare("SELECT * FROM groups WHERE sdk_app_id = ? AND group_id = ?").bind(app, groupId).first();

describe("the groups view", () => {
	it("holds each field's newest value, per app, and when the group was created, changed and destroyed", async () => {
		const groupId = `team-${unique()}`;
		const at = Date.now();
		await send(A, { ...samples.afterCreateGroup(groupId), Name: "Chess club", EventTime: at - 4_000 });
		await send(A, {
			...samples.afterGroupInfoChanged(groupId),
			Notification: "Games at seven",
			EventTime: `${at - 3_000}`,
		});
		await send(A, {
			...samples.afterGroupInfoChanged(groupId),
			Notification: undefined,
			Introduction: "Weekly games",
			FaceUrl: "https://cdn.example.com/chess.png",
			EventTime: `${at - 2_000}`,
		});
		await send(A, {
			...samples.afterGroupInfoChanged(groupId),
			Notification: "Games at eight",
			EventTime: `${at - 1_000}`,
		});
		// The same custom GroupId in another app is another group.
		await send(B, {
			...samples.afterCreateGroup(groupId),
			Name: "Poker room",
			Owner_Account: "ann",
			EventTime: at,
		});

		expect(await group(A, groupId)).toMatchObject({
			name: "Chess club",
			introduction: "Weekly games",
			notification: "Games at eight",
			face_url: "https://cdn.example.com/chess.png",
			owner_account: "leckie",
			deleted_at: null,
		});
		const a = (await group(A, groupId)) as { created_at: number; updated_at: number };
		expect(a.updated_at).toBeGreaterThanOrEqual(a.created_at);
		expect(await group(B, groupId)).toMatchObject({
			name: "Poker room",
			introduction: null,
			notification: null,
			face_url: null,
			owner_account: "ann",
			updated_at: null,
			deleted_at: null,
		});

		await send(A, { ...samples.afterGroupDestroyed(groupId), EventTime: `${at + 1_000}` });
		expect(((await group(A, groupId)) as { deleted_at: number | null }).deleted_at).toEqual(
			expect.any(Number),
		);
		expect(((await group(B, groupId)) as { deleted_at: number | null }).deleted_at).toBeNull();
		// A topic's events are not the group's: a topic rename does not rename the group.
		await send(A, { ...samples.afterTopicInfoChanged(groupId), EventTime: undefined });
		expect(await group(A, groupId)).toMatchObject({ name: "Chess club" });
	});
});
