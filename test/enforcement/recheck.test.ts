// Which after-events reach the enforcement queue: an isolate that holds the policy queues only the live
// names it refuses (and renames it must resolve through Tencent); one without a policy queues them all.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type AcceptedEvent, recheckAfterEvent } from "../../src/enforcement/recheck";
import { policyLoaders } from "../../src/policy/loaders";
import { envWith } from "../support/isolate-env";
import { enforcementDrained, usePolicy } from "./support";

/** The request's waitUntil: collects the work, which `recheck` waits for. */
const deferred: Promise<unknown>[] = [];
const defer = (work: Promise<unknown>) => {
	deferred.push(work);
};

/** recheckAfterEvent, then everything it handed to waitUntil. */
async function recheck(accepted: AcceptedEvent): Promise<void> {
	recheckAfterEvent(envWith(), defer, accepted);
	await Promise.allSettled(deferred.splice(0));
}

function event(command: string, name: string, topicId: string | null): AcceptedEvent {
	const body = { CallbackCommand: command, GroupId: "@TGS#_recheck", TopicId: topicId, Name: name };
	return {
		command,
		sdkAppId: "1400000000",
		deliveryKey: null,
		facts: {
			groupId: "@TGS#_recheck",
			topicIds: topicId === null ? [] : [topicId],
			operatorAccount: "leckie",
			eventTime: null,
			topicChange: null,
		},
		body,
		payload: JSON.stringify(body),
		receivedAt: Date.now(),
		authenticated: true,
	};
}

const CREATE = "Group.CallbackAfterCreateTopic";
const RENAME = "Group.CallbackAfterTopicInfoChanged";

describe("recheckAfterEvent", () => {
	// The queue's consumer handles what a test queued after the test: wait for it, so that none of its work
	// (or its log lines) outlives the file.
	afterEach(async () => {
		vi.restoreAllMocks();
		await enforcementDrained();
	});

	it("queues nothing for an allowed name when the isolate holds the policy", async () => {
		await usePolicy({ renames: "revert" });
		await policyLoaders(envWith()).current(envWith(), defer);
		const send = vi.spyOn(env.ENFORCEMENT_QUEUE, "send");
		await recheck(event(CREATE, "Weekly chat", "@TGS#_recheck@TOPIC#1"));
		await recheck(event(RENAME, "Book club", "@TGS#_recheck@TOPIC#1"));
		expect(send).not.toHaveBeenCalled();
	});

	it("queues a refused name with the facts the consumer needs", async () => {
		await usePolicy({ renames: "revert" });
		await policyLoaders(envWith()).current(envWith(), defer);
		const send = vi.spyOn(env.ENFORCEMENT_QUEUE, "send");
		await recheck(event(RENAME, "C4sino night", "@TGS#_recheck@TOPIC#2"));
		expect(send).toHaveBeenCalledTimes(1);
		expect(send.mock.calls[0]?.[0]).toMatchObject({
			kind: "event",
			event: "rename",
			target: "topic",
			topicId: "@TGS#_recheck@TOPIC#2",
			name: "C4sino night",
		});
	});

	it("queues an allowed rename without TopicId: the consumer resolves the topic and moves its name", async () => {
		await usePolicy({ renames: "revert" });
		await policyLoaders(envWith()).current(envWith(), defer);
		const send = vi.spyOn(env.ENFORCEMENT_QUEUE, "send");
		await recheck(event(RENAME, "Book club", null));
		expect(send).toHaveBeenCalledTimes(1);
		expect(send.mock.calls[0]?.[0]).toMatchObject({ topicId: null, name: "Book club" });
	});

	it("queues an allowed name when the isolate holds no policy yet, and does not load one for it", async () => {
		await usePolicy({ renames: "revert" });
		const send = vi.spyOn(env.ENFORCEMENT_QUEUE, "send");
		const get = vi.spyOn(env.POLICY, "get");
		await recheck(event(CREATE, "Weekly chat", "@TGS#_recheck@TOPIC#3"));
		expect(send).toHaveBeenCalledTimes(1);
		expect(get).not.toHaveBeenCalled();
	});
});
