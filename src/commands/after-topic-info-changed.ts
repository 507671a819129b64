// Group.CallbackAfterTopicInfoChanged: a topic's profile changed. Tencent's docs show no TopicId. The topic
// is the body's TopicId when present, else its GroupId when that is a topic ID (`…@TOPIC#_…`); otherwise
// the change cannot be pinned to a topic here and is kept as a group-level event (enforcement may still
// resolve it through Tencent's get_topic).
import * as v from "valibot";
import { communityOfTopicId } from "../tencent/ids";
import { afterCommand } from "./command";
import { id, profileChangeFields } from "./fields";

/** The topic and community a profile change is about, when the body says so. */
export function changedTopic(body: { GroupId: string; TopicId?: string | undefined }): {
	groupId: string;
	topicId: string | null;
} {
	if (body.TopicId) return { groupId: body.GroupId, topicId: body.TopicId };
	const community = communityOfTopicId(body.GroupId);
	return community === null
		? { groupId: body.GroupId, topicId: null }
		: { groupId: community, topicId: body.GroupId };
}

export const afterTopicInfoChanged = afterCommand({
	command: "Group.CallbackAfterTopicInfoChanged",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterTopicInfoChanged"),
		GroupId: id,
		TopicId: v.optional(id),
		...profileChangeFields,
	}),
	liveName: { target: "topic", event: "rename" },
	userText: ["Name", "Introduction", "Notification"],
	toFacts: (body) => {
		const { groupId, topicId } = changedTopic(body);
		return {
			groupId,
			topicIds: topicId ? [topicId] : [],
			operatorAccount: body.Operator_Account ?? null,
			eventTime: body.EventTime ?? null,
			topicChange: topicId
				? {
						kind: "update",
						topicId,
						groupId,
						name: body.Name,
						introduction: body.Introduction,
						notification: body.Notification,
						faceUrl: body.FaceUrl,
					}
				: null,
		};
	},
});
