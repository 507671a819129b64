// The quarantine API: the authenticated callbacks whose body failed validation, listed, looked at, replayed
// once the Worker accepts them, or dismissed. Every replay and dismissal is recorded in quarantine_actions.

import * as v from "valibot";
import {
	afterEventRecord,
	isMismatchedCommand,
	MISMATCHED_COMMAND,
	parseBodyText,
} from "../callbacks/receive";
import { commandModule } from "../commands";
import type { AfterCommand } from "../commands/command";
import { type ApiProblem, apiError } from "../http/api-error";
import { jsonResponse } from "../http/envelope";
import { log } from "../log";
import { ok, type Result, refused } from "../result";
import { recordEvent } from "../store/record-event";
import { badParameter, type QueryResult, readQuery, wholeNumber } from "./query";
import { page } from "./rows";

/** A `quarantine` row as listed (the body only in the single-row view). */
export interface QuarantineView {
	id: number;
	received_at: number;
	command: string | null;
	sdk_app_id: string | null;
	reason: string;
	body_bytes: number;
	body_truncated: boolean;
	resolved_at: number | null;
	resolution: "replayed" | "dismissed" | null;
}

/** A `quarantine_actions` row. */
export interface QuarantineActionView {
	id: number;
	quarantine_id: number;
	action: "replay" | "dismiss";
	outcome: string;
	detail: string | null;
	acted_at: number;
	request_id: string | null;
	/** Who acted: the console session's name, or "api token". */
	acted_by: string | null;
}

/** Who acts on a quarantine row: the API request (to match with the logs) and the admin caller's name. */
export interface QuarantineActor {
	requestId: string;
	by: string;
}

const COLUMNS =
	"id, received_at, command, sdk_app_id, reason, body_bytes, body_truncated, resolved_at, resolution";
const NO_STORE = { "cache-control": "no-store" };

/** Which rows the list shows: those waiting for a decision (default), those decided, or all. */
export const quarantineQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	limit: wholeNumber(1, 500, 100),
	status: v.optional(v.picklist(["open", "resolved", "all"], "must be open, resolved or all"), "open"),
};

const STATUS_FILTER = {
	open: "resolved_at IS NULL AND",
	resolved: "resolved_at IS NOT NULL AND",
	all: "",
} as const;

/** SQL of one page of quarantine rows (without bodies) with `status`; parameters: after, row limit. */
export function quarantinePageSql(status: keyof typeof STATUS_FILTER): string {
	return `SELECT ${COLUMNS} FROM quarantine WHERE ${STATUS_FILTER[status]} id > ? ORDER BY id LIMIT ?`;
}

/** What was done to one quarantine row, oldest first. */
export const QUARANTINE_ACTIONS_SQL = "SELECT * FROM quarantine_actions WHERE quarantine_id = ? ORDER BY id";

function view(row: Omit<QuarantineView, "body_truncated"> & { body_truncated: number }): QuarantineView {
	return { ...row, body_truncated: row.body_truncated === 1 };
}

/** `{"quarantine": [rows with id > after, oldest first, without bodies], "next": <id or null>}`. */
export async function listQuarantine(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, quarantineQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit, status } = query.value;
	const { results } = await env.DB.prepare(quarantinePageSql(status))
		.bind(after, limit + 1)
		.all<Parameters<typeof view>[0]>();
	const { items, next } = page(results, limit);
	return jsonResponse({ quarantine: items.map(view), next }, 200, NO_STORE);
}

/** A quarantine id from the path, or the 400 problem naming it. */
export function quarantineId(raw: string | undefined): QueryResult<number> {
	const id = Number(raw);
	return /^\d{1,16}$/.test(raw ?? "") && Number.isSafeInteger(id) && id > 0
		? ok(id)
		: refused(badParameter("id", "must be a positive whole number"));
}

/** `{"entry": {…row, body}, "actions": [what was done to it, oldest first]}`; 404 for an unknown id. */
export async function getQuarantined(rawId: string | undefined, url: URL, env: Env): Promise<Response> {
	const id = quarantineId(rawId);
	if (!id.ok) return apiError(id.problem);
	const query = readQuery(url, {});
	if (!query.ok) return apiError(query.problem);
	const [row, actions] = await env.DB.batch<Record<string, unknown>>([
		env.DB.prepare(`SELECT ${COLUMNS}, body FROM quarantine WHERE id = ?`).bind(id.value),
		env.DB.prepare(QUARANTINE_ACTIONS_SQL).bind(id.value),
	]);
	const entry = row?.results[0] as (Parameters<typeof view>[0] & { body: string }) | undefined;
	if (!entry) return apiError(entryNotFound(id.value));
	return jsonResponse(
		{
			entry: { ...view(entry), body: entry.body },
			actions: (actions?.results ?? []) as unknown as QuarantineActionView[],
		},
		200,
		NO_STORE,
	);
}

type Outcome = "stored" | "duplicate" | "still_invalid" | "not_replayable" | "dismissed";

