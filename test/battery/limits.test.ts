// Limits: body size, TopicIdList and MemberList lengths, field lengths, and what reaches D1 for the largest
// inputs the Worker accepts. Every refusal is a 413 or 400 with a message; nothing crashes.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
	MAX_EVENT_PAYLOAD_BYTES,
	MAX_ID_LENGTH,
	MAX_MEMBERS,
	MAX_PAYLOAD_BYTES,
	MAX_TOPIC_IDS,
} from "../../src/commands/fields";
import { DRAIN_LIMIT_BYTES } from "../../src/http/body";
import { envWith } from "../support/isolate-env";
import { callbackUrl, samples } from "../support/tencent";
import { expectWithinD1Limits, fetchChecked, quarantinedForCase, recordingD1, rowsForCase } from "./support";

const MiB = 1_048_576;

/** An ID of exactly `length` UTF-16 units, built from characters IDs really contain and some they should not. */
function longId(prefix: string, length = MAX_ID_LENGTH): string {
	const fill = "@TOPIC#_'\"%é😀\\/".repeat(length);
	return (prefix + fill).slice(0, length).toWellFormed();
}

/** POSTs `body` (object → JSON with a marker; Uint8Array/string as is) and returns the answer and rows. */
async function send(
	command: string,
	body: Record<string, unknown> | string | Uint8Array,
	workerEnv: Env = env,
) {
	const marker = crypto.randomUUID();
	const payload =
		body instanceof Uint8Array || typeof body === "string"
			? body
			: // The marker first: a quarantined body is kept cut at 64 KiB, and the marker must survive the cut.
				JSON.stringify({ BatteryCase: marker, ...body });
	const answer = await fetchChecked(
		new Request(callbackUrl(command), { method: "POST", body: payload }),
		workerEnv,
	);
	return { ...answer, rows: await rowsForCase(marker), marker };
}

/** A valid AfterCreateGroup of exactly `bytes` bytes, padded with an unknown field. */
function paddedBody(bytes: number, marker: string): string {
	const head = JSON.stringify({
		...samples.afterCreateGroup(`@TGS#pad${marker}`),
		BatteryCase: marker,
		Pad: "",
	});
	return head.replace(/""}$/, `"${"x".repeat(bytes - head.length)}"}`);
}

