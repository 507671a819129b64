// The import-direction check itself: the real tree passes, and every kind of violation is caught, both by
// the function and by the command `npm test` runs (exit status 1).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkTree, importsOf, importViolations } from "../../scripts/check-imports.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const script = path.join(root, "scripts/check-imports.mjs");

describe("import-direction check", () => {
	it("passes the real src/ tree", () => {
		expect(checkTree(path.join(root, "src"))).toEqual([]);
	});

	it("reads static, type-only, re-exported and dynamic imports", () => {
		const text = `import a from "./a";\nimport type { B } from "../b";\nexport * from "./c";\nconst d = import("./d");`;
		expect(importsOf(text)).toEqual(["./a", "../b", "./c", "./d"]);
	});

	it("refuses an upward import, naming the file and both units", () => {
		const violations = importViolations(new Map([["store/record-event.ts", ["../callbacks/command"]]]));
		expect(violations).toHaveLength(1);
		expect(violations[0]).toMatch(/src\/store\/record-event\.ts .*callbacks is above store/);
	});

	it("refuses a type-only upward import and one from the bottom layer to http", () => {
		expect(importViolations(new Map([["crypto.ts", ["./http/envelope"]]]))).toHaveLength(1);
		const typeOnly = importsOf('import type { X } from "../routes";');
		expect(importViolations(new Map([["policy/loader.ts", typeOnly]]))).toHaveLength(1);
	});

	it("refuses a sideways import between two units of one layer", () => {
		const violations = importViolations(new Map([["policy/check.ts", ["../store/record-event"]]]));
		expect(violations[0]).toMatch(/side by side/);
	});

	it("refuses a module or an import outside every layer", () => {
		expect(importViolations(new Map([["utils/x.ts", []]]))[0]).toMatch(/in no layer/);
		expect(importViolations(new Map([["routes.ts", ["./helpers"]]]))[0]).toMatch(/in no layer/);
	});

	it("allows downward imports, its own folder, packages and files outside src/", () => {
		const modules = new Map([
			["index.ts", ["./routes", "./store/event-queue"]],
			["routes.ts", ["./api/events", "./callbacks/receive", "./http/envelope", "itty-router"]],
			["callbacks/commands/after-create-topic.ts", ["../command", "../fields", "valibot"]],
			["enforcement/recheck.ts", ["../policy", "../store/facts", "../tencent/rest", "../crypto"]],
			["health.ts", ["../package.json", "./callbacks/registry", "./config"]],
			["config.ts", ["./log"]],
		]);
		expect(importViolations(modules)).toEqual([]);
	});

	it("exits 1 and names the import when a tree breaks the rule", () => {
		const dir = mkdtempSync(path.join(tmpdir(), "imports-"));
		try {
			mkdirSync(path.join(dir, "store"));
			mkdirSync(path.join(dir, "callbacks"));
			writeFileSync(path.join(dir, "callbacks/command.ts"), "export type Facts = {};\n");
			writeFileSync(path.join(dir, "store/write.ts"), 'import type { Facts } from "../callbacks/command";\n');
			const bad = spawnSync(process.execPath, [script, dir], { encoding: "utf8" });
			expect(bad.status).toBe(1);
			expect(bad.stderr).toMatch(/store\/write\.ts imports "\.\.\/callbacks\/command"/);

			writeFileSync(path.join(dir, "store/write.ts"), "export const ok = 1;\n");
			const good = spawnSync(process.execPath, [script, dir], { encoding: "utf8" });
			expect(good.stderr).toBe("");
			expect(good.status).toBe(0);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
