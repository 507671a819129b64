import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import {
	FAKE_ADMIN_IDENTIFIER,
	FAKE_SECRET_KEY,
	FAKE_TENCENT_ORIGIN,
	fakeTencent,
} from "./test/support/fake-tencent.mjs";

const migrationsPath = fileURLToPath(new URL("./migrations", import.meta.url));

export default defineConfig({
	plugins: [
		cloudflareTest(async () => ({
			// The same wrangler.toml as `npm start` and `wrangler deploy`: same bindings, same vars.
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: {
				// Every outbound fetch of the Worker reaches the recording stand-in for Tencent's REST API.
				outboundService: fakeTencent,
				bindings: {
					TENCENT_API_BASE: FAKE_TENCENT_ORIGIN,
					TENCENT_ADMIN_IDENTIFIER: FAKE_ADMIN_IDENTIFIER,
					TENCENT_SECRET_KEY: FAKE_SECRET_KEY,
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
		// Logs of passing tests are noise; a failing test shows its own.
		silent: "passed-only",
		setupFiles: ["./test/apply-migrations.ts"],
	},
});
