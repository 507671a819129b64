// Enforcement tests: a policy in the real local KV, callbacks sent as Tencent sends them, and the ledger
// read back through GET /api/enforcement.
import { env } from "cloudflare:test";
import { expect, vi } from "vitest";
import type { ActionView } from "../../src/api/enforcement";
import { apiGet, community } from "../api/admin";
import { newIsolate } from "../support/isolate-env";
import { sendSignedCallback } from "../support/tencent";

/** The policy of these tests: "casino" banned, `trusted` bypasses, enforcement as given. */
export async function usePolicy(
	enforcement: Record<string, unknown> | undefined,
	extra: Record<string, unknown> = {},
) {
	await env.POLICY.put(
		"policy",
		JSON.stringify({
			version: `enforcement-${crypto.randomUUID().slice(0, 6)}`,
			operators: { bypass: ["trusted"] },
			names: { banned: ["casino"] },
			...(enforcement === undefined ? {} : { enforcement }),
			...extra,
		}),
	);
	newIsolate();
}

/** An `AfterCreateTopic` body as Tencent sends it: `operator` created the topic and owns it. */
export const created = (groupId: string, topicId: string, name: string, operator = "leckie") => ({
	CallbackCommand: "Group.CallbackAfterCreateTopic",
	GroupId: groupId,
	TopicId: topicId,
	Operator_Account: operator,
	Owner_Account: operator,
	Type: "Community",
	Name: name,
});

/** The ledger rows of a topic (or, with `group`, of a group), oldest first. */
export async function actionsOf(filter: { topic?: string; group?: string }): Promise<ActionView[]> {
	const query = new URLSearchParams(filter as Record<string, string>);
	const page = await apiGet<{ actions: ActionView[] }>(`/api/enforcement?${query}`);
	expect(page.status).toBe(200);
	return page.json.actions;
}

/** Waits until the ledger holds a row for the filter that is no longer pending, and returns the rows. */
export async function settledActions(filter: { topic?: string; group?: string }): Promise<ActionView[]> {
	return vi.waitFor(
		async () => {
			const rows = await actionsOf(filter);
			expect(rows.length).toBeGreaterThan(0);
			expect(rows.every((row) => row.status !== "pending")).toBe(true);
			return rows;
		},
		{ timeout: 15_000, interval: 100 },
	);
}

/**
 * Waits until the enforcement queue has handled what was sent before: sends a signed rename of a topic of
 * its own to "casino" (refused by every policy of these tests) and waits for its ledger row to settle. The
 * queue's consumer runs one batch at a time, in order, so an earlier message has been handled by then:
 * a test that expects "nothing happened" waits on this sentinel instead of a fixed sleep.
 */
export async function enforcementDrained(): Promise<void> {
	const { groupId, topic } = community();
	const topicId = topic("sentinel");
	await sendSignedCallback("Group.CallbackAfterTopicInfoChanged", {
		CallbackCommand: "Group.CallbackAfterTopicInfoChanged",
		GroupId: groupId,
		TopicId: topicId,
		Type: "Community",
		Operator_Account: "sentinel",
		Name: "casino",
	});
	await settledActions({ topic: topicId });
}
