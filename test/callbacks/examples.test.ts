// The sample bodies `npm run send` sends (examples/callbacks/, from Tencent's pages) are what the Worker
// handles: one per handled command, each accepted, each after-event stored.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import afterCreateGroup from "../../examples/callbacks/Group.CallbackAfterCreateGroup.json";
import afterCreateTopic from "../../examples/callbacks/Group.CallbackAfterCreateTopic.json";
import afterGroupDestroyed from "../../examples/callbacks/Group.CallbackAfterGroupDestroyed.json";
import afterGroupInfoChanged from "../../examples/callbacks/Group.CallbackAfterGroupInfoChanged.json";
import afterTopicDestroyed from "../../examples/callbacks/Group.CallbackAfterTopicDestroyed.json";
import afterTopicInfoChanged from "../../examples/callbacks/Group.CallbackAfterTopicInfoChanged.json";
import beforeCreateGroup from "../../examples/callbacks/Group.CallbackBeforeCreateGroup.json";
import beforeCreateTopic from "../../examples/callbacks/Group.CallbackBeforeCreateTopic.json";
import { handledCommands } from "../../src/commands";
import { sendCallback } from "../support/tencent";

// Named by file: the command a file is named after must be the one its body carries.
const files: Record<string, { CallbackCommand: string }> = {
	"Group.CallbackBeforeCreateTopic": beforeCreateTopic,
	"Group.CallbackBeforeCreateGroup": beforeCreateGroup,
	"Group.CallbackAfterCreateTopic": afterCreateTopic,
	"Group.CallbackAfterCreateGroup": afterCreateGroup,
	"Group.CallbackAfterTopicDestroyed": afterTopicDestroyed,
	"Group.CallbackAfterGroupDestroyed": afterGroupDestroyed,
	"Group.CallbackAfterTopicInfoChanged": afterTopicInfoChanged,
	"Group.CallbackAfterGroupInfoChanged": afterGroupInfoChanged,
};
const examples = Object.entries(files).map(([command, body]) => ({ command, body }));

describe("examples/callbacks", () => {
	it("has one sample body per handled CallbackCommand, named after it", () => {
		expect(examples.map((e) => e.command).sort()).toEqual([...handledCommands].sort());
		for (const { command, body } of examples) expect(body.CallbackCommand).toBe(command);
	});

	it.each(examples)("$command: the Worker accepts the sample", async ({ command, body }) => {
		const before = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE command = ?")
			.bind(command)
			.first<{ n: number }>();
		const res = await sendCallback(command, body);
		expect(res.status).toBe(200);
		expect(res.json).toEqual({ ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" });
		const quarantined = await env.DB.prepare("SELECT count(*) AS n FROM quarantine WHERE command = ?")
			.bind(command)
			.first<{ n: number }>();
		expect(quarantined?.n).toBe(0);
		if (command.includes("After")) {
			const after = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE command = ?")
				.bind(command)
				.first<{ n: number }>();
			expect(after?.n).toBeGreaterThan(before?.n ?? 0);
		}
	});
});
