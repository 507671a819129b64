import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("smoke", () => {
	it("answers and has D1 migrated", async () => {
		const res = await SELF.fetch("http://x/");
		expect(res.status).toBe(200);
		const row = await env.DB.prepare("SELECT count(*) AS n FROM events").first<{ n: number }>();
		expect(row?.n).toBe(0);
	});
});
