// Group.CallbackBeforeCreateGroup: shares its console switch with BeforeCreateTopic; the policy's
// groupCreation section answers it (allowed when the policy says nothing about groups).
import * as v from "valibot";
import { beforeCommand } from "./command";
import { eventTime, id, memberList, shortText } from "./fields";

export const beforeCreateGroup = beforeCommand({
	command: "Group.CallbackBeforeCreateGroup",
	creation: "group",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackBeforeCreateGroup"),
		Operator_Account: id,
		Owner_Account: v.optional(id),
		Type: v.optional(shortText),
		Name: shortText,
		CreateGroupNum: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
		MemberList: v.optional(memberList),
		EventTime: v.optional(eventTime),
	}),
	userText: { operatorAccount: "Operator_Account", name: "Name" },
	toRequest: (body) => ({ operatorAccount: body.Operator_Account, name: body.Name, type: body.Type }),
});
