// Where each CallbackCommand goes: one module per command under ./commands.
import type { CallbackCommandModule } from "./command";
import { afterCreateGroup } from "./commands/after-create-group";
import { afterCreateTopic } from "./commands/after-create-topic";
import { afterGroupDestroyed } from "./commands/after-group-destroyed";
import { afterGroupInfoChanged } from "./commands/after-group-info-changed";
import { afterTopicDestroyed } from "./commands/after-topic-destroyed";
import { afterTopicInfoChanged } from "./commands/after-topic-info-changed";
import { beforeCreateGroup } from "./commands/before-create-group";
import { beforeCreateTopic } from "./commands/before-create-topic";

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
