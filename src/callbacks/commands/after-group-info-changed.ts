// Group.CallbackAfterGroupInfoChanged: shares its console switch with AfterTopicInfoChanged; kept as a
// group-level event (only the changed fields are present).
import * as v from "valibot";
import { afterCommand } from "../command";
import { eventTime, id, longText, shortText } from "../fields";

export const afterGroupInfoChanged = afterCommand({
	command: "Group.CallbackAfterGroupInfoChanged",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterGroupInfoChanged"),
		GroupId: id,
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
		topicIds: [],
		operatorAccount: body.Operator_Account ?? null,
		eventTime: body.EventTime ?? null,
		topicChange: null,
	}),
});
