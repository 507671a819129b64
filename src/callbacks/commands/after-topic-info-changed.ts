// Group.CallbackAfterTopicInfoChanged: a topic's profile changed. Tencent's docs show no TopicId; without
// one the change cannot be pinned to a topic, so it is kept as a group-level event.
import * as v from "valibot";
import { afterCommand } from "../command";
import { eventTime, id, longText, shortText } from "../fields";

export const afterTopicInfoChanged = afterCommand({
	command: "Group.CallbackAfterTopicInfoChanged",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterTopicInfoChanged"),
		GroupId: id,
		TopicId: v.optional(id),
		Type: v.optional(shortText),
		Operator_Account: v.optional(id),
		Name: v.optional(shortText),
		Introduction: v.optional(longText),
		Notification: v.optional(longText),
		FaceUrl: v.optional(longText),
		EventTime: v.optional(eventTime),
	}),
	toFacts: (body) => ({
		groupId: body.GroupId,
		topicIds: body.TopicId ? [body.TopicId] : [],
		operatorAccount: body.Operator_Account ?? null,
		eventTime: body.EventTime ?? null,
		topicChange: body.TopicId
			? {
					kind: "update",
					topicId: body.TopicId,
					groupId: body.GroupId,
					name: body.Name,
					introduction: body.Introduction,
					notification: body.Notification,
					faceUrl: body.FaceUrl,
				}
			: null,
	}),
});
