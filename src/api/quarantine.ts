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
import { NO_STORE } from "../http/body";
import { jsonResponse } from "../http/envelope";
import { log } from "../log";
import { ok, type Result, refused } from "../result";
import {
	type QuarantineActor,
	type QuarantineView,
	quarantinedRow,
	quarantinedWithActions,
	quarantinePage,
	recordQuarantineAction,
} from "../store/quarantine";
import { recordEvent } from "../store/record-event";
import { badParameter, type QueryResult, readQuery, wholeNumber } from "./query";
import { page } from "./rows";

/** Which rows the list shows: those waiting for a decision (default), those decided, or all. */
export const quarantineQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	limit: wholeNumber(1, 500, 100),
	status: v.optional(v.picklist(["open", "resolved", "all"], "must be open, resolved or all"), "open"),
};

/** `{"quarantine": [rows with id > after, oldest first, without bodies], "next": <id or null>}`. */
export async function listQuarantine(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, quarantineQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit, status } = query.value;
	const { items, next } = page(await quarantinePage(env.DB, status, after, limit + 1), limit);
	return jsonResponse({ quarantine: items, next }, 200, NO_STORE);
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
	const found = await quarantinedWithActions(env.DB, id.value);
	if (!found) return apiError(entryNotFound(id.value));
	return jsonResponse(found, 200, NO_STORE);
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
	const row = await quarantinedRow(env.DB, id.value);
	if (!row) return refused(entryNotFound(id.value));
	if (row.resolved_at !== null)
		return refused({
			status: 409,
			message: `quarantine entry ${row.id} is already ${row.resolution}`,
			detail: { id: row.id },
		});
	return ok(row);
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
		await recordQuarantineAction(env.DB, row.id, "replay", "not_replayable", refusal, actor, null);
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
		await recordQuarantineAction(env.DB, row.id, "replay", "still_invalid", reason, actor, null);
		return apiError({ status: 422, message: reason, detail: { id: row.id, outcome: "still_invalid" } });
	}
	const { inserted } = await recordEvent(env.DB, judged.value);
	const outcome = inserted > 0 ? "stored" : "duplicate";
	await recordQuarantineAction(
		env.DB,
		row.id,
		"replay",
		outcome,
		`${inserted} event row(s) added`,
		actor,
		"replayed",
	);
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
	await recordQuarantineAction(env.DB, id, "dismiss", "dismissed", null, actor, "dismissed");
	log("info", "quarantine.dismissed", { requestId: actor.requestId, by: actor.by, id });
	return jsonResponse({ id, outcome: "dismissed" }, 200, NO_STORE);
}
