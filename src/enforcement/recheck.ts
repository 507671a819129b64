// The after-callback's part in enforcement: pick out the after-events that carry a live name or text and hand
// them to the enforcement queue (one message per field). Called once the event is stored (or buffered): it
// judges each field with the policy the isolate holds, without waiting for anything, and sends through
// ctx.waitUntil, so it never delays the answer or the storage; everything slow (the policy's load, D1,
// Tencent) happens in the consumer.

import { liveNameKind } from "../commands";
import { readConfig, tencentIdentifier } from "../config";
import type { Defer } from "../deadline";
import { errorMessage, log } from "../log";
import { policyLoaders, TENCENT_FIELD, TEXT_KEYS } from "../policy";
import { eventKeyStem } from "../store/event-key";
import { type EventFacts, onceIn } from "../store/facts";
import { type LiveName, refusalOf } from "./plan";

/** A queue message: an after-event to judge, or a recorded action to carry out (backtest "apply"). */
export type EnforcementMessage =
	| {
			kind: "event";
			command: string;
			sdkAppId: string;
			target: LiveName["target"];
			event: LiveName["event"];
			/** Which field `name` holds; absent in messages queued before texts were judged: the name. */
			field?: LiveName["field"];
			groupId: string;
			/** Null for a rename that names no topic: the consumer asks Tencent. */
			topicId: string | null;
			name: string;
			operatorAccount: string | null;
			/** The event's dedupe key (and the previous window's), so a redelivery records nothing new. */
			key: string;
			previousKey: string | null;
			at: number;
			/** Whether the callback was authenticated (signed, or mutual TLS): an unsigned one never acts. */
			authenticated: boolean;
	  }
	| { kind: "action"; actionId: number };

/**
 * How a recorded action's trigger brought its name: `create` for an unchecked creation, else `rename`
 * (renames, and backtests, which judge current names).
 */
export function nameEventOf(trigger: string): LiveName["event"] {
	return liveNameKind(trigger)?.event ?? "rename";
}

/** An accepted after-event, as the callback pipeline has it. */
export interface AcceptedEvent {
	command: string;
	sdkAppId: string;
	facts: EventFacts;
	body: Record<string, unknown>;
	payload: string;
	receivedAt: number;
	deliveryKey: string | null;
	/** Whether the callback was authenticated (a checked Sign, or mutual TLS), not accepted unsigned. */
	authenticated: boolean;
}

/** A live name and where it lives: the group, and the topic when the event names one. */
export type LiveEvent = LiveName & { groupId: string; topicId: string | null };

/**
 * The live name and texts an after-event carries (each field present in its body as a string), or none:
 * other commands, and the admin identifier's own changes (the loop guard: Tencent reports the Worker's own
 * revert too). Pure.
 */
export function liveTextsOf(event: AcceptedEvent, adminIdentifier: string): LiveEvent[] {
	const kind = liveNameKind(event.command);
	const groupId = event.facts.groupId;
	if (kind === undefined || groupId === null) return [];
	if (event.facts.operatorAccount === adminIdentifier) return [];
	const topicId = kind.target === "topic" ? (event.facts.topicIds[0] ?? null) : null;
	const found: LiveEvent[] = [];
	for (const field of ["name", ...TEXT_KEYS] as const) {
		const value = event.body[TENCENT_FIELD[field]];
		if (typeof value !== "string") continue;
		found.push({
			...kind,
			field,
			name: value,
			operatorAccount: event.facts.operatorAccount,
			groupId,
			topicId,
		});
	}
	return found;
}

/**
 * Re-checks an after-event that carries a live name. When this isolate already holds the policy and it
 * lets the name stand, nothing is queued: most names are allowed, and the consumer would only judge them
 * alike (a queue message and a consumer run saved per event). That judgement runs in the caller's flow and
 * waits for nothing, so an allowed name costs no `ctx.waitUntil` either; a name to queue is sent through
 * `defer`. An isolate without a policy queues every live name and leaves the judging to the consumer. A
 * policy edit reaches this isolate within the loader's refresh (KV's 60 s at most): a name allowed by the
 * older policy in that window is caught by a backtest. Never throws: enforcement is best effort here.
 */
export function recheckAfterEvent(env: Env, defer: Defer, event: AcceptedEvent): void {
	try {
		const identifier = tencentIdentifier(readConfig(env), event.sdkAppId);
		if (event.facts.operatorAccount === identifier && liveNameKind(event.command) !== undefined) {
			log("info", "enforcement.own_change", { command: event.command, groupId: event.facts.groupId });
			return;
		}
		for (const live of liveTextsOf(event, identifier)) {
			// A topic rename without TopicId is always queued: the consumer resolves the topic through Tencent
			// and moves `topics` to the new name, allowed or not.
			const resolves = live.field === "name" && live.target === "topic" && live.topicId === null;
			const held = resolves ? null : policyLoaders(env).held(env, defer, event.sdkAppId);
			if (held !== null && refusalOf(held.compiled, live) === null) continue;
			defer(queueRecheck(env, event, live));
		}
	} catch (error) {
		notQueued(event, error);
	}
}

/** Sends the enforcement message of a live name; never throws. */
async function queueRecheck(env: Env, event: AcceptedEvent, live: LiveEvent): Promise<void> {
	try {
		const { stem, previousStem } = await eventKeyStem(
			event.command,
			event.sdkAppId,
			event.payload,
			event.facts.eventTime,
			event.receivedAt,
			event.deliveryKey,
			onceIn(event.facts),
		);
		// An event that happens once is keyed by its group (store/event-key.ts): its topic tells the
		// creations of one community apart, as each `events` row's key does. A text's key names its field,
		// so that one change of a name and a notification records two rows.
		const keyOf = (base: string) =>
			`${onceIn(event.facts) === null ? base : `${base}:${live.topicId ?? ""}`}${live.field === "name" ? "" : `:${live.field}`}`;
		const message: EnforcementMessage = {
			kind: "event",
			command: event.command,
			sdkAppId: event.sdkAppId,
			target: live.target,
			event: live.event,
			field: live.field,
			groupId: live.groupId,
			topicId: live.topicId,
			name: live.name,
			operatorAccount: live.operatorAccount,
			key: keyOf(stem),
			previousKey: previousStem === null ? null : keyOf(previousStem),
			at: event.facts.eventTime ?? event.receivedAt,
			authenticated: event.authenticated,
		};
		await env.ENFORCEMENT_QUEUE.send(message, { contentType: "json" });
	} catch (error) {
		notQueued(event, error);
	}
}

function notQueued(event: AcceptedEvent, error: unknown): void {
	log("error", "enforcement.recheck_not_queued", { command: event.command, error: errorMessage(error) });
}
