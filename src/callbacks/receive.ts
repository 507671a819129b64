// The callback pipeline: authenticate, route by CallbackCommand, read and validate the body, then let the
// command's module decide (before-callbacks) or record (after-callbacks). Authenticated bodies that fail
// validation are kept in `quarantine`; an after-event D1 cannot take goes to the queue, never lost.
import * as v from "valibot";
import {
	authenticateCallback,
	callbackAuthMode,
	singleParam,
	UNCONFIGURED_REASON,
} from "../auth/callback-auth";
import { checkClientCertificate } from "../auth/client-certificate";
import { commandModule } from "../commands";
import type { AfterCommand, BeforeCommand } from "../commands/command";
import { plausibleEventTime, storedSizeProblem } from "../commands/fields";
import { readConfig } from "../config";
import { afterAnswer, withinDeadline } from "../deadline";
import { recheckAfterEvent } from "../enforcement/recheck";
import { discardBody, MAX_JSON_DEPTH, readBodyWithLimit } from "../http/body";
import { failEnvelope, okEnvelope } from "../http/envelope";
import { isolateSlot, isolateState } from "../isolate";
import { jsonDepthExceeds } from "../json";
import { errorMessage, log } from "../log";
import { decideCreation, decideUnusableCreation, type PolicyDecision } from "../policy";
import { ok, type Result, refused } from "../result";
import { deliveryKey } from "../store/event-key";
import { bufferEvent, QUEUE_SEND_DEADLINE_MS } from "../store/event-queue";
import { boundedBody, quarantineBody } from "../store/quarantine";
import { type EventRecord, FIRST_WRITE_DEADLINE_MS, recordEventGrouped } from "../store/record-event";
import { describeIssues } from "./issues";

/** Callbacks acknowledged without being handled, per command, since this isolate started. */
const ignoredSlot = isolateSlot("ignored-commands", () => new Map<string, number>());

/** This isolate's count of callbacks acknowledged without being handled, per command (for /healthz). */
export function ignoredCommands(env: Env): ReadonlyMap<string, number> {
	return isolateState(env, ignoredSlot);
}
/** Distinct names counted in `ignoredCommands`; any further name is counted as "(other)". */
export const MAX_IGNORED_NAMES = 200;

/** The parsed body, or why it is unusable; `text` is the body as received (empty when it was not read). */
export type ParsedBody = Result<unknown, { status: 400 | 413; reason: string; value?: unknown }> & {
	text: string;
};

/** What is known of an authenticated callback before its body is judged. */
interface Delivery {
	command: string;
	sdkAppId: string;
	receivedAt: number;
	requestId: string;
	/** The signed URL's delivery identity (deliveryKey), null when unsigned. */
	deliveryKey: string | null;
	/** Whether the callback was authenticated (Sign or mutual TLS checked), not accepted unsigned. */
	authenticated: boolean;
}

/** Handles `POST /` from Tencent Chat. Bad input gets a 4xx; a before-callback always gets a 200 (see answerBefore). */
export async function receiveCallback(
	request: Request,
	env: Env,
	ctx: ExecutionContext,
	requestId: string,
	params: URLSearchParams = new URL(request.url).searchParams,
): Promise<Response> {
	const config = readConfig(env);
	const certificate = checkClientCertificate(request, config);
	const auth = certificate.ok ? await authenticateCallback(params, config, Date.now()) : certificate;
	if (!auth.ok) {
		await discardBody(request);
		const status = auth.problem === UNCONFIGURED_REASON ? 503 : 401;
		log(status === 503 ? "error" : "warn", "callback.unauthorized", { requestId, reason: auth.problem });
		return failEnvelope(status, auth.problem);
	}
	const command = singleParam(params, "CallbackCommand");
	if (!command) {
		await discardBody(request);
		return failEnvelope(
			400,
			`CallbackCommand query parameter is ${command === null ? "repeated" : "missing"}`,
		);
	}
	const module = commandModule(command);
	if (!module) {
		await discardBody(request);
		// Names are counted one by one up to a bound, so arbitrary CallbackCommand values cannot grow the map.
		const ignored = isolateState(env, ignoredSlot);
		const name = ignored.has(command) || ignored.size < MAX_IGNORED_NAMES ? command : "(other)";
		const count = (ignored.get(name) ?? 0) + 1;
		ignored.set(name, count);
		log("info", "callback.ignored", { requestId, command, countInIsolate: count });
		return okEnvelope();
	}

	const delivery: Delivery = {
		command,
		sdkAppId: auth.value,
		receivedAt: Date.now(),
		requestId,
		deliveryKey: module.kind === "after" ? await deliveryKey(params) : null,
		authenticated: callbackAuthMode(config) !== "unsigned",
	};
	let body = await parseBody(request, env, command);
	if (body.ok && isMismatchedCommand(body.value, command))
		body = {
			...refused({ status: 400 as const, reason: MISMATCHED_COMMAND, value: body.value }),
			text: body.text,
		};
	// Tencent reads any non-200 answer to a before-callback as a failed callback and applies its console
	// default; every unusable before-callback body (too large, mismatched, invalid) gets the fail mode's 200.
	if (module.kind === "before") return answerBefore(module, body, env, ctx, delivery);
	if (!body.ok && body.problem.status === 413) return failEnvelope(413, body.problem.reason);
	return recordAfter(module, body, env, ctx, delivery);
}

