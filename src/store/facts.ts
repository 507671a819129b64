// What an after-event means for the store: the callbacks produce these facts, the store writes them.
// They belong here, below the callbacks, so the store never imports the layer that calls it.

/** A change to the `topics` table implied by an after-event; `at` orders changes that arrive out of order. */
export type TopicChange =
	| {
			kind: "create";
			topicId: string;
			groupId: string;
			name: string | null;
			ownerAccount: string | null;
			createdBy: string | null;
	  }
	| {
			kind: "update";
			topicId: string;
			groupId: string;
			name?: string | undefined;
			introduction?: string | undefined;
			notification?: string | undefined;
			faceUrl?: string | undefined;
	  }
	| { kind: "delete-topics"; groupId: string; topicIds: string[] }
	| { kind: "delete-group"; groupId: string };

/** The facts an after-event contributes to the history, independent of storage. */
export interface EventFacts {
	groupId: string | null;
	/** The topics it touches; empty for a group-level event (stored with `topic_id` null). */
	topicIds: string[];
	operatorAccount: string | null;
	/** Tencent's `EventTime` in ms, when the body has one. */
	eventTime: number | null;
	topicChange: TopicChange | null;
	/**
	 * True for what happens once per topic or group (a creation, a deletion, a disband): stored once per
	 * command, group and topic, whatever the delivery. Profile changes leave it out: a topic renamed A → B → A
	 * is three events.
	 */
	happensOnce?: boolean;
}

/** The group that keys an event which happens once, or null (see {@link EventFacts.happensOnce}). */
export function onceIn(facts: EventFacts): string | null {
	return facts.happensOnce === true ? facts.groupId : null;
}
