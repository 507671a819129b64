// The console's backtest and enforcement panels in a real browser, against the real Worker (wrangler, local
// KV, D1 and Queues) and the recording stand-in for Tencent's REST API: the backtest lists names and topic
// IDs, a draft cannot be applied, the live policy's preview is applied after a confirmation, the hourly cap
// holds what is over it, and the moderator resumes and discards held actions with the panel's buttons.
// Screenshots go to test-results/console/.
import { mkdir } from "node:fs/promises";
import type { Dialog, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FAKE_SECRET_KEY } from "../support/fake-tencent.mjs";
import { launchBrowser, type RunningBrowser } from "./support/browser";
import { type FakeTencentServer, type RecordedCall, startFakeTencent } from "./support/fake-tencent-server";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "console-enforcement-test-admin-token-0123456789";
const SHOTS = new URL("../../test-results/console/", import.meta.url).pathname;
const GROUP = "@TGS#_@TGS#consoleHOLD";
const topicId = (n: number) => `${GROUP}@TOPIC#_@TOPIC#poker${n}`;
const HARBOUR = `${GROUP}@TOPIC#_@TOPIC#harbour`;
const TOPICS = [1, 2, 3, 4, 5];
/** The live policy before and after the test's publication: the second one refuses "poker". */
const policy = (version: string, banned: string[]) =>
	JSON.stringify(
		{ version, names: { banned }, enforcement: { renames: "destroy", maxDestroysPerHour: 1 } },
		null,
		"\t",
	);
const BEFORE = policy("hold-1", ["casino"]);
const AFTER = policy("hold-2", ["casino", "poker"]);

let tencent: FakeTencentServer;
let worker: RunningWorker;
let chromium: RunningBrowser;
let page: Page;

