// Headless Chromium for the console's browser tests, driven by playwright-core (which downloads no browser of
// its own). Which Chromium: CHROMIUM_PATH when set, else a system Chromium or Chrome at its usual path, else
// the Chromium that the @sparticuz/chromium devDependency ships inside its npm package (unpacked locally
// from its brotli archive on first use; nothing is downloaded). Each launch gets a fresh profile directory.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type BrowserContext, chromium } from "playwright-core";

const execFileAsync = promisify(execFile);
const projectRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** Where distributions and installers put Chromium (or Chrome), tried in order when CHROMIUM_PATH is unset. */
export const SYSTEM_CHROMIUM_PATHS = [
	"/usr/bin/chromium",
	"/usr/bin/chromium-browser",
	"/snap/bin/chromium",
	"/usr/bin/google-chrome-stable",
	"/usr/bin/google-chrome",
	"/Applications/Chromium.app/Contents/MacOS/Chromium",
	"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/**
 * The Chromium inside @sparticuz/chromium, unpacked under node_modules/.cache (once per package version).
 * The package's executablePath() unpacks into the temporary directory it is given; it runs in a child
 * process on a fresh directory that is then renamed into place, so a run that is stopped half-way, or two
 * runs at once, never leave or use a half-written binary.
 */
export async function bundledChromium(): Promise<string> {
	const packageJson = join(projectRoot, "node_modules", "@sparticuz", "chromium", "package.json");
	const { version } = JSON.parse(await readFile(packageJson, "utf8")) as { version: string };
	const cache = join(projectRoot, "node_modules", ".cache", "sparticuz-chromium");
	const target = join(cache, version);
	const binary = join(target, "chromium");
	if (existsSync(binary)) return binary;
	await mkdir(cache, { recursive: true });
	const staging = await mkdtemp(join(cache, `${version}-unpacking-`));
	try {
		// Given no URL, executablePath() only inflates the archives in the package's bin/ folder; fetch is
		// removed all the same, so that a download would fail rather than happen.
		const unpack =
			"globalThis.fetch = () => { throw new Error('no download'); };" +
			"await (await import('@sparticuz/chromium')).default.executablePath();";
		await execFileAsync(process.execPath, ["--input-type=module", "-e", unpack], {
			cwd: projectRoot,
			env: { ...process.env, TMPDIR: staging, TMP: staging, TEMP: staging },
		});
		await rename(staging, target);
	} catch (error) {
		// Another run put its copy in place first (the rename found a full folder): use that one.
		if (!existsSync(binary)) throw error;
	} finally {
		await rm(staging, { recursive: true, force: true });
	}
	return binary;
}

/** The Chromium the browser tests launch: CHROMIUM_PATH, else a system one, else the bundled one. */
export async function chromiumPath(): Promise<string> {
	if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
	return SYSTEM_CHROMIUM_PATHS.find((path) => existsSync(path)) ?? (await bundledChromium());
}

/** A started browser (its one context, on a fresh profile) and how to stop it and remove the profile. */
export interface RunningBrowser {
	/** The executable that was launched. */
	executablePath: string;
	context: BrowserContext;
	close(): Promise<void>;
}

/**
 * Starts headless Chromium (`executablePath`, else chromiumPath()'s) with no network beyond what the page
 * asks for and no background traffic.
 */
export async function launchBrowser(executablePath?: string): Promise<RunningBrowser> {
	executablePath ??= await chromiumPath();
	const profile = await mkdtemp(join(tmpdir(), "console-chromium-"));
	// playwright passes --user-data-dir itself for a persistent context: the fresh profile directory.
	const context = await chromium.launchPersistentContext(profile, {
		executablePath,
		headless: true,
		args: [
			"--headless",
			// Chromium refuses to start sandboxed as root (containers, CI).
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
		executablePath,
		context,
		close: async () => {
			await context.close();
			await rm(profile, { recursive: true, force: true });
		},
	};
}
