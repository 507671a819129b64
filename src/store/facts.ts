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
}
