// Group.CallbackAfterGroupDestroyed: a group or community was disbanded; its topics are gone with it.
import * as v from "valibot";
import { afterCommand } from "./command";
import { eventTime, id, memberList, shortText } from "./fields";

export const afterGroupDestroyed = afterCommand({
	command: "Group.CallbackAfterGroupDestroyed",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterGroupDestroyed"),
		GroupId: id,
		Type: v.optional(shortText),
		Owner_Account: v.optional(id),
		Operator_Account: v.optional(id),
		Name: v.optional(shortText),
		MemberList: v.optional(memberList),
		EventTime: v.optional(eventTime),
	}),
	userText: ["Name"],
	toFacts: (body) => ({
		groupId: body.GroupId,
		happensOnce: true,
		topicIds: [],
		operatorAccount: body.Operator_Account ?? body.Owner_Account ?? null,
		eventTime: body.EventTime ?? null,
		topicChange: { kind: "delete-group", groupId: body.GroupId },
	}),
});
