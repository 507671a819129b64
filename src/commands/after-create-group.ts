// Group.CallbackAfterCreateGroup: shares its console switch with AfterCreateTopic; kept as a group-level event.
import * as v from "valibot";
import { afterCommand } from "./command";
import { eventTime, id, memberList, shortText, userDefinedDataList } from "./fields";

export const afterCreateGroup = afterCommand({
	command: "Group.CallbackAfterCreateGroup",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterCreateGroup"),
		GroupId: id,
		Operator_Account: v.optional(id),
		Owner_Account: v.optional(id),
		Type: v.optional(shortText),
		Name: v.optional(shortText),
		MemberList: v.optional(memberList),
		UserDefinedDataList: v.optional(userDefinedDataList),
		EventTime: v.optional(eventTime),
	}),
	liveName: { target: "group", event: "create" },
	userText: ["Name"],
	toFacts: (body) => ({
		groupId: body.GroupId,
		happensOnce: true,
		topicIds: [],
		operatorAccount: body.Operator_Account ?? null,
		eventTime: body.EventTime ?? null,
		topicChange: null,
	}),
});
