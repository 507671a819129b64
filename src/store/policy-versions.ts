// The `policy_versions` table: every document written to the KV key `policy` (sdk_app_id '') or to an app's
// own key `policy:<SdkAppid>` (sdk_app_id that app), with who wrote it and when.

/** A `policy_versions` row without its text. */
export interface PolicyVersionView {
	id: number;
	/** The key written: '' for the shared `policy`, else the SdkAppid of `policy:<SdkAppid>`. */
	sdk_app_id: string;
	published_at: number;
	published_by: string;
	action: "publish" | "rollback" | "hand-edit";
	restored_from: number | null;
	version: string | null;
	hash: string;
}

/** The columns of {@link PolicyVersionView}. */
const POLICY_VERSION_COLUMNS =
	"id, sdk_app_id, published_at, published_by, action, restored_from, version, hash";

/** The newest recorded version of a key ('' the shared one, else an SdkAppid's), or null. */
export async function latestPolicyVersion(db: D1Database, app: string): Promise<PolicyVersionView | null> {
	return db
		.prepare(
			`SELECT ${POLICY_VERSION_COLUMNS} FROM policy_versions WHERE sdk_app_id = ? ORDER BY id DESC LIMIT 1`,
		)
		.bind(app)
		.first<PolicyVersionView>();
}

/** Records a written document; returns its row without the text. */
export async function recordPolicyVersion(
	db: D1Database,
	row: Omit<PolicyVersionView, "id"> & { text: string },
): Promise<PolicyVersionView> {
	const inserted = await db
		.prepare(
			`INSERT INTO policy_versions (sdk_app_id, published_at, published_by, action, restored_from, version, hash, text)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${POLICY_VERSION_COLUMNS}`,
		)
		.bind(
			row.sdk_app_id,
			row.published_at,
			row.published_by,
			row.action,
			row.restored_from,
			row.version,
			row.hash,
			row.text,
		)
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

/** The newest recorded version of a key with this hash (the live value's), or null after a hand edit. */
export function policyVersionByHash(
	db: D1Database,
	hash: string,
	app: string,
): Promise<PolicyVersionView | null> {
	return db
		.prepare(
			`SELECT ${POLICY_VERSION_COLUMNS} FROM policy_versions WHERE hash = ? AND sdk_app_id = ? ORDER BY id DESC LIMIT 1`,
		)
		.bind(hash, app)
		.first<PolicyVersionView>();
}

/** Up to `limit` versions of a key with id < `before`, newest first, without their text. */
export async function policyVersionsBefore(
	db: D1Database,
	app: string,
	before: number,
	limit: number,
): Promise<PolicyVersionView[]> {
	const { results } = await db
		.prepare(
			`SELECT ${POLICY_VERSION_COLUMNS} FROM policy_versions WHERE sdk_app_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
		)
		.bind(app, before, limit)
		.all<PolicyVersionView>();
	return results;
}
