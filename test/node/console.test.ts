// The moderator's console in a real browser: headless Chromium drives /admin against the real Worker
// (local KV and D1 on fresh state) through a day's work: sign in, test names, read the decisions, follow a
// topic's history, publish a broken policy (refused) and a good one (live), roll it back, sign out.
// Screenshots of each screen go to test-results/console/.
import { mkdir, readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, type RunningBrowser } from "./support/browser";
import { type RunningWorker, startWorker } from "./support/worker";

const ADMIN_TOKEN = "console-browser-test-admin-token-0123456789";
const SHOTS = new URL("../../test-results/console/", import.meta.url).pathname;
const GROUP = "@TGS#_@TGS#consoleGRP";
const TOPIC = `${GROUP}@TOPIC#_@TOPIC#harbour`;
const CALLBACK_QUERY =
	"?SdkAppid=1400000000&contenttype=json&ClientIP=127.0.0.1&OptPlatform=RESTAPI&CallbackCommand=";

let worker: RunningWorker;
let chromium: RunningBrowser;
let page: Page;
let livePolicy: string;

/** Sends a Tencent callback the way Chat does (no callback token is set on this Worker). */
async function callback(body: Record<string, unknown>): Promise<Record<string, unknown>> {
	const response = await worker.fetch(`/${CALLBACK_QUERY}${body.CallbackCommand}`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	expect(response.status).toBe(200);
	return (await response.json()) as Record<string, unknown>;
}

/** What the Worker's KV holds under `policy` now, read through the bearer API (not through the page). */
async function kvPolicy(): Promise<string | null> {
	const response = await worker.fetch("/api/policy", { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
	return ((await response.json()) as { text: string | null }).text;
}

async function shot(name: string) {
	await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** Opens a console section from the navigation, as a user would. */
async function open(section: string) {
	await page.getByRole("navigation").getByRole("link", { name: section }).click();
}

beforeAll(async () => {
	await mkdir(SHOTS, { recursive: true });
	livePolicy = await readFile(new URL("../../examples/policy.json", import.meta.url), "utf8");
	// The day's traffic below is sent unsigned, as under `npm start`.
	worker = await startWorker({
		secrets: { ADMIN_TOKEN },
		vars: { ALLOW_UNSIGNED_CALLBACKS: "true" },
		policyKv: { policy: livePolicy },
	});
	// A day's traffic: a refused and an allowed creation, and one topic created, renamed and destroyed.
	await callback({
		CallbackCommand: "Group.CallbackBeforeCreateTopic",
		Operator_Account: "mallory",
		Type: "Community",
		GroupId: GROUP,
		Name: "Casino night",
	});
	await callback({
		CallbackCommand: "Group.CallbackBeforeCreateTopic",
		Operator_Account: "leckie",
		Type: "Community",
		GroupId: GROUP,
		Name: "Harbour walks",
	});
	await callback({
		CallbackCommand: "Group.CallbackAfterCreateTopic",
		GroupId: GROUP,
		TopicId: TOPIC,
		Operator_Account: "leckie",
		Owner_Account: "leckie",
		Type: "Community",
		Name: "Harbour walks",
		EventTime: 1_764_000_000_000,
	});
	await callback({
		CallbackCommand: "Group.CallbackAfterTopicInfoChanged",
		GroupId: GROUP,
		TopicId: TOPIC,
		Operator_Account: "leckie",
		Type: "Community",
		Name: "Harbour walks at dawn",
		EventTime: 1_764_000_060_000,
	});
	await callback({
		CallbackCommand: "Group.CallbackAfterTopicDestroyed",
		GroupId: GROUP,
		Type: "Community",
		TopicIdList: [TOPIC],
		EventTime: 1_764_000_120_000,
	});
	// A callback whose body fails validation (TopicId missing): refused, and kept in quarantine.
	const invalid = await worker.fetch(`/${CALLBACK_QUERY}Group.CallbackAfterCreateTopic`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({
			CallbackCommand: "Group.CallbackAfterCreateTopic",
			GroupId: GROUP,
			Operator_Account: "leckie",
			Type: "Community",
			Name: "No id",
		}),
	});
	expect(invalid.status).toBe(400);
	chromium = await launchBrowser();
	page = await chromium.context.newPage();
	await page.setViewportSize({ width: 1200, height: 900 });
});

afterAll(async () => {
	await chromium?.close();
	await worker?.stop();
});

describe.sequential("the console at /admin", () => {
	test("is served with strict headers: CSP without inline script, no framing", async () => {
		const response = await page.goto(new URL("/admin", worker.url).href);
		expect(response?.status()).toBe(200);
		const headers = response?.headers() ?? {};
		const csp = headers["content-security-policy"] ?? "";
		expect(csp).toContain("script-src 'self'");
		expect(csp).not.toContain("unsafe-inline");
		expect(csp).toContain("frame-ancestors 'none'");
		expect(headers["x-frame-options"]).toBe("DENY");
		// The page itself has no inline script for the CSP to allow.
		expect(await page.locator("script:not([src])").count()).toBe(0);
	});

	test("refuses a wrong token, then signs in with the admin token into an HttpOnly cookie", async () => {
		await page.getByLabel("Admin token").fill("not-the-token");
		await page.getByRole("button", { name: "Sign in" }).click();
		await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("not valid");
		await shot("01-sign-in");

		await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
		await page.getByLabel(/Your name/).fill("Dana");
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.getByText("Signed in as Dana").waitFor();
		// One app: no app picker.
		expect(await page.locator("#app-choice").isHidden()).toBe(true);

		const [cookie] = await chromium.context.cookies();
		expect(cookie).toMatchObject({
			name: "__Host-console-session",
			httpOnly: true,
			secure: true,
			sameSite: "Strict",
		});
		// Neither storage nor script-visible cookies hold the token or the session.
		const stored = await page.evaluate(() => ({
			cookies: document.cookie,
			local: JSON.stringify({ ...localStorage }),
			session: JSON.stringify({ ...sessionStorage }),
			field: (document.getElementById("token") as HTMLInputElement).value,
		}));
		expect(stored).toEqual({ cookies: "", local: "{}", session: "{}", field: "" });
	});

	test("tests a banned name and an innocent one against the live policy", async () => {
		await page.getByLabel("Text", { exact: true }).fill("Casino night");
		await page.getByRole("button", { name: "Test", exact: true }).click();
		const result = page.locator("#test-result");
		await expect.poll(() => result.textContent()).toContain("Refused with ErrorCode 1");
		expect(await result.textContent()).toContain('names.banned[0] "casino"');
		await shot("02-test-a-name");

		await page.getByLabel("Text", { exact: true }).fill("Harbour walks");
		await page.getByRole("button", { name: "Test", exact: true }).click();
		await expect.poll(() => result.textContent()).toContain("Allowed");
		expect(await result.textContent()).toContain("no rule matched");

		// The live policy has no `texts` section: a notification is not judged, whatever it says.
		await page.getByLabel("Field", { exact: true }).selectOption("Notification");
		await page.getByLabel("Text", { exact: true }).fill("Casino night");
		await page.getByRole("button", { name: "Test", exact: true }).click();
		await expect.poll(() => result.textContent()).toContain("FieldNotification");
		expect(await result.textContent()).toContain("Allowed");
		expect(await result.textContent()).toContain("no rule matched");
		await page.getByLabel("Field", { exact: true }).selectOption("Name");
	});

	test("shows the refusals per rule and the decisions, filtered to refusals", async () => {
		await open("Decisions");
		const chart = page.locator("#chart");
		await expect.poll(() => chart.textContent()).toContain('names.banned[0] "casino"');
		expect(await chart.textContent()).toContain("1 refusal since");
		await page.getByLabel("Outcome").selectOption("false");
		await page.getByRole("button", { name: "Apply filters" }).click();
		const rows = page.locator("#decision-table tbody tr");
		await expect.poll(() => rows.count()).toBe(1);
		expect(await rows.first().textContent()).toContain("mallory");
		expect(await rows.first().textContent()).toContain("Casino night");
		await shot("03-decisions");
	});

	test("finds a topic by name and shows its timeline: created, renamed, destroyed", async () => {
		await open("Topics");
		await page.getByLabel("Topic ID, group ID or name").fill("harbour");
		await page.getByRole("button", { name: "Search" }).click();
		await page.getByRole("button", { name: /Harbour walks at dawn/ }).click();
		const timeline = page.locator("#timeline-table tbody tr");
		await expect.poll(() => timeline.count()).toBe(3);
		const text = await page.locator("#timeline-table").textContent();
		expect(text).toContain("Create Topic");
		expect(text).toContain("Name: Harbour walks at dawn");
		expect(text).toContain("Topic Destroyed");
		expect(await page.locator("#topic-state").textContent()).toContain("destroyed");
		await shot("04-topic-timeline");
	});

	test("refuses a broken policy, publishes a good one, then rolls it back", async () => {
		await open("Policy");
		const editor = page.getByLabel("Policy document (JSON)");
		await expect.poll(() => editor.inputValue()).toBe(livePolicy);
		const status = page.locator("#policy-status");
		await expect.poll(() => status.textContent()).toContain("Valid: version example-2");

		// A typo in a key: the Worker's own validation names it, at its line; Publish stays off.
		const broken = livePolicy.replace('"minLength": 1', '"minLenght": 1');
		await editor.fill(broken);
		await expect.poll(() => status.textContent()).toContain("unknown key");
		const brokenLine = broken.split("\n").findIndex((line) => line.includes("minLenght")) + 1;
		expect(await status.textContent()).toContain(`line ${brokenLine}`);
		expect(await page.getByRole("button", { name: "Publish" }).isDisabled()).toBe(true);
		expect(await page.locator("#policy-diff").textContent()).toContain('+ \t\t"minLenght": 1,');
		await shot("05-policy-invalid");

		// Even sent straight from the page with the session cookie, a call without the CSRF token is refused,
		// and the broken text is refused by the Worker anyway.
		const direct = await page.evaluate(async (text) => {
			const response = await fetch("/api/policy", {
				method: "PUT",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ policy: text }),
			});
			return response.status;
		}, broken);
		expect(direct).toBe(403);
		expect(await kvPolicy()).toBe(livePolicy);

		// The fix: a new rule and version. It validates, and the draft can be tried before publishing.
		const fixed = livePolicy
			.replace('"version": "example-2"', '"version": "console-3"')
			.replace('"casino",', '"casino",\n\t\t\t"pirate",');
		await editor.fill(fixed);
		await expect.poll(() => status.textContent()).toContain("Valid: version console-3");
		await open("Test a text");
		await page.getByLabel("Text", { exact: true }).fill("Pirate radio");
		await page.getByLabel("the draft in the editor").check();
		await page.getByRole("button", { name: "Test", exact: true }).click();
		await expect.poll(() => page.locator("#test-result").textContent()).toContain("Refused");
		expect(await page.locator("#test-result").textContent()).toContain("inline");

		await open("Policy");
		await page.getByRole("button", { name: "Publish" }).click();
		const result = page.locator("#policy-result");
		await expect.poll(() => result.textContent(), { timeout: 60_000 }).toContain("Published console-3: live");
		expect(await kvPolicy()).toBe(fixed);
		const versions = page.locator("#version-table tbody");
		expect(await versions.textContent()).toContain("Dana");
		await shot("06-policy-published");

		// The live policy now refuses it.
		await open("Test a text");
		await page.getByLabel("the live policy").check();
		await page.getByRole("button", { name: "Test", exact: true }).click();
		await expect.poll(() => page.locator("#test-result").textContent()).toContain("console-3 (live)");
		expect(await page.locator("#test-result").textContent()).toContain("Refused");

		// One click back to what was live before.
		await open("Policy");
		await page.getByRole("button", { name: /Roll back to #1/ }).click();
		await expect.poll(() => result.textContent(), { timeout: 60_000 }).toContain("Published example-2: live");
		expect(await kvPolicy()).toBe(livePolicy);
		expect(await versions.textContent()).toContain("restored #1");
	});

	test("shows a quarantined callback, refuses to replay it while still invalid, dismisses it", async () => {
		await open("Quarantine");
		const rows = page.locator("#quarantine-table tbody tr");
		await expect.poll(() => rows.count()).toBe(1);
		expect(await rows.first().textContent()).toContain("TopicId");
		await page.getByRole("button", { name: /Open quarantined callback #/ }).click();
		await expect.poll(() => page.locator("#quarantine-body").textContent()).toContain('"Name":"No id"');
		await page.getByRole("button", { name: "Replay" }).click();
		const result = page.locator("#quarantine-result");
		await expect.poll(() => result.textContent()).toContain("Replay refused");
		await page.getByRole("button", { name: "Dismiss" }).click();
		await expect.poll(() => result.textContent()).toContain("Dismissed: dismissed");
		expect(await page.locator("#quarantine-facts").textContent()).toContain("dismiss");
		await expect.poll(() => rows.first().textContent()).toContain("Nothing here.");
		await shot("07-quarantine");
	});

	test("shows the Worker's health", async () => {
		await open("Health");
		const facts = page.locator("#health-facts");
		await expect.poll(() => facts.textContent()).toContain("Policy versionexample-2");
		expect(await facts.textContent()).toContain("Policy sourcelive");
		// The verdict /healthz gives, not a field it does not have.
		expect(await facts.textContent()).toContain("Overallok");
		expect(await facts.textContent()).toContain("EnforcementREST API off");
		await shot("08-health");
	});

	test("fits a phone screen", async () => {
		await page.setViewportSize({ width: 390, height: 844 });
		await open("Test a text");
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		expect(overflow).toBeLessThanOrEqual(0);
		await shot("09-phone");
		await page.setViewportSize({ width: 1200, height: 900 });
	});

	test("signs out: the cookie is gone and the API refuses the page", async () => {
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.getByLabel("Admin token").waitFor();
		expect(await chromium.context.cookies()).toEqual([]);
		const status = await page.evaluate(async () => (await fetch("/api/decisions")).status);
		expect(status).toBe(401);
	});
});
