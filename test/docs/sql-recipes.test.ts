// Every SQL recipe in the docs (each ```sql block of docs/sync.md, docs/storage-schema.md and
// docs/policy.md) runs as written on the migrated D1: a renamed column or table fails here, not in a
// reader's terminal.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import policy from "../../docs/policy.md?raw";
import storageSchema from "../../docs/storage-schema.md?raw";
import sync from "../../docs/sync.md?raw";

/** The statements of every ```sql block of `markdown`, split at `;` line ends. */
function statements(markdown: string): string[] {
	return [...markdown.matchAll(/^```sql\n([\s\S]*?)^```$/gm)].flatMap((match) =>
		(match[1] ?? "")
			.split(/;\s*$/m)
			.map((sql) => sql.trim())
			.filter((sql) => sql.length > 0),
	);
}

const PAGES = { "docs/sync.md": sync, "docs/storage-schema.md": storageSchema, "docs/policy.md": policy };

describe("the docs' SQL recipes", () => {
	for (const [page, markdown] of Object.entries(PAGES)) {
		it(`${page}: each statement runs on the migrated D1`, async () => {
			const list = statements(markdown);
			expect(list.length, page).toBeGreaterThan(0);
			for (const sql of list) {
				const result = await env.DB.prepare(sql)
					.all()
					.then(
						() => "ran",
						(error: unknown) => String(error),
					);
				expect(result, sql).toBe("ran");
			}
		});
	}
});