describe("body size", () => {
	it("a valid body of exactly MAX_BODY_BYTES is stored; one byte more is 413", async () => {
		const marker = crypto.randomUUID();
		const body = paddedBody(MiB, marker);
		expect(new TextEncoder().encode(body).byteLength).toBe(MiB);
		const { db, statements } = recordingD1();
		const stored = await fetchChecked(
			new Request(callbackUrl("Group.CallbackAfterCreateGroup"), { method: "POST", body }),
			{ ...env, DB: db },
		);
		expect(stored.status).toBe(200);
		expect(await rowsForCase(marker)).toBe(1);
		expectWithinD1Limits(statements);

		const over = crypto.randomUUID();
		const refused = await send("Group.CallbackAfterCreateGroup", paddedBody(MiB + 1, over));
		expect(refused.status).toBe(413);
		expect(refused.json.ErrorInfo).toMatch(/larger than 1048576 bytes/);
		expect(await rowsForCase(over)).toBe(0);
	});

	it("a streamed body without content-length is cut off at the limit with 413", async () => {
		const chunk = new Uint8Array(64 * 1024).fill(0x20);
		let sent = 0;
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				sent += chunk.byteLength;
				if (sent > 64 * MiB) controller.close();
				else controller.enqueue(chunk);
			},
		});
		const request = new Request(callbackUrl("Group.CallbackAfterCreateGroup"), {
			method: "POST",
			body: stream,
		});
		expect(request.headers.get("content-length")).toBeNull();
		const before = await env.DB.prepare("SELECT count(*) AS n FROM events").first<number>("n");
		const answer = await fetchChecked(request);
		expect(answer).toEqual({
			status: 413,
			json: { ActionStatus: "FAIL", ErrorCode: 413, ErrorInfo: "body is larger than 1048576 bytes" },
		});
		expect(await env.DB.prepare("SELECT count(*) AS n FROM events").first<number>("n")).toBe(before);
		// Past 1 MiB the rest is drained (not kept) so the 413 reaches the client, up to the drain bound; the
		// stream is cancelled there: the whole 64 MiB is never pulled.
		expect(sent).toBeGreaterThan(DRAIN_LIMIT_BYTES);
		expect(sent).toBeLessThan(DRAIN_LIMIT_BYTES + 2 * MiB);
	});

	it("a body longer than its declared content-length is judged by its real size: 413", async () => {
		const chunk = new Uint8Array(64 * 1024).fill(0x20);
		let sent = 0;
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				sent += chunk.byteLength;
				if (sent > 8 * MiB) controller.close();
				else controller.enqueue(chunk);
			},
		});
		const answer = await fetchChecked(
			new Request(callbackUrl("Group.CallbackAfterCreateGroup"), {
				method: "POST",
				body: stream,
				headers: { "content-length": "1000" },
			}),
		);
		// Over a socket the runtime frames a body by its content-length; a caller inside the runtime can
		// declare less than it sends, and the size read is checked again.
		expect(answer.status).toBe(413);
		expect(answer.json.ErrorInfo).toBe("body is larger than 1048576 bytes");
		expect(sent).toBeGreaterThan(MiB);
		const kept = await env.DB.prepare("SELECT count(*) AS n FROM quarantine WHERE body_bytes > ?1")
			.bind(MiB)
			.first<{ n: number }>();
		expect(kept?.n).toBe(0);
	});

	it("a declared content-length over the limit is refused before reading: 413, or the fail mode's 200", async () => {
		const send = (command: string) =>
			fetchChecked(
				new Request(callbackUrl(command), {
					method: "POST",
					body: "{}".padEnd(2000),
					headers: { "content-length": "2000" },
				}),
				{ ...env, MAX_BODY_BYTES: "1000", POLICY_FAIL_MODE: "closed" },
			);
		const after = await send("Group.CallbackAfterCreateTopic");
		expect(after.status).toBe(413);
		expect(after.json).toEqual({
			ActionStatus: "FAIL",
			ErrorCode: 413,
			ErrorInfo: "body is larger than 1000 bytes",
		});
		// A before-callback's non-200 would hand the decision to Tencent's console default.
		const before = await send("Group.CallbackBeforeCreateTopic");
		expect(before).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 1, ErrorInfo: "" } });
	});

	it("a body that grows past D1's row limit once decoded is 413, not a failed write", async () => {
		const head = new TextEncoder().encode(
			`{"CallbackCommand":"Group.CallbackAfterCreateGroup","GroupId":"@TGS#utf8","BatteryCase":"`,
		);
		const tail = new TextEncoder().encode('"}');
		// Each 0xFF byte decodes to U+FFFD, three bytes in the stored payload.
		const build = (invalidBytes: number, marker: string) => {
			const mark = new TextEncoder().encode(`${marker}","Pad":"`);
			const body = new Uint8Array(head.length + mark.length + invalidBytes + tail.length);
			body.set(head);
			body.set(mark, head.length);
			body.fill(0xff, head.length + mark.length, head.length + mark.length + invalidBytes);
			body.set(tail, body.length - tail.length);
			return body;
		};
		const fits = Math.floor((MAX_PAYLOAD_BYTES - 200) / 3);
		const ok = crypto.randomUUID();
		expect((await send("Group.CallbackAfterCreateGroup", build(fits, ok))).status).toBe(200);
		expect(await rowsForCase(ok)).toBe(1);
		const tooBig = crypto.randomUUID();
		const refused = await send(
			"Group.CallbackAfterCreateGroup",
			build(Math.ceil(MAX_PAYLOAD_BYTES / 3) + 1, tooBig),
		);
		expect(refused.status).toBe(413);
		expect(refused.json.ErrorInfo).toMatch(/once decoded/);
		expect(await rowsForCase(tooBig)).toBe(0);
	});

	it("a body stored once per topic is bounded in total", async () => {
		const ids = Array.from({ length: MAX_TOPIC_IDS }, (_, i) => `@TGS#_amp@TOPIC#_${i}`);
		const pad = "p".repeat(Math.ceil(MAX_EVENT_PAYLOAD_BYTES / MAX_TOPIC_IDS));
		const refused = await send("Group.CallbackAfterTopicDestroyed", {
			...samples.afterTopicDestroyed(ids, "@TGS#_amp"),
			Pad: pad,
		});
		expect(refused.status).toBe(413);
		expect(refused.json.ErrorInfo).toMatch(/stored once per topic/);
		expect(refused.rows).toBe(0);
	});
});

