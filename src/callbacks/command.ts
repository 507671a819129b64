// What every callback command module declares: its name, its body schema and what it means.
import type * as v from "valibot";

/** A change to the `topics` table implied by an after-event; `at` orders changes that arrive out of order. */
export type TopicChange =
	| {
			kind: "create";
			topicId: string;
			groupId: string;
			name: string | null;
			ownerAccount: string | null;
			createdBy: string | null;
	  }
	| {
			kind: "update";
			topicId: string;
			groupId: string;
			name?: string | undefined;
			introduction?: string | undefined;
			notification?: string | undefined;
			faceUrl?: string | undefined;
	  }
	| { kind: "delete-topics"; groupId: string; topicIds: string[] }
	| { kind: "delete-group"; groupId: string };

/** The facts an after-event contributes to the history, independent of storage. */
export interface EventFacts {
	groupId: string | null;
	/** The topics it touches; empty for a group-level event (stored with `topic_id` null). */
	topicIds: string[];
	operatorAccount: string | null;
	/** Tencent's `EventTime` in ms, when the body has one. */
	eventTime: number | null;
	topicChange: TopicChange | null;
}

/** A callback that can refuse an operation (answered from the policy). */
export interface BeforeCommand<S extends v.GenericSchema = v.GenericSchema> {
	kind: "before";
	command: string;
	schema: S;
	/** Which policy section decides it. */
	creation: "topic" | "group";
	/** The operator and name the policy judges. */
	toRequest(body: v.InferOutput<S>): { operatorAccount: string; name: string; type?: string | undefined };
}

/** A notification after the fact (stored as history). */
export interface AfterCommand<S extends v.GenericSchema = v.GenericSchema> {
	kind: "after";
	command: string;
	schema: S;
	toFacts(body: v.InferOutput<S>): EventFacts;
}

export type CallbackCommandModule = BeforeCommand | AfterCommand;

/** Declares a before-callback with its body type inferred from the schema. */
export function beforeCommand<S extends v.GenericSchema>(
	definition: Omit<BeforeCommand<S>, "kind">,
): BeforeCommand {
	return { kind: "before", ...definition } as BeforeCommand;
}

/** Declares an after-callback with its body type inferred from the schema. */
export function afterCommand<S extends v.GenericSchema>(
	definition: Omit<AfterCommand<S>, "kind">,
): AfterCommand {
	return { kind: "after", ...definition } as AfterCommand;
}
