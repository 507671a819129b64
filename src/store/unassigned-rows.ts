// Rows from before migration 0010 whose app the migration could not know (`sdk_app_id` ''): a topic whose
// events are all gone, and every decision. D1 migrations cannot read the Worker's vars, so the Worker
// assigns them on its Cron Trigger: to the configured SdkAppid when there is exactly one; with several it
// changes nothing (no row says which app it was) and logs how many rows wait, and the command that assigns
// them (docs/storage-schema.md, "Rows from before 0010").
import { errorMessage, log } from "../log";

/** What one pass did: rows assigned, or rows left waiting because several apps are configured. */
export interface UnassignedResult {
	assigned: { topics: number; decisions: number };
	waiting: { topics: number; decisions: number };
}

/**
 * Assigns the unassigned rows to `apps[0]` when `apps` has exactly one SdkAppid, else counts them. A topic
 * whose ID the app already holds keeps its unassigned row (the app's row is the newer state). Both reads
 * use an index (`topics_unassigned`, `decisions_app`), so a pass over a database with none costs two
 * index probes. Never throws.
 */
export async function assignUnassignedRows(
	db: D1Database,
	apps: readonly string[],
): Promise<UnassignedResult | null> {
	try {
		if (apps.length === 1) {
			const [topics, decisions] = await db.batch([
				db
					.prepare(
						`UPDATE topics SET sdk_app_id = ?1 WHERE sdk_app_id = '' AND NOT EXISTS
						 (SELECT 1 FROM topics AS other WHERE other.sdk_app_id = ?1 AND other.topic_id = topics.topic_id)`,
					)
					.bind(apps[0]),
				db.prepare("UPDATE decisions SET sdk_app_id = ?1 WHERE sdk_app_id = ''").bind(apps[0]),
			]);
			const assigned = { topics: topics?.meta.changes ?? 0, decisions: decisions?.meta.changes ?? 0 };
			if (assigned.topics + assigned.decisions > 0)
				log("info", "storage.rows_assigned", { sdkAppId: apps[0], ...assigned });
			return { assigned, waiting: { topics: 0, decisions: 0 } };
		}
		const row = await db
			.prepare(
				`SELECT (SELECT count(*) FROM topics WHERE sdk_app_id = '') AS topics,
				 (SELECT count(*) FROM decisions WHERE sdk_app_id = '') AS decisions`,
			)
			.first<{ topics: number; decisions: number }>();
		const waiting = { topics: row?.topics ?? 0, decisions: row?.decisions ?? 0 };
		if (waiting.topics + waiting.decisions > 0)
			log("warn", "storage.rows_without_app", {
				...waiting,
				sdkAppIds: apps,
				fix: 'several SdkAppids are configured, so rows from before migration 0010 are not assigned: see docs/storage-schema.md, "Rows from before 0010"',
			});
		return { assigned: { topics: 0, decisions: 0 }, waiting };
	} catch (error) {
		log("error", "storage.assign_failed", { error: errorMessage(error) });
		return null;
	}
}
