// Every query the docs and the read API rely on must be answered from an index, never a scan of the table.
// The read API's queries are imported from the modules that run them; the docs' are written here as the
// docs give them.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decisionsPageSql } from "../../src/store/decisions";
import { FEED_PAGE_SQL, GROUP_EVENTS_PAGE_SQL, TOPIC_EVENTS_PAGE_SQL } from "../../src/store/events";
import { QUARANTINE_ACTIONS_SQL, quarantinePageSql } from "../../src/store/quarantine";
import { GROUP_TOPICS_SQL, TOPIC_STATE_SQL } from "../../src/store/topics";

async function plan(sql: string, ...values: unknown[]): Promise<string> {
	const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
		.bind(...values)
		.all<{ detail: string }>();
	return results.map((row) => row.detail).join("\n");
}

const queries: [string, string, unknown[], RegExp][] = [
	[
		"topic history (docs)",
		"SELECT sdk_app_id, command, event_time, payload FROM events WHERE topic_id = ? ORDER BY id",
		["t"],
		/SEARCH events USING INDEX events_topic_id \(topic_id=\?\)/,
	],
	[
		"topic history, paged (GET /api/topics/{id})",
		TOPIC_EVENTS_PAGE_SQL,
		[0, 100, 4_194_304, "t"],
		/SEARCH events USING (COVERING )?INDEX events_topic_id \(topic_id=\? AND id>\?\)/,
	],
	[
		"topic state (GET /api/topics/{id})",
		TOPIC_STATE_SQL,
		["t"],
		/SEARCH topics USING INDEX sqlite_autoindex_topics_1 \(topic_id=\?\)/,
	],
	[
		"topics of a community (docs, GET /api/groups/{id}/topics)",
		GROUP_TOPICS_SQL,
		["g"],
		/SEARCH topics USING INDEX topics_group_id \(group_id=\?\)/,
	],
	[
		"events of a community (docs)",
		"SELECT * FROM events WHERE group_id = ? ORDER BY id",
		["g"],
		/SEARCH events USING INDEX events_group_id \(group_id=\?\)/,
	],
	[
		"what changed since a time (docs)",
		"SELECT id, sdk_app_id, command, group_id, topic_id, received_at FROM events WHERE received_at >= ? ORDER BY received_at, id",
		[0],
		/SEARCH events USING INDEX events_received_at \(received_at>\?\)/,
	],
	[
		"change feed (GET /api/events)",
		FEED_PAGE_SQL,
		[0, 100, 4_194_304],
		/SEARCH events USING INTEGER PRIMARY KEY \(rowid>\?\)/,
	],
	[
		"dedupe of a redelivery (every after-event)",
		"SELECT 1 FROM events WHERE event_key = ?",
		["k"],
		/SEARCH events USING COVERING INDEX sqlite_autoindex_events_1 \(event_key=\?\)/,
	],
	[
		"a community's history, paged (GET /api/groups/{id}/events)",
		GROUP_EVENTS_PAGE_SQL,
		[0, 100, 4_194_304, "g"],
		/SEARCH events USING (COVERING )?INDEX events_group_id \(group_id=\? AND id>\?\)/,
	],
	[
		"open quarantine rows, paged (GET /api/quarantine)",
		quarantinePageSql("open"),
		[0, 101],
		/SEARCH quarantine USING INDEX quarantine_open \(resolved_at=\? AND id>\?\)/,
	],
	[
		"actions on a quarantine row (GET /api/quarantine/{id})",
		QUARANTINE_ACTIONS_SQL,
		[1],
		/SEARCH quarantine_actions USING INDEX quarantine_actions_by_row \(quarantine_id=\?\)/,
	],
	[
		"quarantine since a time (docs)",
		"SELECT * FROM quarantine WHERE received_at >= ? ORDER BY received_at",
		[0],
		/SEARCH quarantine USING INDEX quarantine_received_at \(received_at>\?\)/,
	],
	[
		"decisions of an operator (GET /api/decisions?operator=)",
		decisionsPageSql("asc", { operator: true }),
		[0, null, null, null, "leckie", null, null, 101],
		/SEARCH decisions USING INDEX decisions_operator_account \(operator_account=\? AND id>\?\)/,
	],
	[
		"decisions since a time (docs)",
		"SELECT * FROM decisions WHERE received_at >= ? ORDER BY received_at",
		[0],
		/SEARCH decisions USING INDEX decisions_received_at \(received_at>\?\)/,
	],
	[
		"decision log feed (GET /api/decisions)",
		decisionsPageSql("asc", {}),
		[0, null, null, null, null, null, null, 101],
		/SEARCH decisions USING INTEGER PRIMARY KEY \(rowid>\?\)/,
	],
];

describe("query plans", () => {
	it.each(queries)("%s uses an index", async (_name, sql, values, expected) => {
		const detail = await plan(sql, ...values);
		expect(detail).toMatch(expected);
		expect(detail).not.toMatch(/^SCAN (events|topics|quarantine|decisions)\b/m);
		expect(detail).not.toMatch(/USE TEMP B-TREE/);
	});
});
