// What every callback command module declares: its name, its body schema and what it means.
import type * as v from "valibot";
import type { EventFacts } from "../store/facts";

/** Where a live name lives and how it came: with a creation, or with a rename. */
export interface LiveNameKind {
	target: "topic" | "group";
	event: "create" | "rename";
}

/** A callback that can refuse an operation (answered from the policy). */
export interface BeforeCommand<S extends v.GenericSchema = v.GenericSchema> {
	kind: "before";
	command: string;
	schema: S;
	/** Which policy section decides it. */
	creation: "topic" | "group";
	/** The fields holding the user's text: the operator and the name the policy judges. */
	userText: { operatorAccount: string; name: string };
	/** The operator and name the policy judges. */
	toRequest(body: v.InferOutput<S>): { operatorAccount: string; name: string; type?: string | undefined };
}

/** A notification after the fact (stored as history). */
export interface AfterCommand<S extends v.GenericSchema = v.GenericSchema> {
	kind: "after";
	command: string;
	schema: S;
	/**
	 * Whether the body carries a live name (its `Name`) that enforcement re-checks: on which target, and
	 * whether it comes with a creation or a rename. Absent for events without one.
	 */
	liveName?: LiveNameKind;
	/** The fields holding the user's text (names, descriptions), as Tencent spells them. */
	userText: readonly string[];
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
