// Group.CallbackAfterGroupInfoChanged: shares its console switch with AfterTopicInfoChanged; kept as a
// group-level event (only the changed fields are present).
import * as v from "valibot";
import { afterCommand } from "./command";
import { id, profileChangeFields } from "./fields";

export const afterGroupInfoChanged = afterCommand({
	command: "Group.CallbackAfterGroupInfoChanged",
	schema: v.looseObject({
		CallbackCommand: v.literal("Group.CallbackAfterGroupInfoChanged"),
		GroupId: id,
		...profileChangeFields,
	}),
	liveName: { target: "group", event: "rename" },
	userText: ["Name", "Introduction", "Notification"],
	toFacts: (body) => ({
		groupId: body.GroupId,
		topicIds: [],
		operatorAccount: body.Operator_Account ?? null,
		eventTime: body.EventTime ?? null,
		topicChange: null,
	}),
});
