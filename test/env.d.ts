import type { D1Migration } from "@cloudflare/vitest-plugin";

declare global {
	namespace Cloudflare {
		interface Env {
			TEST_MIGRATIONS: D1Migration[];
			/** First fast-check seed of the battery's fuzzing. */
			FUZZ_SEED: string;
			/** How many consecutive seeds to run. */
			FUZZ_SEEDS: string;
			/** Cases per property and seed. */
			FUZZ_RUNS: string;
		}
	}
}
