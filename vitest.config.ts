import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const migrationsPath = fileURLToPath(new URL("./migrations", import.meta.url));

export default defineConfig({
	plugins: [
		cloudflareTest(async () => ({
			// The same wrangler.toml as `npm start` and `wrangler deploy`: same bindings, same vars.
			wrangler: { configPath: "./wrangler.toml" },
			miniflare: {
				bindings: {
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
		setupFiles: ["./test/apply-migrations.ts"],
	},
});
