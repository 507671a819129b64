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
import { appParam, badParameter, configuredApp, type QueryResult, readQuery, wholeNumber } from "./query";
import { type ApiRoute, urlOf } from "./route";
import { page } from "./rows";
import { next, nullable } from "./shapes";

/** Which rows the list shows: those waiting for a decision (default), those decided, or all. */
export const quarantineQuery = {
	after: wholeNumber(0, Number.MAX_SAFE_INTEGER, 0),
	limit: wholeNumber(1, 500, 100),
	status: v.optional(v.picklist(["open", "resolved", "all"], "must be open, resolved or all"), "open"),
	app: appParam,
};

/** `{"quarantine": [rows with id > after, oldest first, without bodies], "next": <id or null>}`. */
export async function listQuarantine(url: URL, env: Env): Promise<Response> {
	const query = readQuery(url, quarantineQuery);
	if (!query.ok) return apiError(query.problem);
	const { after, limit, status } = query.value;
	const app = configuredApp(env, query.value.app);
	if (!app.ok) return apiError(app.problem);
	const { items, next } = page(await quarantinePage(env.DB, status, after, limit + 1, app.value), limit);
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

/** A quarantined callback, without its body (a row of `quarantine`). */
const Quarantined = v.object({
	id: v.number(),
	received_at: v.number(),
	command: nullable(v.string()),
	sdk_app_id: nullable(v.string()),
	reason: v.string(),
	body_bytes: v.number(),
	body_truncated: v.boolean(),
	resolved_at: nullable(v.number()),
	resolution: nullable(v.picklist(["replayed", "dismissed"])),
});

const QuarantineAction = v.object({
	id: v.number(),
	sdk_app_id: v.pipe(nullable(v.string()), v.description("The quarantined row's SdkAppid.")),
	quarantine_id: v.number(),
	action: v.picklist(["replay", "dismiss"]),
	outcome: v.picklist(["stored", "duplicate", "still_invalid", "not_replayable", "dismissed"]),
	detail: nullable(v.string()),
	acted_at: v.number(),
	request_id: nullable(v.string()),
	acted_by: v.pipe(nullable(v.string()), v.description('The console session\'s name, or "api token".')),
});

const quarantineRow = { id: "The quarantine row's id." };

/** The quarantine: list, read, replay, dismiss. */
export const quarantineRoutes: ApiRoute[] = [
	{
		method: "get",
		path: "/api/quarantine",
		summary: "Quarantined callbacks (bodies that failed validation), without bodies, paged",
		tag: "quarantine",
		query: quarantineQuery,
		responses: {
			200: { description: "One page", schema: v.object({ quarantine: v.array(Quarantined), next }) },
		},
		errors: { 400: "a bad query parameter, named" },
		handler: (request, env) => listQuarantine(urlOf(request), env),
	},
	{
		method: "get",
		path: "/api/quarantine/{id}",
		summary: "One quarantined callback with its raw body and the actions taken on it",
		tag: "quarantine",
		pathParameters: quarantineRow,
		responses: {
			200: {
				description: "The row and its actions",
				schema: v.object({
					entry: v.object({ ...Quarantined.entries, body: v.string() }),
					actions: v.array(QuarantineAction),
				}),
			},
		},
		errors: { 400: "a bad id", 404: "no such row" },
		handler: (request, env) => getQuarantined(request.params.id, urlOf(request), env),
	},
	{
		method: "post",
		path: "/api/quarantine/{id}/replay",
		summary: "Judge the body again and store the event if it now passes",
		tag: "quarantine",
		pathParameters: quarantineRow,
		responses: {
			200: {
				description: "Stored (or already stored); the row is now replayed",
				schema: v.object({
					id: v.number(),
					outcome: v.picklist(["stored", "duplicate"]),
					inserted: v.number(),
				}),
			},
		},
		errors: {
			400: "a bad id",
			404: "no such row",
			409: "already replayed or dismissed",
			422: "still invalid, or not replayable",
		},
		handler: (request, env) =>
			replayQuarantined(request.params.id, env, { requestId: request.requestId, by: request.caller.name }),
	},
	{
		method: "delete",
		path: "/api/quarantine/{id}",
		summary: "Dismiss a quarantined callback (kept, marked dismissed)",
		tag: "quarantine",
		pathParameters: quarantineRow,
		responses: {
			200: {
				description: "Dismissed",
				schema: v.object({ id: v.number(), outcome: v.literal("dismissed") }),
			},
		},
		errors: { 400: "a bad id", 404: "no such row", 409: "already replayed or dismissed" },
		handler: (request, env) =>
			dismissQuarantined(request.params.id, env, { requestId: request.requestId, by: request.caller.name }),
	},
];
