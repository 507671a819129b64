// Group.CallbackAfterTopicInfoChanged: a topic's profile changed. Tencent's docs show no TopicId; without
// one the change cannot be pinned to a topic, so it is kept as a group-level event.
import * as v from "valibot";
import { afterCommand } from "../command";
import { id, profileChangeFields } from "../fields";

export const afterTopicInfoChanged = afterCommand({
	command: "Group.CallbackAfterTopicInfoChanged",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterTopicInfoChanged"),
		GroupId: id,
		TopicId: v.optional(id),
		...profileChangeFields,
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
