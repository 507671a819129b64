// GET /api/enforcement: the enforcement ledger (table `enforcement_actions`), paged like the change feed.
import * as v from "valibot";
import type { ActionRow } from "../enforcement/ledger";
import { apiError } from "../http/api-error";
import { jsonResponse } from "../http/envelope";
import { MAX_FEED_LIMIT } from "./events";
import { readQuery, text, wholeNumber } from "./query";
import { page } from "./rows";

/** A ledger row as the API returns it (the consumer's claim stays internal). */
export type ActionView = Omit<ActionRow, "claimed_until">;

const ACTION_COLUMNS = `id, action_key, sdk_app_id, target, group_id, topic_id, trigger, operator_account, rule,
	old_name, new_name, action, status, reason, attempts, error_code, error_info, policy_version, created_at, updated_at`;

/** The ledger's query parameters. */
export const enforcementQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	limit: wholeNumber(1, MAX_FEED_LIMIT, 100),
	status: v.optional(
		v.picklist(["pending", "done", "failed", "skipped"], "must be pending, done, failed or skipped"),
	),
	topic: text(),
	group: text(),
};

/**
 * `{"actions": […], "next": <id or null>}`: ledger rows with id > after, oldest first, optionally only one
 * `status` (pending, done, failed, skipped) or one `topic` (a topic ID) or `group` (a group ID).
 */
export async function listActions(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, enforcementQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit, status, topic, group } = query.value;
	const conditions = ["id > ?1"];
	if (status !== undefined) conditions.push("status = ?2");
	if (topic !== undefined) conditions.push("topic_id = ?3");
	if (group !== undefined) conditions.push("group_id = ?4");
	const { results } = await env.DB.prepare(
		`SELECT ${ACTION_COLUMNS} FROM enforcement_actions WHERE ${conditions.join(" AND ")} ORDER BY id LIMIT ?5`,
	)
		.bind(after, status ?? null, topic ?? null, group ?? null, limit + 1)
		.all<ActionView>();
	const { items, next } = page(results, limit);
	return jsonResponse({ actions: items, next }, 200, { "cache-control": "no-store" });
}
