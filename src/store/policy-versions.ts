// The `policy_versions` table: every document written to the KV key `policy`, with who wrote it and when.

/** A `policy_versions` row without its text. */
export interface PolicyVersionView {
	id: number;
	published_at: number;
	published_by: string;
	action: "publish" | "rollback" | "hand-edit";
	restored_from: number | null;
	version: string | null;
	hash: string;
}

/** The columns of {@link PolicyVersionView}. */
const POLICY_VERSION_COLUMNS = "id, published_at, published_by, action, restored_from, version, hash";

/** The newest recorded version, or null. */
export async function latestPolicyVersion(db: D1Database): Promise<PolicyVersionView | null> {
	return db
		.prepare(`SELECT ${POLICY_VERSION_COLUMNS} FROM policy_versions ORDER BY id DESC LIMIT 1`)
		.first<PolicyVersionView>();
}

/** Records a written document; returns its row without the text. */
export async function recordPolicyVersion(
	db: D1Database,
	row: Omit<PolicyVersionView, "id"> & { text: string },
): Promise<PolicyVersionView> {
	const inserted = await db
		.prepare(
			`INSERT INTO policy_versions (published_at, published_by, action, restored_from, version, hash, text)
			 VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${POLICY_VERSION_COLUMNS}`,
		)
		.bind(row.published_at, row.published_by, row.action, row.restored_from, row.version, row.hash, row.text)
		.first<PolicyVersionView>();
	if (inserted === null) throw new Error("policy_versions: INSERT … RETURNING gave no row");
	return inserted;
}

/** One recorded version with its text, or null. */
export async function policyVersion(
	db: D1Database,
	id: number,
): Promise<(PolicyVersionView & { text: string }) | null> {
	return db
		.prepare(`SELECT ${POLICY_VERSION_COLUMNS}, text FROM policy_versions WHERE id = ?`)
		.bind(id)
		.first<PolicyVersionView & { text: string }>();
}

/** The newest recorded version with this hash (the live value's), or null after a hand edit. */
export function policyVersionByHash(db: D1Database, hash: string): Promise<PolicyVersionView | null> {
	return db
		.prepare(`SELECT ${POLICY_VERSION_COLUMNS} FROM policy_versions WHERE hash = ? ORDER BY id DESC LIMIT 1`)
		.bind(hash)
		.first<PolicyVersionView>();
}

/** Up to `limit` versions with id < `before`, newest first, without their text. */
export async function policyVersionsBefore(
	db: D1Database,
	before: number,
	limit: number,
): Promise<PolicyVersionView[]> {
	const { results } = await db
		.prepare(`SELECT ${POLICY_VERSION_COLUMNS} FROM policy_versions WHERE id < ? ORDER BY id DESC LIMIT ?`)
		.bind(before, limit)
		.all<PolicyVersionView>();
	return results;
}
