// Headless Chromium for the console's browser tests: Debian's `chromium` (installed by .ci/run) driven by
// playwright-core, which downloads no browser of its own. Each launch gets a fresh profile directory.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Where the browser is; CHROMIUM_PATH overrides Debian's location. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** A started browser (its one context, on a fresh profile) and how to stop it and remove the profile. */
export interface RunningBrowser {
	context: BrowserContext;
	close(): Promise<void>;
}

/** Starts headless Chromium with no network beyond what the page asks for and no background traffic. */
export async function launchBrowser(): Promise<RunningBrowser> {
	const profile = await mkdtemp(join(tmpdir(), "console-chromium-"));
	// playwright passes --user-data-dir itself for a persistent context: the fresh profile directory.
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: [
			"--headless",
			"--no-sandbox",
			"--disable-gpu",
			"--disable-quic",
			"--no-first-run",
			"--disable-background-networking",
			"--disable-component-update",
			"--disable-sync",
		],
	});
	return {
		context,
		close: async () => {
			await context.close();
			await rm(profile, { recursive: true, force: true });
		},
	};
}
