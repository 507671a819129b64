// Two Chat apps in one Worker, over real sockets: the Worker started by wrangler on 127.0.0.1 with two
// SdkAppids, each with its own callback token, admin identifier and (for one of them) its own policy key;
// Tencent's REST API played by the recording stand-in on another loopback port. The same custom GroupId and
// TopicId in both apps stay two topics; each token signs only its own app; each app's policy decides its own
// callbacks (the shared key serves the app without one); enforcement calls Tencent as the right app.
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_splitSqlQuery } from "wrangler";
import { FAKE_SECRET_KEY } from "../support/fake-tencent.mjs";
import { launchBrowser } from "./support/browser";
import { type FakeTencentServer, type RecordedCall, startFakeTencent } from "./support/fake-tencent-server";
import { signedCallback } from "./support/signed";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "admin-token-for-the-two-apps-socket-test-0123456789";
const A = "1400000101";
const B = "1400000202";
const TOKEN_A = "console-token-of-app-a";
const TOKEN_B = "console-token-of-app-b";
const TOKEN: Record<string, string> = { [A]: TOKEN_A, [B]: TOKEN_B };
const PREVIOUS_B = "previous-console-token-of-app-b";
const MODIFY = "million_group_open_http_svc/modify_topic";

let tencent: FakeTencentServer;
let worker: RunningWorker;
/** The topic ID both apps use (set by the test that creates it). */
let sharedTopicId = "";

beforeAll(async () => {
	tencent = await startFakeTencent();
	worker = await startWorker({
		vars: {
			SDKAPPID: `${A}, ${B}`,
			TENCENT_API_BASE: tencent.base,
			TENCENT_ADMIN_IDENTIFIER: "administrator",
			[`TENCENT_ADMIN_IDENTIFIER_${A}`]: "admin_a",
			[`TENCENT_ADMIN_IDENTIFIER_${B}`]: "admin_b",
		},
		secrets: {
			ADMIN_TOKEN,
			[`CALLBACK_TOKEN_${A}`]: TOKEN_A,
			[`CALLBACK_TOKEN_${B}`]: TOKEN_B,
			[`CALLBACK_TOKEN_PREVIOUS_${B}`]: PREVIOUS_B,
			// The shared key is not the stand-in's: only a per-app key makes a call Tencent accepts.
			TENCENT_SECRET_KEY: "0".repeat(64),
			[`TENCENT_SECRET_KEY_${A}`]: FAKE_SECRET_KEY,
			[`TENCENT_SECRET_KEY_${B}`]: FAKE_SECRET_KEY,
		},
		policyKv: {
			[`policy:${A}`]: JSON.stringify({
				version: "app-a",
				names: { banned: ["casino"] },
				enforcement: { renames: "revert", creates: "destroy" },
			}),
			policy: JSON.stringify({
				version: "shared",
				names: { banned: ["poker"] },
				enforcement: { renames: "revert", creates: "destroy" },
			}),
		},
	});
});

afterAll(async () => {
	await worker?.stop();
	await tencent?.close();
});