async function parseBody(request: Request, env: Env, command: string): Promise<ParsedBody> {
	const text = await readBodyWithLimit(request, readConfig(env).maxBodyBytes);
	if (typeof text !== "string") {
		return text.kind === "too-large"
			? { ...refused({ status: 413, reason: `body is larger than ${text.limit} bytes` }), text: "" }
			: { ...refused({ status: 400, reason: `body could not be read: ${text.message}` }), text: "" };
	}
	return parseBodyText(text, command);
}

/** A body's text as JSON, or why it is unusable (too deep, not JSON). */
export function parseBodyText(text: string, command: string): ParsedBody {
	if (jsonDepthExceeds(text, MAX_JSON_DEPTH))
		return {
			...refused({ status: 400, reason: `body nests deeper than ${MAX_JSON_DEPTH} levels (${command})` }),
			text,
		};
	try {
		return { ...ok(JSON.parse(text)), text };
	} catch (error) {
		return {
			...refused({ status: 400, reason: `body is not JSON (${command}): ${errorMessage(error)}` }),
			text,
		};
	}
}

/** Why a body naming another CallbackCommand than the URL's is refused. */
export const MISMATCHED_COMMAND = "CallbackCommand in the body does not match the URL's";

/** Whether the body names another CallbackCommand than the URL's (such a body is refused). */
export function isMismatchedCommand(body: unknown, command: string): boolean {
	if (typeof body !== "object" || body === null || !("CallbackCommand" in body)) return false;
	return body.CallbackCommand !== command;
}

/**
 * Quarantines a refused body. After-callbacks wait for the write (their answer is a 400 either way); a
 * before-callback's answer must not wait on D1, so its write runs after the answer. Neither ever throws.
 */
async function keepRefused(
	env: Env,
	ctx: ExecutionContext,
	kind: "before" | "after",
	delivery: Delivery,
	reason: string,
	body: string,
): Promise<void> {
	const { receivedAt, command, sdkAppId, requestId } = delivery;
	const write = quarantineBody(env.DB, { receivedAt, command, sdkAppId, reason, body }, requestId);
	if (kind === "after") await write;
	else ctx.waitUntil(write);
}

/** Before-callbacks always answer 200: Tencent counts anything else as a failed callback. */
async function answerBefore(
	module: BeforeCommand,
	body: ParsedBody,
	env: Env,
	ctx: ExecutionContext,
	delivery: Delivery,
): Promise<Response> {
	let decision: PolicyDecision;
	let invalid: string | null = null;
	if (!body.ok) {
		invalid = body.problem.reason;
		decision = decideUnusableCreation(env, ctx, module, body.problem.value, invalid, delivery.sdkAppId);
	} else {
		const parsed = v.safeParse(module.schema, body.value);
		if (parsed.success) {
			decision = await decideCreation(env, ctx, module, module.toRequest(parsed.output), delivery.sdkAppId);
		} else {
			invalid = `invalid ${module.command} body: ${describeIssues(parsed.issues)}`;
			decision = decideUnusableCreation(env, ctx, module, body.value, invalid, delivery.sdkAppId);
		}
	}
	if (invalid !== null) await keepRefused(env, ctx, "before", delivery, invalid, body.text);
	const refused = !decision.allowed && !decision.dryRun;
	// Every decision has its `decisions` row; the log keeps only refusals (a line per allowed creation was
	// the largest single cost of a before-callback), written after the answer. Fail-mode and dry-run
	// refusals log their own lines.
	if (refused) {
		const line = { requestId: delivery.requestId, command: module.command, ...decision };
		afterAnswer(
			(work) => ctx.waitUntil(work),
			() => log("info", "creation.refused", line),
		);
	}
	return refused ? okEnvelope(decision.errorCode, decision.errorInfo) : okEnvelope();
}

/**
 * The event record of an after-callback's parsed body, or why it cannot be stored (400: the schema refuses
 * it; 413: it is over the stored-size limits). The callback path and the quarantine replay judge alike.
 */
