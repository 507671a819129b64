// Where each CallbackCommand goes: one module per command under ./commands.

import { afterCreateGroup } from "./after-create-group";
import { afterCreateTopic } from "./after-create-topic";
import { afterGroupDestroyed } from "./after-group-destroyed";
import { afterGroupInfoChanged } from "./after-group-info-changed";
import { afterTopicDestroyed } from "./after-topic-destroyed";
import { afterTopicInfoChanged } from "./after-topic-info-changed";
import { beforeCreateGroup } from "./before-create-group";
import { beforeCreateTopic } from "./before-create-topic";
import type { BeforeCommand, CallbackCommandModule, LiveNameKind } from "./command";

const modules: CallbackCommandModule[] = [
	beforeCreateTopic,
	beforeCreateGroup,
	afterCreateTopic,
	afterCreateGroup,
	afterTopicDestroyed,
	afterGroupDestroyed,
	afterTopicInfoChanged,
	afterGroupInfoChanged,
];

const byCommand = new Map(modules.map((module) => [module.command, module]));

/** The module handling `command`, or `undefined` for the many callbacks this Worker only acknowledges. */
export function commandModule(command: string): CallbackCommandModule | undefined {
	return byCommand.get(command);
}

/** Every handled CallbackCommand, for /healthz and the docs. */
export const handledCommands: readonly string[] = modules.map((module) => module.command);

/** The before-callbacks (those the policy answers), for the check API's `CallbackCommand`. */
export const creationCommands = modules.flatMap((module) =>
	module.kind === "before" ? [module.command] : [],
);

/** The before-callback the policy's `kind` section answers. */
export function creationCommand(kind: BeforeCommand["creation"]): BeforeCommand {
	const found = modules.find((module) => module.kind === "before" && module.creation === kind);
	if (found?.kind !== "before") throw new Error(`no before-callback for ${kind} creation`);
	return found;
}

/** The policy section that answers the before-callback `command`, or undefined for any other command. */
export function creationKindOf(command: string): BeforeCommand["creation"] | undefined {
	const module = byCommand.get(command);
	return module?.kind === "before" ? module.creation : undefined;
}

/** Where the live name of `command` lives and how it came, or undefined when it carries none. */
export function liveNameKind(command: string): LiveNameKind | undefined {
	const module = byCommand.get(command);
	return module?.kind === "after" ? module.liveName : undefined;
}

/** The commands whose `Name` is a live name of a `target` (their events hold its earlier names). */
export function liveNameCommands(target: LiveNameKind["target"]): string[] {
	return modules.flatMap((module) =>
		module.kind === "after" && module.liveName?.target === target ? [module.command] : [],
	);
}
