// The console page's weight: all its JavaScript, gzipped as a CDN would serve it, within the 100 KiB budget
// (separate from the Worker's bundle). The figure is printed so docs/console.md can quote it.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { expect, test } from "vitest";

const PAGE_DIR = fileURLToPath(new URL("../../src/console/public/admin/", import.meta.url));
const BUDGET_BYTES = 100 * 1024;

test("the console's JavaScript is within 100 KiB gzipped", async () => {
	const scripts = (await readdir(PAGE_DIR)).filter((name) => name.endsWith(".js"));
	expect(scripts.length).toBeGreaterThan(0);
	let gzipped = 0;
	for (const name of scripts)
		gzipped += gzipSync(await readFile(join(PAGE_DIR, name)), { level: 9 }).byteLength;
	console.log(`console JavaScript: ${scripts.join(", ")}, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);
	expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
});
