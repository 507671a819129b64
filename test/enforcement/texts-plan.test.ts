// The pure part of enforcing texts: which text is refused, what a revert writes, and what Tencent's report
// must say before anything is changed.
import { describe, expect, it } from "vitest";
import { type LiveName, planAction, refusalOf, unconfirmedReason } from "../../src/enforcement/plan";
import { type CompiledPolicy, compilePolicyText } from "../../src/policy";

function compile(document: unknown): CompiledPolicy {
	const compiled = compilePolicyText(JSON.stringify(document));
	if (!compiled.ok) throw new Error(compiled.problem.message);
	return compiled.value;
}

const policy = (texts: string, extra: Record<string, unknown> = {}) =>
	compile({
		operators: { bypass: ["moderator"] },
		names: { banned: ["casino"] },
		texts: { faceUrl: { hosts: ["cdn.example.com"] } },
		enforcement: { texts },
		...extra,
	});

const notification = (name: string, operatorAccount: string | null = "leckie"): LiveName => ({
	target: "topic",
	event: "rename",
	field: "notification",
	name,
	operatorAccount,
});

const reported = (texts: Partial<Record<"introduction" | "notification" | "face_url", string>>) => ({
	name: "Weekly chat",
	ownerAccount: null,
	texts: { introduction: "", notification: "", face_url: "", ...texts },
});

describe("planning the enforcement of a text", () => {
	it("reverts to the newest earlier value the policy allows now, else clears", () => {
		const revert = policy("revert");
		const live = notification("Casino tonight");
		const refusal = refusalOf(revert, live);
		expect(refusal?.rule).toBe('names.banned[0] "casino"');
		if (refusal === null) return;
		const history = ["Casino tonight", "Casino again", "Welcome", "Older"];
		expect(planAction(revert, live, refusal, history, true)).toMatchObject({
			action: "revert",
			newName: "Welcome",
			status: "pending",
		});
		expect(planAction(revert, live, refusal, ["Casino tonight"], true).newName).toBe("");
		expect(planAction(policy("clear"), live, refusal, history, true)).toMatchObject({
			action: "clear",
			newName: "",
			status: "pending",
		});
		expect(planAction(policy("log"), live, refusal, history, true)).toMatchObject({
			status: "skipped",
			reason: 'enforcement.texts is "log"',
		});
		expect(planAction(revert, live, refusal, history, false).status).toBe("skipped");
	});

	it("leaves a bypass operator's text and an allowed one alone, and judges dry-run without acting", () => {
		const revert = policy("revert");
		expect(refusalOf(revert, notification("Casino tonight", "moderator"))).toBeNull();
		expect(refusalOf(revert, notification("Harbour walks"))).toBeNull();
		const dry = policy("revert", { mode: "dry-run" });
		const live = notification("Casino tonight");
		const refusal = refusalOf(dry, live);
		expect(refusal?.dryRun).toBe(true);
		if (refusal !== null)
			expect(planAction(dry, live, refusal, [], true)).toMatchObject({
				status: "skipped",
				reason: "dry-run: would revert",
			});
	});

	it("acts only when Tencent reports a value of that field the live policy refuses", () => {
		const revert = policy("revert");
		const action = { target: "topic", event: "rename", rule: null, operatorAccount: "leckie" } as const;
		const asNotification = { ...action, field: "notification" } as const;
		expect(
			unconfirmedReason(revert, asNotification, reported({ notification: "Casino tonight" })),
		).toBeNull();
		expect(unconfirmedReason(revert, asNotification, reported({ notification: "Welcome" }))).toBe(
			'Tencent reports the notification "Welcome", which the live policy allows',
		);
		// Another field's value does not confirm this one.
		expect(unconfirmedReason(revert, asNotification, reported({ introduction: "Casino" }))).not.toBeNull();
		const face = { ...action, field: "face_url" } as const;
		expect(unconfirmedReason(revert, face, reported({ face_url: "https://evil.example/a.png" }))).toBeNull();
		expect(
			unconfirmedReason(revert, face, reported({ face_url: "https://cdn.example.com/a.png" })),
		).not.toBeNull();
		expect(
			unconfirmedReason(
				compile({ names: { banned: ["casino"] } }),
				asNotification,
				reported({ notification: "Casino" }),
			),
		).toBe("the live policy has no texts section");
	});
});
