// The engine's shared types: the compiled form of a policy (compile.ts builds it, evaluate.ts and
// compiled-cache.ts read it) and what a decision is asked and answers. Types only.
import type { AllowedEntry, TextField } from "../document/schema";
import type { CompiledBanned } from "./banned";
import type { Side } from "./matcher";

export type PolicyMode = "enforce" | "dry-run";

/** The rules for one kind of creation (topics, or groups), with every rule's path resolved. */
export interface CompiledRules {
	mode: PolicyMode;
	refusal: { errorCode: number; errorInfo: string };
	/** `operators` or `groupCreation.operators`: where the operator rules come from. */
	operatorsPath: string;
	allow: ReadonlySet<string> | null;
	deny: ReadonlySet<string>;
	bypass: ReadonlySet<string>;
	/** `names` or `groupCreation.names`. */
	namesPath: string;
	minLength: number | null;
	maxLength: number | null;
	/** Text form of each `allowed` name (a string entry) → its index. */
	allowed: ReadonlyMap<string, number>;
	/** Every `allowed` entry as written (rule texts are made from them). */
	allowedNames: readonly AllowedEntry[];
	/**
	 * Text rules only: how many of the first `allowedNames` are `names.allowed`'s (with `texts.banned`
	 * "names"); the rest are `texts.allowed`'s. Absent for name rules.
	 */
	allowedBorrowed?: number;
	/** The `allowed` patterns (object entries), or null when there are none. */
	allowedPatterns: Side | null;
	banned: CompiledBanned;
}

/** The `enforcement` section with its defaults filled in. */
export interface EnforcementSettings {
	renames: "log" | "revert" | "destroy";
	creates: "log" | "rename" | "destroy";
	texts: "log" | "revert" | "clear";
	fallbackName: string;
	/** Caps per SdkAppid and hour: past them, actions are held in the ledger (enforcement/ledger.ts). */
	maxDestroysPerHour: number;
	maxRenamesPerHour: number;
}

/** A policy ready to decide: compile it with {@link compilePolicyText}. */
export interface CompiledPolicy {
	version: string | null;
	enforcement: EnforcementSettings;
	topic: CompiledRules;
	/** Null when the document has no `groupCreation`: group creations are then always allowed. */
	group: CompiledRules | null;
	/** The `texts` section; null when the document has none (texts are then not judged). */
	texts: CompiledTexts | null;
}

/** The `texts` section, compiled. Operators, mode and refusal come from the target's rules. */
export interface CompiledTexts {
	fields: readonly TextField[];
	maxLength: number | null;
	/** `texts.banned` as a list, or null for "names": the top-level `names.banned`. */
	banned: CompiledBanned | null;
	/** The exceptions: `names.allowed` (with banned "names") then `texts.allowed`, compiled together. */
	allowed: ReadonlyMap<string, number>;
	allowedNames: readonly AllowedEntry[];
	allowedPatterns: Side | null;
	allowedBorrowed: number;
	/** `texts.faceUrl`, hosts in lower case as URLs spell them; null: photos are not judged. */
	faceUrl: { hosts: readonly string[]; https: boolean } | null;
}

/** A judged field of a topic or group profile, as the ledger and the decisions name it. */
export type JudgedField = "name" | "introduction" | "notification" | "face_url";

/** Which creation callback asks. */
export type CreationKind = "topic" | "group";

/** The fields of a BeforeCreateTopic/BeforeCreateGroup callback the policy looks at. */
export interface CreationRequest {
	operatorAccount: string;
	name: string;
	type?: string | undefined;
}

/** What the policy says, before dry-run is applied: `allowed` false means enforce mode would refuse. */
export interface Verdict {
	allowed: boolean;
	errorCode: number;
	errorInfo: string;
	/** The rule that decided, as text; null when nothing matched and the creation is allowed. */
	rule: string | null;
	/** The rules decide in dry-run mode: a refusal is logged, the callback still answers 0. */
	dryRun: boolean;
}
