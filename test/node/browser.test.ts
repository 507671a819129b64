// The browser the console's tests drive comes from npm when the machine has none: the Chromium inside
// @sparticuz/chromium, unpacked locally, runs headless under playwright-core here.
import { afterEach, describe, expect, it } from "vitest";
import { bundledChromium, chromiumPath, launchBrowser } from "./support/browser";

const saved = process.env.CHROMIUM_PATH;
afterEach(() => {
	if (saved === undefined) delete process.env.CHROMIUM_PATH;
	else process.env.CHROMIUM_PATH = saved;
});

describe("the browser for the console's tests", () => {
	it("is the one CHROMIUM_PATH names, when it is set", async () => {
		process.env.CHROMIUM_PATH = "/opt/some/chromium";
		expect(await chromiumPath()).toBe("/opt/some/chromium");
	});

	it("can be the Chromium shipped inside @sparticuz/chromium, unpacked under node_modules/.cache", async () => {
		const executablePath = await bundledChromium();
		expect(executablePath).toMatch(/node_modules\/\.cache\/sparticuz-chromium\/[^/]+\/chromium$/);
		const browser = await launchBrowser(executablePath);
		try {
			const page = await browser.context.newPage();
			await page.setContent("<p id=out></p><script>out.textContent = String(6 * 7)</script>");
			expect(await page.textContent("#out")).toBe("42");
			expect(
				browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent)),
			).toMatch(/\d+\.\d+/);
		} finally {
			await browser.close();
		}
	});
});