/** A callback to `app`'s URL signed with `token` as Tencent signs (test/node/support/signed.ts). */
function callback(app: string, command: string, body: Record<string, unknown>, token = TOKEN[app] ?? "") {
	return signedCallback(worker, token, app, command, body);
}

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
	const response = await worker.fetch(path, {
		method,
		headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
	return { status: response.status, json: (await response.json()) as T };
}

/** The ErrorCode a BeforeCreateTopic for `name` gets on `app`'s URL. */
async function creationAnswer(app: string, name: string): Promise<number> {
	const response = await callback(app, "Group.CallbackBeforeCreateTopic", {
		Operator_Account: "leckie",
		Type: "Community",
		Name: name,
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { ErrorCode: number }).ErrorCode;
}

/** Polls until `read` gives a value `done` accepts (at most 30 s). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
	let value = await read();
	for (const started = Date.now(); !done(value) && Date.now() - started < 30_000; ) {
		await new Promise((resolve) => setTimeout(resolve, 100));
		value = await read();
	}
	if (!done(value)) throw new Error(`never settled: ${JSON.stringify(value)}`);
	return value;
}

describe("two apps in one Worker, over real sockets", () => {
	it("signs each app's callbacks with its own token only (and its previous one while it changes)", async () => {
		expect(await creationAnswer(A, "Weekly chat")).toBe(0);
		expect(await creationAnswer(B, "Weekly chat")).toBe(0);
		const body = { Operator_Account: "leckie", Type: "Community", Name: "Weekly chat" };
		const crossed = [
			await callback(B, "Group.CallbackBeforeCreateTopic", body, TOKEN[A]),
			await callback(A, "Group.CallbackBeforeCreateTopic", body, TOKEN[B]),
			await callback(A, "Group.CallbackBeforeCreateTopic", body, PREVIOUS_B),
		];
		expect(crossed.map((response) => response.status)).toEqual([401, 401, 401]);
		expect((await callback(B, "Group.CallbackBeforeCreateTopic", body, PREVIOUS_B)).status).toBe(200);
	});

	it("decides each app's creations with its own policy; the shared key serves the app without one", async () => {
		expect(await creationAnswer(A, "Casino night")).not.toBe(0);
		expect(await creationAnswer(B, "Casino night")).toBe(0);
		expect(await creationAnswer(B, "Poker night")).not.toBe(0);
		expect(await creationAnswer(A, "Poker night")).toBe(0);
		const decisions = async (app: string) =>
			(
				await until(
					() =>
						api<{ decisions: { sdk_app_id: string; name: string; policy_version: string }[] }>(
							"GET",
							`/api/decisions?app=${app}&limit=1000`,
						),
					(page) => page.json.decisions.some((row) => row.name === "Poker night"),
				)
			).json.decisions;
		for (const [app, version] of [
			[A, "app-a"],
			[B, "shared"],
		] as const) {
			const rows = await decisions(app);
			expect(new Set(rows.map((row) => row.sdk_app_id))).toEqual(new Set([app]));
			expect(rows.find((row) => row.name === "Poker night")?.policy_version).toBe(version);
		}
		const checked = await api<{ policyVersion: string; allowed: boolean }>("POST", "/api/policy/check", {
			Operator_Account: "leckie",
			Name: "Casino night",
			app: B,
		});
		expect(checked.json).toMatchObject({ policyVersion: "shared", allowed: true });
		const health = await worker.fetch("/healthz", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
		expect(health.status).toBe(200);
		expect(((await health.json()) as { policy: { apps: unknown } }).policy.apps).toEqual({
			[A]: { version: "app-a", source: "live", key: `policy:${A}` },
			[B]: { version: "shared", source: "live", key: "policy" },
		});
	});

	it("keeps the same custom GroupId and TopicId apart: two topics, each with its own history", async () => {
		const groupId = `team-${Date.now().toString(36)}`;
		const topicId = `${groupId}@TOPIC#_chat`;
		sharedTopicId = topicId;
		const create = (app: string, name: string) =>
			callback(app, "Group.CallbackAfterCreateTopic", {
				GroupId: groupId,
				TopicId: topicId,
				Operator_Account: "leckie",
				Owner_Account: "leckie",
				Type: "Community",
				Name: name,
			});
		expect((await create(A, "Alpha room")).status).toBe(200);
		expect((await create(B, "Beta room")).status).toBe(200);
		const rename = await callback(B, "Group.CallbackAfterTopicInfoChanged", {
			GroupId: groupId,
			TopicId: topicId,
			Type: "Community",
			Operator_Account: "leckie",
			Name: "Beta room 2",
		});
		expect(rename.status).toBe(200);

		type TopicPage = {
			topic: { sdk_app_id: string; name: string };
			events: { sdk_app_id: string; command: string }[];
		};
		const path = `/api/topics/${encodeURIComponent(topicId)}`;
		const inA = await api<TopicPage>("GET", `${path}?app=${A}`);
		const inB = await api<TopicPage>("GET", `${path}?app=${B}`);
		expect(inA.json.topic).toMatchObject({ sdk_app_id: A, name: "Alpha room" });
		expect(inB.json.topic).toMatchObject({ sdk_app_id: B, name: "Beta room 2" });
		expect(inA.json.events.map((event) => event.sdk_app_id)).toEqual([A]);
		expect(inB.json.events.map((event) => event.sdk_app_id)).toEqual([B, B]);
		const either = await api<{ error: { field: string } }>("GET", path);
		expect(either.status).toBe(409);
		expect(either.json.error.field).toBe("app");

		const listed = await api<{ topics: { sdk_app_id: string }[] }>(
			"GET",
			`/api/groups/${encodeURIComponent(groupId)}/topics?app=${B}`,
		);
		expect(listed.json.topics.map((topic) => topic.sdk_app_id)).toEqual([B]);
		const feed = await api<{ events: { sdk_app_id: string; group_id: string }[] }>(
			"GET",
			`/api/events?app=${A}&limit=1000`,
		);
		expect(feed.json.events.filter((event) => event.group_id === groupId)).toHaveLength(1);
		expect(new Set(feed.json.events.map((event) => event.sdk_app_id))).toEqual(new Set([A]));
		const unknown = await api<{ error: { field: string } }>("GET", "/api/events?app=1400000999");
		expect(unknown).toMatchObject({ status: 400, json: { error: { field: "app" } } });

		// The backtest judges one app's topics with that app's policy, and needs to know which app.
		const draft = { version: "draft", names: { banned: ["alpha", "beta"] } };
		const backtest = (body: Record<string, unknown>) =>
			api<{
				refused: { topic_id: string; name: string }[];
				policyVersion: string;
				error?: { field: string };
			}>("POST", "/api/policy/backtest", body);
		const refusedIn = async (app: string) =>
			(await backtest({ policy: draft, app, limit: 1000 })).json.refused.filter(
				(hit) => hit.topic_id === topicId,
			);
		expect((await refusedIn(A)).map((hit) => hit.name)).toEqual(["Alpha room"]);
		expect((await refusedIn(B)).map((hit) => hit.name)).toEqual(["Beta room 2"]);
		expect(await backtest({ policy: draft })).toMatchObject({
			status: 400,
			json: { error: { field: "app" } },
		});
		expect((await backtest({ app: A })).json.policyVersion).toBe("app-a");
		expect((await backtest({ app: B })).json.policyVersion).toBe("shared");
	});

	it("enforces each app's policy through Tencent with that app's key and admin identifier", async () => {
		const stamp = Date.now().toString(36);
		const cases = [
			{ app: A, groupId: `@TGS#_@TGS#appsA${stamp}`, banned: "Casino royale", admin: "admin_a" },
			{ app: B, groupId: `@TGS#_@TGS#appsB${stamp}`, banned: "Poker face", admin: "admin_b" },
		];
		for (const { app, groupId, banned } of cases) {
			const topicId = `${groupId}@TOPIC#_t`;
			await tencent.control("topics", { groupId, topics: [{ topicId, name: banned }] });
			await callback(app, "Group.CallbackAfterCreateTopic", {
				GroupId: groupId,
				TopicId: topicId,
				Operator_Account: "leckie",
				Owner_Account: "leckie",
				Type: "Community",
				Name: "Fine name",
			});
			const renamed = await callback(app, "Group.CallbackAfterTopicInfoChanged", {
				GroupId: groupId,
				TopicId: topicId,
				Type: "Community",
				Operator_Account: "leckie",
				Name: banned,
			});
			expect(renamed.status).toBe(200);
		}
		for (const { app, groupId, admin } of cases) {
			const rows = await until(
				async () =>
					(
						await api<{ actions: { status: string; action: string; new_name: string | null }[] }>(
							"GET",
							`/api/enforcement?app=${app}&group=${encodeURIComponent(groupId)}`,
						)
					).json.actions,
				(found) => found.length === 1 && found[0]?.status !== "pending",
			);
			expect(rows[0]).toMatchObject({ action: "revert", status: "done", new_name: "Fine name" });
			const modifies = (await tencent.control<RecordedCall[]>("calls", { groupId })).filter(
				(call) => call.command === MODIFY,
			);
			expect(modifies).toHaveLength(1);
			expect(modifies[0]?.query).toMatchObject({ sdkappid: app, identifier: admin });
			expect(modifies[0]?.userSigProblem).toBeNull();
		}
		// The other app's ledger holds none of these rows.
		const elsewhere = await api<{ actions: unknown[] }>(
			"GET",
			`/api/enforcement?app=${B}&group=${encodeURIComponent(cases[0]?.groupId ?? "")}`,
		);
		expect(elsewhere.json.actions).toEqual([]);
	});

	it("offers an app picker in the console, and each app's topics and policy under it", async () => {
		expect(sharedTopicId).not.toBe("");
		const browser = await launchBrowser();
		try {
			const page = await browser.context.newPage();
			await page.goto(new URL("/admin", worker.url).href);
			await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
			await page.getByRole("button", { name: "Sign in" }).click();
			const picker = page.getByLabel("App");
			await picker.waitFor();
			expect(await picker.locator("option").allTextContents()).toEqual([A, B]);
			const found = async () => {
				await page.getByRole("navigation").getByRole("link", { name: "Topics" }).click();
				await page.getByLabel("Topic ID, group ID or name").fill(sharedTopicId);
				await page.getByRole("button", { name: "Search" }).click();
				const results = page.locator("#topic-results li");
				await expect.poll(() => results.count()).toBe(1);
				return results.first().textContent();
			};
			expect(await found()).toContain("Alpha room");
			await picker.selectOption(B);
			expect(await found()).toContain("Beta room 2");
			await page.getByRole("navigation").getByRole("link", { name: "Policy" }).click();
			await expect
				.poll(() => page.locator("#policy-live").textContent())
				.toContain(`App ${B} has no policy of its own`);
			await picker.selectOption(A);
			await expect
				.poll(() => page.locator("#policy-live").textContent())
				.toContain(`Live for app ${A}: app-a`);
			// Health lists each app's policy and the key it is read from.
			await page.getByRole("navigation").getByRole("link", { name: "Health" }).click();
			const facts = page.locator("#health-facts");
			await expect
				.poll(() => facts.textContent())
				.toContain(`Policy of app ${A}app-a (live, key policy:${A})`);
			expect(await facts.textContent()).toContain(`Policy of app ${B}shared (live, key policy)`);
		} finally {
			await browser.close();
		}
	});
});

describe("migration 0010 on a database that already holds rows", () => {
	it("keys topics by app from their own events, and marks what it cannot know with ''", async () => {
		const dir = fileURLToPath(new URL("../../migrations/", import.meta.url));
		const files = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
		const mf = new Miniflare({ modules: true, script: "export default {}", d1Databases: ["DB"] });
		try {
			const db = await mf.getD1Database("DB");
			const apply = async (name: string) => {
				const statements = unstable_splitSqlQuery(await readFile(`${dir}${name}`, "utf8"));
				await db.batch(statements.map((sql) => db.prepare(sql)));
			};
			for (const name of files.filter((name) => name < "0010")) await apply(name);
			const event = (id: number, app: string, topic: string) =>
				db
					.prepare(
						`INSERT INTO events (event_key, delivery_id, command, sdk_app_id, group_id, topic_id, received_at, payload)
						 VALUES (?, 'd', 'Group.CallbackAfterCreateTopic', ?, 'team-1', ?, 1, '{}')`,
					)
					.bind(`k${id}`, app, topic);
			await db.batch([
				event(1, A, "team-1@TOPIC#_a"),
				event(2, B, "team-1@TOPIC#_b"),
				db.prepare("INSERT INTO topics (topic_id, group_id, name) VALUES ('team-1@TOPIC#_a', 'team-1', 'a')"),
				db.prepare("INSERT INTO topics (topic_id, group_id, name) VALUES ('team-1@TOPIC#_b', 'team-1', 'b')"),
				db.prepare(
					"INSERT INTO topics (topic_id, group_id, name) VALUES ('team-1@TOPIC#_gone', 'team-1', 'c')",
				),
				db.prepare(
					`INSERT INTO decisions (received_at, command, operator_account, name, allowed, error_code, dry_run, source)
					 VALUES (1, 'Group.CallbackBeforeCreateTopic', 'leckie', 'x', 1, 0, 0, 'policy')`,
				),
				db.prepare(
					`INSERT INTO policy_versions (published_at, published_by, action, hash, text)
					 VALUES (1, 'api token', 'publish', 'h', '{}')`,
				),
			]);
			await apply(files.find((name) => name.startsWith("0010")) ?? "");
			const topics = await db
				.prepare("SELECT topic_id, sdk_app_id, name FROM topics ORDER BY topic_id")
				.all<{ topic_id: string; sdk_app_id: string; name: string }>();
			expect(topics.results.map((row) => [row.topic_id, row.sdk_app_id, row.name])).toEqual([
				["team-1@TOPIC#_a", A, "a"],
				["team-1@TOPIC#_b", B, "b"],
				["team-1@TOPIC#_gone", "", "c"],
			]);
			expect(await db.prepare("SELECT sdk_app_id FROM decisions").first("sdk_app_id")).toBe("");
			expect(await db.prepare("SELECT sdk_app_id FROM policy_versions").first("sdk_app_id")).toBe("");
			// The key is the pair: the same topic ID may now be stored once per app.
			await db
				.prepare("INSERT INTO topics (sdk_app_id, topic_id, name) VALUES (?, 'team-1@TOPIC#_a', 'other app')")
				.bind(B)
				.run();
			await expect(
				db.prepare("INSERT INTO topics (sdk_app_id, topic_id) VALUES (?, 'team-1@TOPIC#_a')").bind(A).run(),
			).rejects.toThrow(/UNIQUE/);
		} finally {
			await mf.dispose();
		}
	});
});
