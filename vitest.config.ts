import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import {
	FAKE_ADMIN_IDENTIFIER,
	FAKE_SECRET_KEY,
	FAKE_TENCENT_ORIGIN,
	fakeTencent,
} from "./test/support/fake-tencent.mjs";
import { longestFirst } from "./test/support/longest-first";
import { localFileOverrides } from "./tools/lib/local-env.mjs";

const migrationsPath = fileURLToPath(new URL("./migrations", import.meta.url));
const configPath = "./wrangler.toml";
/** The files that take longest, longest first (see test/support/longest-first.ts). */
const LONGEST_FIRST = ["fuzz", "renames", "equivalence", "trust", "faults", "outage", "limits", "retention"];

export default defineConfig({
	plugins: [
		cloudflareTest(async () => ({
			// The same wrangler.toml as `npm start` and `wrangler deploy`: same bindings, same vars.
			wrangler: { configPath },
			miniflare: {
				// Every outbound fetch of the Worker reaches the recording stand-in for Tencent's REST API.
				outboundService: fakeTencent,
				bindings: {
					// wrangler loads a developer's .dev.vars or .env into every local run, and the plugin offers no
					// way to stop it: each name those files set gets wrangler.toml's value back, or is unset (empty,
					// which the Worker reads as unset: bindings cannot be removed here). Tests set the secrets they
					// need themselves.
					...localFileOverrides(configPath),
					TENCENT_API_BASE: FAKE_TENCENT_ORIGIN,
					TENCENT_ADMIN_IDENTIFIER: FAKE_ADMIN_IDENTIFIER,
					TENCENT_SECRET_KEY: FAKE_SECRET_KEY,
					// Tests of everything but authentication send unsigned callbacks, as `npm start` accepts them; the
					// tests of authentication set their own (the deployed default, "false", is tested there and in
					// test/node, where the Worker runs with wrangler.toml's vars only).
					ALLOW_UNSIGNED_CALLBACKS: "true",
					TEST_MIGRATIONS: await readD1Migrations(migrationsPath),
					// The battery's fuzzing: fixed in `npm test`, changed by `npm run fuzz:sweep`.
					FUZZ_SEED: process.env.FUZZ_SEED ?? "20261117",
					FUZZ_SEEDS: process.env.FUZZ_SEEDS ?? "1",
					FUZZ_RUNS: process.env.FUZZ_RUNS ?? "40",
				},
			},
		})),
	],
	test: {
		include: ["test/**/*.test.ts"],
		// Real-socket tests run in Node against a started Worker: vitest.node.config.ts.
		exclude: ["test/node/**"],
		// Logs of passing tests are noise; a failing test shows its own.
		silent: "passed-only",
		setupFiles: ["./test/apply-migrations.ts", "./test/support/fresh-state.ts"],
		isolate: false,
		maxWorkers: 2,
		testTimeout: 60_000,
		sequence: { sequencer: longestFirst(LONGEST_FIRST) },
	},
});
