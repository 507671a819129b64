// Configuration is read in one place: outside src/config.ts no module reads a var or secret from `env`;
// only bindings (objects, not text) are taken from it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../../src/", import.meta.url));
const toml = readFileSync(fileURLToPath(new URL("../../wrangler.toml", import.meta.url)), "utf8");

/** The binding names wrangler.toml declares (`binding = "…"`, and `name = "…"` of rate limiters). */
const bindings = new Set(
	[...toml.matchAll(/^(?:binding|name)\s*=\s*"([A-Z_][A-Z0-9_]*)"/gm)].map((match) => match[1] as string),
);

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) return sources(full);
		return entry.name.endsWith(".ts") ? [full] : [];
	});
}

describe("configuration reads", () => {
	it("knows the bindings", () => {
		expect([...bindings].sort()).toEqual(
			["ADMIN_AUTH_LIMITER", "ARCHIVE", "DB", "ENFORCEMENT_QUEUE", "EVENTS_QUEUE", "POLICY"].sort(),
		);
	});

	it("no module but config.ts reads a var or secret from env", () => {
		const reads: string[] = [];
		for (const file of sources(src)) {
			if (path.relative(src, file) === "config.ts") continue;
			const text = readFileSync(file, "utf8");
			for (const match of text.matchAll(
				/\benv\??\.([A-Z][A-Z0-9_]*)\b|\benv\[["']([A-Z][A-Z0-9_]*)["']\]/g,
			)) {
				const name = (match[1] ?? match[2]) as string;
				if (!bindings.has(name)) reads.push(`${path.relative(src, file)}: env.${name}`);
			}
		}
		expect(reads).toEqual([]);
	});
});
