// The import-direction check itself: the real tree passes, and every kind of violation is caught, both by
// the function and by the command `npm test` runs (exit status 1).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
	checkTools,
	checkTree,
	importsOf,
	importViolations,
	layersPicture,
	toolViolations,
} from "../../scripts/check-imports.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const script = path.join(root, "scripts/check-imports.mjs");

describe("import-direction check", () => {
	it("passes the real src/ tree", () => {
		expect(checkTree(path.join(root, "src"))).toEqual([]);
	});

	it("passes the real scripts/, bench/ and tools/", () => {
		expect(checkTools(root)).toEqual([]);
	});

	it("is drawn in docs/architecture.md as its tables say", () => {
		const page = readFileSync(path.join(root, "docs/architecture.md"), "utf8");
		expect(layersPicture()).toMatch(/policy\/engine \(imports only/);
		expect(page).toContain(`\`\`\`text\n${layersPicture()}\n\`\`\``);
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
		const violations = importViolations(new Map([["policy/check.ts", ["../auth/admin-auth"]]]));
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

	it("keeps the policy engine pure: its own files, document/, log and result only", () => {
		const allowed = new Map([
			["policy/engine/compile.ts", ["./banned", "../document/schema", "../../log", "../../result", "re2js"]],
			["policy/document/parse.ts", ["./schema", "../../json", "../../log"]],
		]);
		expect(importViolations(allowed)).toEqual([]);
		// Below http and config: an engine that reads a var, a body or a binding's helper is refused.
		const upward = importViolations(new Map([["policy/engine/evaluate.ts", ["../../config"]]]));
		expect(upward).toHaveLength(1);
		expect(upward[0]).toMatch(/policy\/engine\/evaluate\.ts .*config is above policy\/engine/);
		const crypto = importViolations(new Map([["policy/engine/compiled-cache.ts", ["../../crypto"]]]));
		expect(crypto).toHaveLength(1);
		expect(crypto[0]).toMatch(/policy\/engine imports only policy\/document, log, result/);
		expect(importViolations(new Map([["policy/engine/compile.ts", ["../loader"]]]))[0]).toMatch(
			/policy is above policy\/engine/,
		);
		expect(importViolations(new Map([["policy/document/schema.ts", ["../engine/types"]]]))[0]).toMatch(
			/policy\/engine is above policy\/document/,
		);
		expect(importViolations(new Map([["policy/document/parse.ts", ["../../deadline"]]]))[0]).toMatch(
			/policy\/document imports only json, log, result/,
		);
	});

	it("lets the rest of src/ into policy/ only through policy/index.ts", () => {
		const door = new Map([
			["api/backtest.ts", ["../policy", "../policy/index", "../policy/index.ts"]],
			["policy/loader.ts", ["./engine/compile", "./document/schema"]],
		]);
		expect(importViolations(door)).toEqual([]);
		for (const deep of ["../policy/loader", "../policy/engine/evaluate", "../policy/document/schema"]) {
			const violations = importViolations(new Map([["enforcement/plan.ts", [deep]]]));
			expect(violations).toHaveLength(1);
			expect(violations[0]).toMatch(/enforcement\/plan\.ts imports .*entered only through policy\/index\.ts/);
		}
	});

	it("keeps scripts/ and bench/ apart, tools/ below them, and the tools out of src/", () => {
		const fine = new Map([
			["scripts/send.mjs", ["../tools/lib/tencent-callback.mjs", "./load-policy-module.mjs"]],
			["bench/run.mjs", ["../tools/lib/policy-fixture.mjs", "../src/crypto", "./lib/build.mjs"]],
			["tools/lib/benchmark-policy.mjs", ["obscenity"]],
		]);
		expect(toolViolations(fine)).toEqual([]);
		expect(toolViolations(new Map([["scripts/x.mjs", ["../bench/lib/build.mjs"]]]))[0]).toMatch(
			/scripts\/x\.mjs imports .*share code only through tools\//,
		);
		expect(toolViolations(new Map([["bench/lib/load.mjs", ["../../scripts/send.mjs"]]]))).toHaveLength(1);
		expect(toolViolations(new Map([["tools/lib/x.mjs", ["../../bench/run.mjs"]]]))[0]).toMatch(
			/bench\/ is above tools\//,
		);
		expect(toolViolations(new Map([["tools/lib/x.mjs", ["../../test/support/y"]]]))).toHaveLength(1);
		expect(importViolations(new Map([["api/x.ts", ["../../tools/lib/policy-fixture.mjs"]]]))[0]).toMatch(
			/src\/ never imports tools\//,
		);
		expect(importViolations(new Map([["health.ts", ["../package.json"]]]))).toEqual([]);
	});

	it("exits 1 on a deep import into policy/ and on scripts/ importing bench/", () => {
		const dir = mkdtempSync(path.join(tmpdir(), "imports-"));
		try {
			for (const folder of ["src/policy/engine", "src/enforcement", "scripts", "bench/lib", "tools/lib"])
				mkdirSync(path.join(dir, folder), { recursive: true });
			writeFileSync(path.join(dir, "src/policy/engine/evaluate.ts"), "export const evaluate = 1;\n");
			writeFileSync(path.join(dir, "src/policy/index.ts"), 'export { evaluate } from "./engine/evaluate";\n');
			writeFileSync(
				path.join(dir, "src/enforcement/plan.ts"),
				'import { evaluate } from "../policy/engine/evaluate";\n',
			);
			writeFileSync(path.join(dir, "bench/lib/fixture.mjs"), "export const seed = 1;\n");
			writeFileSync(
				path.join(dir, "scripts/profile.mjs"),
				'import { seed } from "../bench/lib/fixture.mjs";\n',
			);
			const bad = spawnSync(process.execPath, [script, "--root", dir], { encoding: "utf8" });
			expect(bad.status).toBe(1);
			expect(bad.stderr).toMatch(/src\/enforcement\/plan\.ts imports "\.\.\/policy\/engine\/evaluate"/);
			expect(bad.stderr).toMatch(/scripts\/profile\.mjs imports "\.\.\/bench\/lib\/fixture\.mjs"/);

			writeFileSync(path.join(dir, "src/enforcement/plan.ts"), 'import { evaluate } from "../policy";\n');
			writeFileSync(path.join(dir, "tools/lib/fixture.mjs"), "export const seed = 1;\n");
			writeFileSync(
				path.join(dir, "scripts/profile.mjs"),
				'import { seed } from "../tools/lib/fixture.mjs";\n',
			);
			const good = spawnSync(process.execPath, [script, "--root", dir], { encoding: "utf8" });
			expect(good.stderr).toBe("");
			expect(good.status).toBe(0);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
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
