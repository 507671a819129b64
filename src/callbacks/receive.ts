// The callback pipeline: authenticate, route by CallbackCommand, read and validate the body, then let the
// command's module decide (before-callbacks) or record (after-callbacks).
import * as v from "valibot";
import { authenticateCallback, singleParam } from "../auth/callback-auth";
import { checkClientCertificate } from "../auth/client-certificate";
import { maxBodyBytes } from "../config";
import { discardBody, jsonDepthExceeds, MAX_JSON_DEPTH, readBodyWithLimit } from "../http/body";
import { failEnvelope, okEnvelope } from "../http/envelope";
import { errorMessage, log } from "../log";
import { decideCreation, failModeDecision, type PolicyDecision } from "../policy";
import { recordEvent } from "../store/record-event";
import type { AfterCommand, BeforeCommand } from "./command";
import { storedSizeProblem } from "./fields";
import { describeIssues } from "./issues";
import { commandModule } from "./registry";

/** Callbacks acknowledged without being handled, per command, since this isolate started. */
export const ignoredCommands = new Map<string, number>();

/** The parsed body, or why it is unusable. */
type ParsedBody = { ok: true; value: unknown } | { ok: false; status: 400 | 413; reason: string };

/** Handles `POST /` from Tencent Chat. Bad input gets a 4xx (or, for before-callbacks, the fail-mode 200). */
export async function receiveCallback(
	request: Request,
	env: Env,
	ctx: ExecutionContext,
	requestId: string,
): Promise<Response> {
	const params = new URL(request.url).searchParams;
	const certificate = checkClientCertificate(request, env);
	const auth = certificate.ok ? await authenticateCallback(params, env, Date.now()) : certificate;
	if (!auth.ok) {
		await discardBody(request);
		log("warn", "callback.unauthorized", { requestId, reason: auth.reason });
		return failEnvelope(401, auth.reason);
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
		const count = (ignoredCommands.get(command) ?? 0) + 1;
		ignoredCommands.set(command, count);
		log("info", "callback.ignored", { requestId, command, countInIsolate: count });
		return okEnvelope();
	}

	const body = await parseBody(request, env, command);
	if (!body.ok && body.status === 413) return failEnvelope(413, body.reason);
	if (body.ok && isMismatchedCommand(body.value, command)) {
		return failEnvelope(400, "CallbackCommand in the body does not match the URL's");
	}
	return module.kind === "before"
		? answerBefore(module, body, env, ctx, requestId)
		: recordAfter(module, body, env, auth.sdkAppId, requestId);
}

async function parseBody(request: Request, env: Env, command: string): Promise<ParsedBody> {
	const text = await readBodyWithLimit(request, maxBodyBytes(env));
	if (typeof text !== "string") {
		return text.kind === "too-large"
			? { ok: false, status: 413, reason: `body is larger than ${text.limit} bytes` }
			: { ok: false, status: 400, reason: `body could not be read: ${text.message}` };
	}
	if (jsonDepthExceeds(text, MAX_JSON_DEPTH))
		return { ok: false, status: 400, reason: `body nests deeper than ${MAX_JSON_DEPTH} levels (${command})` };
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch (error) {
		return { ok: false, status: 400, reason: `body is not JSON (${command}): ${errorMessage(error)}` };
	}
}

function isMismatchedCommand(body: unknown, command: string): boolean {
	if (typeof body !== "object" || body === null || !("CallbackCommand" in body)) return false;
	return body.CallbackCommand !== command;
}

/** Before-callbacks always answer 200: Tencent counts anything else as a failed callback. */
async function answerBefore(
	module: BeforeCommand,
	body: ParsedBody,
	env: Env,
	ctx: ExecutionContext,
	requestId: string,
): Promise<Response> {
	let decision: PolicyDecision;
	if (!body.ok) {
		decision = failModeDecision(env, body.reason);
	} else {
		const parsed = v.safeParse(module.schema, body.value);
		decision = parsed.success
			? await decideCreation(env, ctx, module.creation, module.toRequest(parsed.output))
			: failModeDecision(env, `invalid ${module.command} body: ${describeIssues(parsed.issues)}`);
	}
	const refused = !decision.allowed && !decision.dryRun;
	log("info", "creation.decided", { requestId, command: module.command, ...decision });
	return refused ? okEnvelope(decision.errorCode, decision.errorInfo) : okEnvelope();
}

async function recordAfter(
	module: AfterCommand,
	body: ParsedBody,
	env: Env,
	sdkAppId: string,
	requestId: string,
): Promise<Response> {
	if (!body.ok) return failEnvelope(body.status, body.reason);
	const parsed = v.safeParse(module.schema, body.value);
	if (!parsed.success) {
		const reason = `invalid ${module.command} body: ${describeIssues(parsed.issues)}`;
		log("warn", "callback.invalid", { requestId, command: module.command, reason });
		return failEnvelope(400, reason);
	}
	const record = {
		command: module.command,
		sdkAppId,
		facts: module.toFacts(parsed.output),
		payload: JSON.stringify(parsed.output),
		receivedAt: Date.now(),
	};
	const sizeProblem = storedSizeProblem(record.payload, record.facts.topicIds.length);
	if (sizeProblem) {
		log("warn", "callback.too_large", { requestId, command: module.command, reason: sizeProblem });
		return failEnvelope(413, sizeProblem);
	}
	try {
		const { inserted } = await recordEvent(env.DB, record);
		log("info", "event.recorded", { requestId, command: module.command, inserted });
		return okEnvelope();
	} catch (error) {
		log("error", "event.store_failed", { requestId, command: module.command, error: errorMessage(error) });
		return failEnvelope(503, "the event could not be stored; retry later");
	}
}
