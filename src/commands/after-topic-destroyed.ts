// Group.CallbackAfterTopicDestroyed: topics were deleted; one history row per topic, each marked deleted.
import * as v from "valibot";
import { afterCommand } from "./command";
import { eventTime, id, MAX_TOPIC_IDS, shortText } from "./fields";

export const afterTopicDestroyed = afterCommand({
	command: "Group.CallbackAfterTopicDestroyed",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterTopicDestroyed"),
		GroupId: id,
		Type: v.optional(shortText),
		TopicIdList: v.pipe(
			v.array(id),
			v.minLength(1, "must name at least one topic"),
			v.maxLength(MAX_TOPIC_IDS, `must name at most ${MAX_TOPIC_IDS} topics`),
		),
		Operator_Account: v.optional(id),
		EventTime: v.optional(eventTime),
	}),
	userText: [],
	toFacts: (body) => {
		const topicIds = [...new Set(body.TopicIdList)];
		return {
			groupId: body.GroupId,
			happensOnce: true,
			topicIds,
			operatorAccount: body.Operator_Account ?? null,
			eventTime: body.EventTime ?? null,
			topicChange: { kind: "delete-topics", groupId: body.GroupId, topicIds },
		};
	},
});