describe("TopicIdList", () => {
	it(`${MAX_TOPIC_IDS} topics with ${MAX_ID_LENGTH}-character IDs: stored, one row each, within D1's limits`, async () => {
		const groupId = longId(`@TGS#_${crypto.randomUUID()}`);
		const ids = Array.from({ length: MAX_TOPIC_IDS }, (_, i) => longId(`${i}:${crypto.randomUUID()}`));
		expect(ids.every((topicId) => topicId.length === MAX_ID_LENGTH)).toBe(true);
		const { db, statements } = recordingD1();
		const body = {
			...samples.afterTopicDestroyed(ids, groupId),
			Type: "T".repeat(1024),
			Operator_Account: longId("op"),
			EventTime: "1670574414123",
		};
		const answer = await send("Group.CallbackAfterTopicDestroyed", body, { ...env, DB: db });
		expect(answer.status, JSON.stringify(answer.json)).toBe(200);
		expect(answer.rows).toBe(MAX_TOPIC_IDS);
		expectWithinD1Limits(statements);
		const deleted = await env.DB.prepare(
			"SELECT count(*) AS n FROM topics WHERE group_id = ? AND deleted_at IS NOT NULL",
		)
			.bind(groupId)
			.first<number>("n");
		expect(deleted).toBe(MAX_TOPIC_IDS);
	});

	it(`${MAX_TOPIC_IDS + 1} topics: 400 naming TopicIdList`, async () => {
		const ids = Array.from({ length: MAX_TOPIC_IDS + 1 }, (_, i) => `@TGS#_x@TOPIC#_${i}`);
		const answer = await send("Group.CallbackAfterTopicDestroyed", samples.afterTopicDestroyed(ids));
		expect(answer.status).toBe(400);
		expect(answer.json.ErrorInfo).toMatch(
			new RegExp(`TopicIdList: must name at most ${MAX_TOPIC_IDS} topics`),
		);
		expect(answer.rows).toBe(0);
	});
});

