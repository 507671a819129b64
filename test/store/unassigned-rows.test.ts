// Rows from before migration 0010 (sdk_app_id '') go to the configured app when there is exactly one; with
// several, nothing is guessed and the rows are counted.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { assignUnassignedRows } from "../../src/store/unassigned-rows";
import { unique } from "../support/tencent";

async function unassigned(topicId: string, name: string): Promise<{ sdk_app_id: string; name: string }[]> {
	const { results } = await env.DB.prepare(
		"SELECT sdk_app_id, name FROM topics WHERE topic_id = ? ORDER BY sdk_app_id",
	)
		.bind(topicId)
		.all<{ sdk_app_id: string; name: string }>();
	return results.filter((row) => row.name.startsWith(name));
}

describe("assignUnassignedRows", () => {
	it("leaves every row unassigned with several apps, counts them, and assigns them all with one", async () => {
		const topicId = `@TGS#_old${unique()}@TOPIC#_a`;
		const clash = `@TGS#_old${unique()}@TOPIC#_b`;
		await env.DB.batch([
			env.DB.prepare("INSERT INTO topics (topic_id, group_id, name) VALUES (?, 'g', 'old a')").bind(topicId),
			env.DB.prepare("INSERT INTO topics (topic_id, group_id, name) VALUES (?, 'g', 'old b')").bind(clash),
			env.DB.prepare(
				"INSERT INTO topics (sdk_app_id, topic_id, group_id, name) VALUES ('1400000000', ?, 'g', 'new b')",
			).bind(clash),
			env.DB.prepare(
				`INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, dry_run, source)
				 VALUES (1, 'Group.CallbackBeforeCreateTopic', 'leckie', ?, 1, 0, 0, 'policy')`,
			).bind(topicId),
		]);

		const several = await assignUnassignedRows(env.DB, ["1400000000", "1400000001"]);
		expect(several?.assigned).toEqual({ topics: 0, decisions: 0 });
		expect(several?.waiting.topics).toBeGreaterThanOrEqual(2);
		expect(several?.waiting.decisions).toBeGreaterThanOrEqual(1);
		expect(await unassigned(topicId, "old")).toEqual([{ sdk_app_id: "", name: "old a" }]);

		const one = await assignUnassignedRows(env.DB, ["1400000000"]);
		expect(one?.assigned.topics).toBeGreaterThanOrEqual(1);
		expect(await unassigned(topicId, "old")).toEqual([{ sdk_app_id: "1400000000", name: "old a" }]);
		// The app already holds that topic: its row stays, and the unassigned one is not merged into it.
		expect(await unassigned(clash, "")).toEqual([
			{ sdk_app_id: "", name: "old b" },
			{ sdk_app_id: "1400000000", name: "new b" },
		]);
		const decision = await env.DB.prepare("SELECT sdk_app_id FROM decisions WHERE name = ?")
			.bind(topicId)
			.first<string>("sdk_app_id");
		expect(decision).toBe("1400000000");
	});
});