const bearer = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** An /api call with the admin token (the test's own view, not the page's). */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
	const response = await worker.fetch(path, {
		method,
		headers: { ...bearer, "content-type": "application/json" },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	expect(response.status, `${method} ${path}`).toBe(200);
	return (await response.json()) as T;
}

/**
 * Publishes `text` through the API and returns once this Worker decides with it (each isolate picks a
 * publication up on its own schedule).
 */
async function publish(text: string, version: string) {
	const live = await api<{ hash: string }>("GET", "/api/policy");
	await api("PUT", "/api/policy", { policy: text, baseHash: live.hash });
	const liveVersion = async () =>
		(await api<{ policyVersion: string }>("POST", "/api/policy/check", { Operator_Account: "t", Name: "x" }))
			.policyVersion;
	for (const started = Date.now(); (await liveVersion()) !== version; )
		if (Date.now() - started > 60_000) throw new Error(`${version} never went live`);
}

/** destroy_topic calls the stand-in received for the test's community. */
async function destroys(): Promise<RecordedCall[]> {
	const calls = await tencent.control<RecordedCall[]>("calls", { groupId: GROUP });
	return calls.filter((call) => call.command === "million_group_open_http_svc/destroy_topic");
}

/**
 * The ledger's destroy rows. (The creations' rechecks record `log` rows of their own, by "callback": the
 * topics were created before the policy refused them, and `creates` is "log".)
 */
async function destroyRows() {
	const { actions } = await api<{ actions: { action: string; requested_by: string }[] }>(
		"GET",
		"/api/enforcement?limit=1000",
	);
	return actions.filter((row) => row.action === "destroy");
}

const held = async () => (await api<{ held: number }>("GET", "/api/enforcement/hold")).held;

async function shot(name: string) {
	await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** Opens a console section from the navigation, as a user would. */
async function open(section: string) {
	await page.getByRole("navigation").getByRole("link", { name: section }).click();
}

/** Answers the next confirmation dialog (accepting or not) and returns its text. */
function nextDialog(accept: boolean): Promise<string> {
	return new Promise((resolve) => {
		page.once("dialog", async (dialog: Dialog) => {
			const text = dialog.message();
			if (accept) await dialog.accept();
			else await dialog.dismiss();
			resolve(text);
		});
	});
}

beforeAll(async () => {
	await mkdir(SHOTS, { recursive: true });
	tencent = await startFakeTencent();
	await tencent.control("topics", {
		groupId: GROUP,
		topics: [
			...TOPICS.map((n) => ({
				topicId: topicId(n),
				name: `Poker night ${n}`,
				introduction: `Weekly games, table ${n}`,
				notification: "Bring snacks",
				faceUrl: `https://img.example/poker-${n}.png`,
				customString: `table-${n}`,
			})),
			{ topicId: HARBOUR, name: "Harbour walks" },
		],
	});
	// Callbacks arrive unsigned here, as under `npm start`: they only record. Backtest apply is the
	// moderator's act and does call Tencent.
	worker = await startWorker({
		vars: { TENCENT_API_BASE: tencent.base, ALLOW_UNSIGNED_CALLBACKS: "true" },
		secrets: { TENCENT_SECRET_KEY: FAKE_SECRET_KEY, ADMIN_TOKEN },
		policyKv: { policy: BEFORE },
	});
	// The topics went live while the policy allowed them.
	for (const [id, name] of [
		...TOPICS.map((n) => [topicId(n), `Poker night ${n}`]),
		[HARBOUR, "Harbour walks"],
	]) {
		const query = new URLSearchParams({
			SdkAppid: "1400000000",
			CallbackCommand: "Group.CallbackAfterCreateTopic",
			contenttype: "json",
			ClientIP: "127.0.0.1",
			OptPlatform: "RESTAPI",
		});
		const response = await worker.fetch(`/?${query}`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({
				CallbackCommand: "Group.CallbackAfterCreateTopic",
				GroupId: GROUP,
				TopicId: id,
				Operator_Account: "leckie",
				Owner_Account: "leckie",
				Type: "Community",
				Name: name,
				EventTime: 1_764_000_000_000,
			}),
		});
		expect(response.status).toBe(200);
		await response.arrayBuffer();
	}
	// Then a policy refusing them is published.
	await publish(AFTER, "hold-2");

	chromium = await launchBrowser();
	page = await chromium.context.newPage();
	await page.setViewportSize({ width: 1200, height: 900 });
	await page.goto(new URL("/admin", worker.url).href);
	await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
	await page.getByLabel(/Your name/).fill("Dana");
	await page.getByRole("button", { name: "Sign in" }).click();
	await page.getByText("Signed in as Dana").waitFor();
});

afterAll(async () => {
	await chromium?.close();
	await worker?.stop();
	await tencent?.close();
});

describe.sequential("the console's backtest and enforcement panels", () => {
	test("says on every panel that unsigned callbacks only record; no hold banner while nothing is held", async () => {
		const unsigned = page.locator("#unsigned-banner");
		await expect.poll(() => unsigned.isVisible()).toBe(true);
		expect(await unsigned.textContent()).toContain("enforcement only records");
		expect(await page.locator("#hold-banner").isVisible()).toBe(false);
		await open("Decisions");
		expect(await unsigned.isVisible()).toBe(true);
	});

	test("a draft's backtest lists names and topic IDs, and says to publish it first", async () => {
		await open("Policy");
		await expect.poll(() => page.getByLabel("Policy document (JSON)").inputValue()).toBe(AFTER);
		await page.getByRole("button", { name: "Backtest the draft" }).click();
		const result = page.locator("#backtest-result");
		await expect.poll(() => result.textContent()).toContain("The draft would refuse 5 of 6 live topics");
		const text = (await result.textContent()) ?? "";
		for (const n of TOPICS) expect(text).toContain(`Poker night ${n} — ${topicId(n)}`);
		expect(text).toContain('names.banned[1] "poker"');
		expect(text).not.toContain("undefined");
		expect(text).not.toContain("Harbour");
		expect(text).toContain("publish it first to apply");
		expect(await page.getByRole("button", { name: "Apply", exact: true }).isVisible()).toBe(false);
		await shot("10-backtest-draft");
		// The same draft over the communities (the groups view) instead of the topics.
		await page.locator("#backtest-target").selectOption("groups");
		await page.getByRole("button", { name: "Backtest the draft" }).click();
		await expect
			.poll(() => result.textContent())
			.toMatch(/The draft would refuse \d+ of \d+ live communities/);
		expect(await result.textContent()).not.toContain("Poker night");
		await page.locator("#backtest-target").selectOption("topics");
	});

	test("the live policy's backtest shows the preview; Apply asks with the counts, then queues", async () => {
		await page.getByRole("button", { name: "Backtest the live policy" }).click();
		const result = page.locator("#backtest-result");
		await expect
			.poll(() => result.textContent())
			.toContain("Applying this page would queue: 5 destroy, 0 rename, 0 revert, 0 log only.");
		expect(await result.textContent()).toContain(`Poker night 3 — ${topicId(3)}`);
		const apply = page.getByRole("button", { name: "Apply", exact: true });
		expect(await apply.isVisible()).toBe(true);
		await shot("11-backtest-preview");

		// Declined: nothing is queued.
		const declined = nextDialog(false);
		await apply.click();
		expect(await declined).toContain("5 destroy");
		expect(await destroyRows()).toEqual([]);

		const asked = nextDialog(true);
		await apply.click();
		expect(await asked).toBe(
			"Apply the live policy to this page? This queues 5 destroy, 0 rename, 0 revert, 0 log only.",
		);
		const applied = page.locator("#backtest-apply-result");
		await expect.poll(() => applied.textContent()).toContain("Applied: recorded 5, queued 5.");
		// The cap (one destroy an hour) lets one through and holds the other four.
		await expect.poll(held, { timeout: 30_000 }).toBe(4);
		await expect.poll(async () => (await destroys()).length, { timeout: 30_000 }).toBe(1);
		expect((await destroyRows()).map((row) => row.requested_by)).toEqual(Array(5).fill("Dana"));
	});

	test("the hold shows at the top of every panel and links to the held actions", async () => {
		const banner = page.locator("#hold-banner");
		for (const section of ["Test a text", "Topics", "Health"]) {
			await open(section);
			await expect.poll(() => banner.isVisible()).toBe(true);
			expect(await banner.textContent()).toContain("4 enforcement actions are held: a cap was reached");
		}
		await shot("12-hold-banner");
		await page.getByRole("link", { name: "Show the held actions" }).click();
		await expect.poll(() => page.locator("#enforcement").isVisible()).toBe(true);
		expect(await page.getByLabel("Status").inputValue()).toBe("held");
		const rows = page.locator("#enforcement-table tbody tr");
		await expect.poll(() => rows.count()).toBe(4);
		for (let i = 0; i < 4; i++) {
			const row = rows.nth(i);
			expect(await row.textContent()).toContain("held");
			expect(await row.textContent()).toContain("Dana");
			expect(await row.getByRole("button", { name: /^Resume action #/ }).count()).toBe(1);
			expect(await row.getByRole("button", { name: /^Discard action #/ }).count()).toBe(1);
		}
		await shot("13-held-actions");
	});

	test("the destroyed topic shows Tencent's name and its kept last state", async () => {
		await page.getByLabel("Status").selectOption("done");
		const rows = page.locator("#enforcement-table tbody tr");
		await expect.poll(() => rows.count()).toBe(1);
		const [destroyed] = await destroys();
		const gone = String((destroyed?.body.TopicIdList as string[] | undefined)?.[0]);
		const n = Number(gone.slice(-1));
		const row = rows.first();
		expect(await row.textContent()).toContain(gone);
		expect(await row.textContent()).toContain(`Poker night ${n}`);
		await row.getByText("Last state").click();
		const state = row.locator(".last-state dl");
		await expect.poll(() => state.isVisible()).toBe(true);
		const facts = await state.textContent();
		for (const expected of [
			`NamePoker night ${n}`,
			`IntroductionWeekly games, table ${n}`,
			"NotificationBring snacks",
			`Face URLhttps://img.example/poker-${n}.png`,
			"Ownerleckie",
			`Custom datatable-${n}`,
		])
			expect(facts).toContain(expected);
		await shot("14-destroyed-last-state");
	});

	test("resumes one and discards one with their buttons, then resumes all after a confirmation", async () => {
		await page.getByLabel("Status").selectOption("held");
		const rows = page.locator("#enforcement-table tbody tr");
		await expect.poll(() => rows.count()).toBe(4);
		const result = page.locator("#enforcement-result");

		await rows
			.first()
			.getByRole("button", { name: /^Resume action #/ })
			.click();
		await expect.poll(() => result.textContent()).toBe("Resumed 1 action(s).");
		await expect.poll(() => rows.count()).toBe(3);
		await expect.poll(async () => (await destroys()).length, { timeout: 30_000 }).toBe(2);

		const discardButton = rows.first().getByRole("button", { name: /^Discard action #/ });
		const discardedId = Number(((await discardButton.getAttribute("aria-label")) ?? "").replace(/\D/g, ""));
		await discardButton.click();
		await expect.poll(() => result.textContent()).toBe("Discarded 1 action(s).");
		await expect.poll(() => rows.count()).toBe(2);
		const discarded = await api<{ actions: { id: number; topic_id: string }[] }>(
			"GET",
			"/api/enforcement?status=discarded",
		);
		expect(discarded.actions.map((a) => a.id)).toEqual([discardedId]);
		const keptTopic = discarded.actions[0]?.topic_id;
		await expect
			.poll(() => page.locator("#hold-text").textContent())
			.toContain("2 enforcement actions are held");

		// Discard all, declined: nothing changes.
		const declined = nextDialog(false);
		await page.getByRole("button", { name: "Discard all" }).click();
		expect(await declined).toBe("Discard all 2 held actions? None of them will be carried out.");
		expect(await held()).toBe(2);

		const asked = nextDialog(true);
		await page.getByRole("button", { name: "Resume all" }).click();
		expect(await asked).toContain("Resume all 2 held actions?");
		await expect.poll(() => result.textContent()).toBe("Resumed 2 action(s).");
		await expect.poll(() => rows.first().textContent()).toContain("No enforcement actions.");
		await expect.poll(() => page.locator("#hold-banner").isVisible()).toBe(false);
		expect(await held()).toBe(0);
		// Every resumed action was carried out; the discarded topic is still there.
		await expect.poll(async () => (await destroys()).length, { timeout: 30_000 }).toBe(4);
		const destroyed = new Set((await destroys()).flatMap((call) => call.body.TopicIdList as string[]));
		expect(destroyed.size).toBe(4);
		expect(destroyed.has(keptTopic as string)).toBe(false);
		const left = await tencent.control<{ topics: Record<string, string> }>("state", { groupId: GROUP });
		expect(Object.keys(left.topics).sort()).toEqual([HARBOUR, keptTopic].sort());
		await shot("15-resumed");
	});

	test("a preview gone stale (the policy changed since) is refused, and the page says to backtest again", async () => {
		await open("Policy");
		await page.getByRole("button", { name: "Backtest the live policy" }).click();
		await expect
			.poll(() => page.locator("#backtest-result").textContent())
			.toContain("Applying this page would queue");
		const before = (await destroyRows()).length;
		await publish(policy("hold-3", ["casino", "poker"]), "hold-3");

		const asked = nextDialog(true);
		await page.getByRole("button", { name: "Apply", exact: true }).click();
		await asked;
		const applied = page.locator("#backtest-apply-result");
		await expect.poll(() => applied.textContent()).toContain("Not applied: previewToken:");
		expect(await applied.textContent()).toContain("Backtest again for a fresh preview.");
		expect((await destroyRows()).length).toBe(before);
		await shot("16-stale-preview");
	});
});