/** Records an action on a quarantine row (and, when it settles the row, its resolution) in one batch. */
async function recordAction(
	env: Env,
	id: number,
	action: "replay" | "dismiss",
	outcome: Outcome,
	detail: string | null,
	actor: QuarantineActor,
	resolution: "replayed" | "dismissed" | null,
): Promise<void> {
	const now = Date.now();
	const statements = [
		env.DB.prepare(
			"INSERT INTO quarantine_actions (quarantine_id, action, outcome, detail, acted_at, request_id, acted_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
		).bind(id, action, outcome, detail, now, actor.requestId, actor.by),
	];
	if (resolution)
		statements.push(
			env.DB.prepare(
				"UPDATE quarantine SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL",
			).bind(now, resolution, id),
		);
	await env.DB.batch(statements);
}

/** The 404 problem of an unknown quarantine id. */
function entryNotFound(id: number): ApiProblem {
	return { status: 404, message: "quarantine entry not found", field: "id", detail: { id } };
}

/** The row to act on, or the problem: 400 bad id, 404 unknown, 409 already resolved. */
async function openRow(
	env: Env,
	rawId: string | undefined,
): Promise<Result<QuarantineView & { body: string }, ApiProblem>> {
	const id = quarantineId(rawId);
	if (!id.ok) return id;
	const row = await env.DB.prepare(`SELECT ${COLUMNS}, body FROM quarantine WHERE id = ?`)
		.bind(id.value)
		.first<Parameters<typeof view>[0] & { body: string }>();
	if (!row) return refused(entryNotFound(id.value));
	if (row.resolved_at !== null)
		return refused({
			status: 409,
			message: `quarantine entry ${row.id} is already ${row.resolution}`,
			detail: { id: row.id },
		});
	return ok({ ...view(row), body: row.body });
}

/** Why a row cannot be replayed at all, or null when its body can be judged again. */
function notReplayable(row: QuarantineView): string | null {
	if (row.body_truncated) return "the stored body is cut at 64 KiB, so it is not the body Tencent sent";
	const module = row.command ? commandModule(row.command) : undefined;
	if (!module) return `${row.command ?? "a missing CallbackCommand"} is not a command this Worker stores`;
	if (module.kind === "before")
		return "a before-callback was answered when it arrived; replaying cannot change that answer (dismiss it)";
	return null;
}

/**
 * POST /api/quarantine/{id}/replay: judges the stored body again with today's schema (after a schema fix,
 * say) and, when it passes, stores the event as if it had just arrived (with its original received_at;
 * a replay of an event already stored adds nothing). 200 with the outcome; 422 when it still fails.
 */
export async function replayQuarantined(
	rawId: string | undefined,
	env: Env,
	actor: QuarantineActor,
): Promise<Response> {
	const found = await openRow(env, rawId);
	if (!found.ok) return apiError(found.problem);
	const row = found.value;
	const refusal = notReplayable(row);
	if (refusal !== null) {
		await recordAction(env, row.id, "replay", "not_replayable", refusal, actor, null);
		return apiError({ status: 422, message: refusal, detail: { id: row.id, outcome: "not_replayable" } });
	}
	const module = commandModule(row.command as string) as AfterCommand;
	const body = parseBodyText(row.body, module.command);
	const judged = !body.ok
		? body
		: isMismatchedCommand(body.value, module.command)
			? refused({ status: 400, reason: MISMATCHED_COMMAND })
			: afterEventRecord(module, body.value, {
					sdkAppId: row.sdk_app_id ?? "",
					receivedAt: row.received_at,
					// The quarantine keeps bodies, never URLs: a replay is keyed by content and time window.
					deliveryKey: null,
				});
	if (!judged.ok) {
		const { reason } = judged.problem;
		await recordAction(env, row.id, "replay", "still_invalid", reason, actor, null);
		return apiError({ status: 422, message: reason, detail: { id: row.id, outcome: "still_invalid" } });
	}
	const { inserted } = await recordEvent(env.DB, judged.value);
	const outcome = inserted > 0 ? "stored" : "duplicate";
	await recordAction(env, row.id, "replay", outcome, `${inserted} event row(s) added`, actor, "replayed");
	log("info", "quarantine.replayed", {
		requestId: actor.requestId,
		by: actor.by,
		id: row.id,
		command: module.command,
		inserted,
	});
	return jsonResponse({ id: row.id, outcome, inserted }, 200, NO_STORE);
}

/** DELETE /api/quarantine/{id}: dismisses the row (kept, marked dismissed, the action recorded). */
export async function dismissQuarantined(
	rawId: string | undefined,
	env: Env,
	actor: QuarantineActor,
): Promise<Response> {
	const found = await openRow(env, rawId);
	if (!found.ok) return apiError(found.problem);
	const { id } = found.value;
	await recordAction(env, id, "dismiss", "dismissed", null, actor, "dismissed");
	log("info", "quarantine.dismissed", { requestId: actor.requestId, by: actor.by, id });
	return jsonResponse({ id, outcome: "dismissed" }, 200, NO_STORE);
}
