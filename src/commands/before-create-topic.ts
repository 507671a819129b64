// Group.CallbackBeforeCreateTopic: a member asks to create a topic in a community; the policy answers.
import * as v from "valibot";
import { beforeCommand } from "./command";
import { id, shortText } from "./fields";

export const beforeCreateTopic = beforeCommand({
	command: "Group.CallbackBeforeCreateTopic",
	creation: "topic",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackBeforeCreateTopic"),
		Operator_Account: id,
		Type: v.optional(shortText),
		Name: shortText,
	}),
	userText: { operatorAccount: "Operator_Account", name: "Name" },
	toRequest: (body) => ({ operatorAccount: body.Operator_Account, name: body.Name, type: body.Type }),
});
