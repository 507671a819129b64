// Group.CallbackAfterCreateTopic: a topic exists now; record it and its first state.
import * as v from "valibot";
import { afterCommand } from "./command";
import { eventTime, id, shortText, userDefinedDataList } from "./fields";

export const afterCreateTopic = afterCommand({
	command: "Group.CallbackAfterCreateTopic",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterCreateTopic"),
		GroupId: id,
		TopicId: id,
		Operator_Account: v.optional(id),
		Owner_Account: v.optional(id),
		Type: v.optional(shortText),
		Name: v.optional(shortText),
		UserDefinedDataList: v.optional(userDefinedDataList),
		EventTime: v.optional(eventTime),
	}),
	liveName: { target: "topic", event: "create" },
	userText: ["Name"],
	toFacts: (body) => ({
		groupId: body.GroupId,
		happensOnce: true,
		topicIds: [body.TopicId],
		operatorAccount: body.Operator_Account ?? null,
		eventTime: body.EventTime ?? null,
		topicChange: {
			kind: "create",
			topicId: body.TopicId,
			groupId: body.GroupId,
			name: body.Name ?? null,
			ownerAccount: body.Owner_Account ?? null,
			createdBy: body.Operator_Account ?? null,
		},
	}),
});
