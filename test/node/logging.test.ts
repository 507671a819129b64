// What leaves the Worker in logs: never a signed callback URL's Sign or RequestTime.

import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";

describe("observability", () => {
	it("keeps invocation logs (which record full request URLs, Sign included) off in wrangler.toml", () => {
		const config = unstable_readConfig({ config: "wrangler.toml" });
		expect(config.observability?.enabled).toBe(true);
		expect(config.observability?.logs?.invocation_logs).toBe(false);
	});
});