export function afterEventRecord(
	module: AfterCommand,
	value: unknown,
	delivery: { sdkAppId: string; receivedAt: number; deliveryKey: string | null },
): Result<EventRecord, { status: 400 | 413; reason: string }> {
	const parsed = v.safeParse(module.schema, value);
	if (!parsed.success)
		return refused({
			status: 400,
			reason: `invalid ${module.command} body: ${describeIssues(parsed.issues)}`,
		});
	const facts = module.toFacts(parsed.output);
	const eventTime = plausibleEventTime(facts.eventTime, delivery.receivedAt);
	if (eventTime !== facts.eventTime)
		log("warn", "callback.event_time_ignored", {
			command: module.command,
			eventTime: facts.eventTime,
			receivedAt: delivery.receivedAt,
			reason: "EventTime is more than a day before or ten minutes after the receive time; stored as NULL",
		});
	const record: EventRecord = {
		command: module.command,
		sdkAppId: delivery.sdkAppId,
		facts: { ...facts, eventTime },
		payload: JSON.stringify(parsed.output),
		receivedAt: delivery.receivedAt,
		deliveryKey: delivery.deliveryKey,
	};
	const sizeProblem = storedSizeProblem(record.payload, record.facts.topicIds.length);
	return sizeProblem ? refused({ status: 413, reason: sizeProblem }) : ok(record);
}

/**
 * Stores an after-event. By default (`EVENT_WRITES=direct`) it is written to D1 before the answer; when D1
 * refuses the write (or does not answer within 1.2 s of Tencent's 2), the event goes to the queue and
 * Tencent still gets 200: it does not retry after-callbacks by default, so a 5xx would lose the event,
 * while the queue keeps it until D1 takes it. With `EVENT_WRITES=queue` the order is reversed: the answer
 * goes once the queue holds the event (its consumer writes batches to D1), and D1 is the fallback. Only
 * when both refuse is the answer 503 (the one case worth a retry).
 */
async function recordAfter(
	module: AfterCommand,
	body: ParsedBody,
	env: Env,
	ctx: ExecutionContext,
	delivery: Delivery,
): Promise<Response> {
	const { requestId } = delivery;
	if (!body.ok) {
		await keepRefused(env, ctx, "after", delivery, body.problem.reason, body.text);
		return failEnvelope(body.problem.status, body.problem.reason);
	}
	const judged = afterEventRecord(module, body.value, delivery);
	if (!judged.ok) {
		const { status, reason } = judged.problem;
		log("warn", status === 413 ? "callback.too_large" : "callback.invalid", {
			requestId,
			command: module.command,
			reason,
		});
		await keepRefused(env, ctx, "after", delivery, reason, body.text);
		return failEnvelope(status, reason);
	}
	const record = judged.value;
	// Enforcement re-checks the name (anything it sends goes after the answer), whichever way the event was kept.
	const recheck = () =>
		recheckAfterEvent(env, (work) => ctx.waitUntil(work), {
			...record,
			body: body.value as Record<string, unknown>,
			authenticated: delivery.authenticated,
		});
	// Two ways to keep an event, tried in order within Tencent's 2 s: the first has 1.2 s, the other 0.5 s.
	const direct = async (deadlineMs: number) => {
		const stored = recordEventGrouped(env.DB, record, (work) => ctx.waitUntil(work));
		const { inserted } = await withinDeadline(stored, deadlineMs, "the D1 write");
		if (!inserted) log("info", "event.redelivered", { requestId, command: module.command });
	};
	const queued = (deadlineMs: number) =>
		withinDeadline(
			bufferEvent(env.EVENTS_QUEUE, record, (work) => ctx.waitUntil(work)),
			deadlineMs,
			"the queue send",
		);
	const queueFirst = readConfig(env).eventWrites === "queue";
	try {
		// Kept the usual way: nothing to log (the event is in D1 and the feed, or on its way there).
		await (queueFirst ? queued(FIRST_WRITE_DEADLINE_MS) : direct(FIRST_WRITE_DEADLINE_MS));
		recheck();
		return okEnvelope();
	} catch (firstError) {
		try {
			await (queueFirst ? direct(QUEUE_SEND_DEADLINE_MS) : queued(QUEUE_SEND_DEADLINE_MS));
			log("warn", queueFirst ? "event.stored_directly" : "event.queued", {
				requestId,
				command: module.command,
				reason: queueFirst
					? "the queue did not take the event; it was written to D1 directly"
					: "D1 did not take the write; the queue consumer will store it",
				error: errorMessage(firstError),
			});
			recheck();
			return okEnvelope();
		} catch (secondError) {
			const payload = boundedBody(record.payload);
			log("error", "event.not_stored", {
				requestId,
				command: module.command,
				d1Error: errorMessage(queueFirst ? secondError : firstError),
				queueError: errorMessage(queueFirst ? firstError : secondError),
				// For replay from the logs; the payload is cut like a quarantined body to keep the line bounded.
				record: { ...record, payload: payload.text },
				payloadBytes: payload.bytes,
				payloadTruncated: payload.truncated,
			});
			return failEnvelope(503, "the event could not be stored; retry later");
		}
	}
}
