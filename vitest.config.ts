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
				bindings: { TEST_MIGRATIONS: await readD1Migrations(migrationsPath) },
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