describe("MemberList", () => {
	const members = (count: number) =>
		Array.from({ length: count }, (_, i) => ({ Member_Account: `member_${i}` }));

	it(`${MAX_MEMBERS} members: stored as one row`, async () => {
		const { db, statements } = recordingD1();
		const answer = await send(
			"Group.CallbackAfterGroupDestroyed",
			{ ...samples.afterGroupDestroyed(`@TGS#m${crypto.randomUUID()}`), MemberList: members(MAX_MEMBERS) },
			{ ...env, DB: db },
		);
		expect(answer).toMatchObject({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		expect(answer.rows).toBe(1);
		expect(await quarantinedForCase(answer.marker)).toBe(0);
		expectWithinD1Limits(statements);
	});

	it(`${MAX_MEMBERS + 1} members: 400 naming MemberList, for before- and after-callbacks`, async () => {
		const after = await send("Group.CallbackAfterCreateGroup", {
			...samples.afterCreateGroup(),
			MemberList: members(MAX_MEMBERS + 1),
		});
		expect(after.status).toBe(400);
		expect(after.json).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 400 });
		expect(after.json.ErrorInfo).toMatch(/MemberList: must have at most 10000 members/);
		expect(after.rows).toBe(0);
		expect(await quarantinedForCase(after.marker)).toBe(1);
		// A before-callback still answers 200 (the fail mode): Tencent counts anything else as a failure.
		const before = await send("Group.CallbackBeforeCreateGroup", {
			...samples.beforeCreateGroup(),
			MemberList: members(MAX_MEMBERS + 1),
		});
		// The fail mode's answer (open by default: allowed), no event, the body kept in quarantine.
		expect(before).toMatchObject({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		expect(before.rows).toBe(0);
		expect(await quarantinedForCase(before.marker)).toBe(1);
		const closed = await send(
			"Group.CallbackBeforeCreateGroup",
			{ ...samples.beforeCreateGroup(), MemberList: members(MAX_MEMBERS + 1) },
			{ ...env, POLICY_FAIL_MODE: "closed" },
		);
		expect(closed).toMatchObject({ status: 200, json: { ActionStatus: "OK", ErrorCode: 1 } });
	});

	it("thousands of bad members give a short message", async () => {
		const answer = await send("Group.CallbackAfterCreateGroup", {
			...samples.afterCreateGroup(),
			MemberList: Array.from({ length: 5000 }, () => ({ Member_Account: "" })),
		});
		expect(answer.status).toBe(400);
		expect(answer.json.ActionStatus).toBe("FAIL");
		expect(String(answer.json.ErrorInfo).length).toBeLessThan(1000);
		expect(answer.json.ErrorInfo).toMatch(/and 4990 more$/);
		expect(answer.rows).toBe(0);
		expect(await quarantinedForCase(answer.marker)).toBe(1);
	});
});

describe("field lengths", () => {
	const cases: [field: string, limit: number, command: string, base: () => Record<string, unknown>][] = [
		["GroupId", MAX_ID_LENGTH, "Group.CallbackAfterGroupInfoChanged", samples.afterGroupInfoChanged],
		["TopicId", MAX_ID_LENGTH, "Group.CallbackAfterCreateTopic", samples.afterCreateTopic],
		["Operator_Account", MAX_ID_LENGTH, "Group.CallbackAfterTopicInfoChanged", samples.afterTopicInfoChanged],
		["Name", 1024, "Group.CallbackAfterTopicInfoChanged", samples.afterTopicInfoChanged],
		["Introduction", 16_384, "Group.CallbackAfterTopicInfoChanged", samples.afterTopicInfoChanged],
		["Notification", 16_384, "Group.CallbackAfterGroupInfoChanged", samples.afterGroupInfoChanged],
		["FaceUrl", 16_384, "Group.CallbackAfterTopicInfoChanged", samples.afterTopicInfoChanged],
	];
	for (const [field, limit, command, base] of cases) {
		it(`${field}: ${limit} characters stored, ${limit + 1} refused with 400 naming it`, async () => {
			const value = (length: number) => `${crypto.randomUUID()}${"é".repeat(length)}`.slice(0, length);
			const atLimit = await send(command, { ...base(), [field]: value(limit) });
			expect(atLimit.status, JSON.stringify(atLimit.json)).toBe(200);
			expect(atLimit.rows).toBe(1);
			const over = await send(command, { ...base(), [field]: value(limit + 1) });
			expect(over.status).toBe(400);
			expect(over.json.ErrorInfo).toMatch(
				new RegExp(`^invalid ${command.replace(".", "\\.")} body: ${field}: `),
			);
			expect(over.rows).toBe(0);
		});
	}

	it("UserDefinedDataList: 1000 entries stored, 1001 refused", async () => {
		const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
		const ok = await send("Group.CallbackAfterCreateTopic", {
			...samples.afterCreateTopic(`@TGS#_u@TOPIC#_${crypto.randomUUID()}`),
			UserDefinedDataList: entries(1000),
		});
		expect(ok).toMatchObject({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		expect(ok.rows).toBe(1);
		const over = await send("Group.CallbackAfterCreateTopic", {
			...samples.afterCreateTopic(),
			UserDefinedDataList: entries(1001),
		});
		expect(over.status).toBe(400);
		expect(over.json).toMatchObject({ ActionStatus: "FAIL", ErrorCode: 400 });
		expect(over.json.ErrorInfo).toMatch(/UserDefinedDataList/);
		expect(over.rows).toBe(0);
		expect(await quarantinedForCase(over.marker)).toBe(1);
	});
});

describe("unhandled CallbackCommand names", () => {
	it("are counted under a bounded number of names, whatever is sent", async () => {
		const { ignoredCommands, MAX_IGNORED_NAMES } = await import("../../src/callbacks/receive");
		const count = (table: string) => env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<number>("n");
		const stored = { events: await count("events"), quarantine: await count("quarantine") };
		for (let i = 0; i < MAX_IGNORED_NAMES + 50; i++) {
			const answer = await fetchChecked(
				new Request(callbackUrl(`Flood.Callback${crypto.randomUUID()}`), { method: "POST", body: "{}" }),
			);
			expect(answer).toEqual({ status: 200, json: { ActionStatus: "OK", ErrorCode: 0, ErrorInfo: "" } });
		}
		// Ignored means ignored: nothing stored, nothing quarantined.
		expect({ events: await count("events"), quarantine: await count("quarantine") }).toEqual(stored);
		const counted = ignoredCommands(envWith());
		expect(counted.size).toBeLessThanOrEqual(MAX_IGNORED_NAMES + 1);
		expect(counted.get("(other)")).toBeGreaterThan(0);
	});
});
