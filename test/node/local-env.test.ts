// A developer's .dev.vars (or .env) never reaches the suites or the bench: with a hostile one next to a copy
// of wrangler.toml (test/support/hostile.dev.vars: other SdkAppid, fail mode, write mode, unsigned callbacks
// allowed, every token set), the options each of them builds the Worker from hold wrangler.toml's vars and
// no secret, and a Worker started as test/node starts one answers as wrangler.toml alone says.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { projectWorkerOptions } from "../../bench/lib/servers.mjs";
import { localFileOverrides, tomlWorkerOptions } from "../../tools/lib/local-env.mjs";
import { type RunningWorker, startWorker } from "./support/worker";

const root = fileURLToPath(new URL("../..", import.meta.url));
const hostileFile = join(root, "test", "support", "hostile.dev.vars");
/** KEY=VALUE lines of the hostile file. */
const hostile: Record<string, string> = Object.fromEntries(
	readFileSync(hostileFile, "utf8")
		.split("\n")
		.filter((line) => /^[A-Z]/.test(line))
		.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);
const SECRETS = [
	"CALLBACK_TOKEN",
	"CALLBACK_TOKEN_PREVIOUS",
	"ADMIN_TOKEN",
	"TENCENT_SECRET_KEY",
	"TENCENT_SECRET_KEY_1400000000",
];

/** wrangler.toml's [vars], as wrangler reads them with no local file anywhere near. */
const tomlVars = tomlWorkerOptions(join(root, "wrangler.toml")).bindings ?? {};

const dirs: string[] = [];
afterAll(() => {
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A copy of wrangler.toml (its `main` made absolute) in a fresh folder, with `file` holding the hostile vars. */
function hostileCopy(file: ".dev.vars" | ".env"): string {
	const dir = mkdtempSync(join(tmpdir(), "hostile-env-"));
	dirs.push(dir);
	const toml = readFileSync(join(root, "wrangler.toml"), "utf8").replace(
		/^main = "(.*)"$/m,
		(_, main: string) => `main = ${JSON.stringify(join(root, main))}`,
	);
	writeFileSync(join(dir, "wrangler.toml"), toml);
	copyFileSync(hostileFile, join(dir, file));
	return join(dir, "wrangler.toml");
}

describe.each([".dev.vars", ".env"] as const)("with a hostile %s", (file) => {
	let config: string;
	beforeAll(() => {
		config = hostileCopy(file);
	});

	it("is read by wrangler itself (so the checks below would see it leak)", () => {
		const leaky = unstable_getMiniflareWorkerOptions(config).workerOptions.bindings ?? {};
		expect(leaky).toMatchObject({ SDKAPPID: "1400999999", ADMIN_TOKEN: hostile.ADMIN_TOKEN });
	});

	it("leaves wrangler.toml's vars and no secret to the workerd suite, the Node suite and the bench", () => {
		expect(tomlVars).toMatchObject({
			SDKAPPID: "1400000000",
			POLICY_FAIL_MODE: "open",
			EVENT_WRITES: "direct",
			ALLOW_UNSIGNED_CALLBACKS: "false",
		});
		// test/node's Worker and the bench: wrangler.toml alone.
		expect(tomlWorkerOptions(config).bindings).toEqual(tomlVars);
		expect(projectWorkerOptions(config).bindings).toEqual(tomlVars);
		// The workerd suite: what the plugin loads, with vitest.config.ts's overrides laid over it.
		const plugin: Record<string, unknown> = {
			...(unstable_getMiniflareWorkerOptions(config).workerOptions.bindings ?? {}),
			...localFileOverrides(config),
		};
		expect(plugin).toEqual({ ...tomlVars, ...Object.fromEntries(SECRETS.map((name) => [name, ""])) });
		for (const [name, value] of Object.entries(hostile)) expect(plugin[name], name).not.toBe(value);
	});
});

/** An unsigned topic-creation callback for wrangler.toml's SdkAppid. */
function createTopic(worker: RunningWorker): Promise<Response> {
	const query = new URLSearchParams({
		SdkAppid: "1400000000",
		CallbackCommand: "Group.CallbackBeforeCreateTopic",
		contenttype: "json",
		ClientIP: "127.0.0.1",
		OptPlatform: "RESTAPI",
	});
	return worker.fetch(`/?${query}`, {
		method: "POST",
		body: JSON.stringify({
			CallbackCommand: "Group.CallbackBeforeCreateTopic",
			Operator_Account: "leckie",
			Type: "Community",
			GroupId: "@TGS#_@TGS#localEnv",
			Name: "Harbour walks",
		}),
	});
}

describe("a Worker started as test/node starts one, next to a hostile .dev.vars", () => {
	it("has no callback token and no unsigned callbacks (authentication not configured), and the API off", async () => {
		const worker = await startWorker({ configPath: hostileCopy(".dev.vars") });
		try {
			// wrangler.toml: no callback token and unsigned callbacks not allowed, so callback authentication is
			// not configured (the hostile file sets a token and allows unsigned callbacks).
			const unsigned = await createTopic(worker);
			expect(unsigned.status).toBe(503);
			expect(await unsigned.text()).toContain("not configured");
			// No ADMIN_TOKEN: the API is off, whatever the hostile file's token.
			const api = await worker.fetch("/api/policy", {
				headers: { authorization: `Bearer ${hostile.ADMIN_TOKEN}` },
			});
			expect(api.status).toBe(503);
		} finally {
			await worker.stop();
		}
	});

	it("answers a callback of wrangler.toml's SdkAppid once unsigned callbacks are allowed by the test", async () => {
		const worker = await startWorker({
			configPath: hostileCopy(".dev.vars"),
			vars: { ALLOW_UNSIGNED_CALLBACKS: "true" },
		});
		try {
			const answer = await createTopic(worker);
			// A leaked SDKAPPID would refuse it (401), a leaked CALLBACK_TOKEN too (unsigned).
			expect(answer.status).toBe(200);
			expect(await answer.json()).toMatchObject({ ActionStatus: "OK", ErrorCode: 0 });
		} finally {
			await worker.stop();
		}
	});
});
