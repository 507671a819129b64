// `npm run policy`: every problem at once, --help per command, test-name's explained decision, and
// push → pull → diff against a local KV namespace (wrangler's own commands, in a temporary state folder).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runScript } from "./support/script";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function policy(...args: string[]) {
	return runScript("scripts/policy.mjs", args);
}

describe("npm run policy", () => {
	it("check lists every problem with its path and line, and exits 1", async () => {
		const file = join(dir, "broken.json");
		writeFileSync(
			file,
			'{\n  "names": [],\n  "operators": { "alow": [] },\n  "refusal": { "errorCode": 7 }\n}\n',
		);
		const { code, err } = await policy("check", file);
		expect(code).toBe(1);
		expect(err).toContain(`${file}:2:12: names: must be an object, not an array`);
		expect(err).toMatch(new RegExp(`${file}:3:\\d+: operators\\.alow: unknown key`));
		expect(err).toMatch(new RegExp(`${file}:4:\\d+: refusal\\.errorCode: `));
		expect(err).toContain("3 problems");
	});

	it.each(["check", "push", "pull", "diff", "test-name", "schema"])(
		"%s --help explains the command",
		async (name) => {
			const { code, out } = await policy(name, "--help");
			expect(code).toBe(0);
			expect(out).toContain(`usage: npm run policy -- ${name}`);
		},
	);

	it("test-name decides offline and explains the decision", async () => {
		const { code, out } = await policy(
			"test-name",
			"c4s1no night",
			"Book club",
			"--file",
			"examples/policy.json",
		);
		expect(code).toBe(0);
		expect(out).toContain('"c4s1no night": refused (ErrorCode 1)');
		expect(out).toContain('folded:    "casino night" (as written)');
		expect(out).toContain('matched:   "c4s1no" at 0–6 (as written)');
		expect(out).toContain('rule:      names.banned[0] "casino"');
		expect(out).toContain('"Book club": allowed (ErrorCode 0)');
	});

	it("test-name --field judges a text as enforcement does: texts rules, bypass, none without texts", async () => {
		const file = join(dir, "texts.json");
		writeFileSync(
			file,
			JSON.stringify({
				operators: { bypass: ["moderator"] },
				names: { banned: ["casino"] },
				texts: { faceUrl: { hosts: ["cdn.example.com"], https: true } },
			}),
		);
		const judged = (text: string, field: string, ...more: string[]) =>
			policy("test-name", text, "--field", field, "--file", file, ...more);
		const notification = await judged("Tonight at the c4s1no", "Notification");
		expect(notification.code).toBe(0);
		expect(notification.out).toContain("topic Notification");
		expect(notification.out).toContain('"Tonight at the c4s1no": refused');
		expect(notification.out).toContain('rule:      names.banned[0] "casino"');
		const face = await judged("http://cdn.example.com/a.png", "FaceUrl");
		expect(face.out).toContain("rule:      texts.faceUrl.https");
		const bypass = await judged("casino", "Notification", "--operator", "moderator");
		expect(bypass.out).toContain("rule:      operators.bypass");
		// examples/policy.json (the default file) has no texts section.
		const untexted = await policy("test-name", "casino", "--field", "Notification");
		expect(untexted.out).toContain('"casino": allowed');
		expect((await policy("test-name", "casino", "--field", "Name")).code).not.toBe(0);
	});

	it("push, pull and diff a local namespace", { timeout: 180_000 }, async () => {
		const state = join(dir, "state");
		const where = ["--persist-to", state];
		expect((await policy("push", "examples/policy.json", ...where)).code).toBe(0);
		const pulled = join(dir, "pulled.json");
		expect((await policy("pull", pulled, ...where)).code).toBe(0);
		expect(readFileSync(pulled, "utf8")).toBe(readFileSync(`${root}examples/policy.json`, "utf8"));
		expect(await policy("diff", "examples/policy.json", ...where)).toMatchObject({ code: 0 });

		const draft = join(dir, "draft.json");
		const document = JSON.parse(readFileSync(pulled, "utf8"));
		document.names.banned = [...document.names.banned.slice(1), "poker"];
		document.mode = "dry-run";
		writeFileSync(draft, JSON.stringify(document, null, 2));
		const diff = await policy("diff", draft, ...where);
		expect(diff.code).toBe(1);
		expect(diff.out).toContain('+ names.banned: "poker"');
		expect(diff.out).toContain('- names.banned: "casino"');
		expect(diff.out).toContain('~ mode: "enforce" → "dry-run"');
		expect(diff.out).not.toContain("bet"); // moved entries are not changes
	});
});
