// A rename whose topic was found only later (through Tencent's get_topic): its after-event is stored as a
// group-level row, so the topic's current name is brought up to date here, once the topic is known.

/**
 * Sets a live topic's name (of the app `sdkAppId`) as of `at` (ms), unless a newer profile change is already applied. Nothing
 * happens for a topic `topics` does not hold.
 */
export async function applyResolvedRename(
	db: D1Database,
	sdkAppId: string,
	groupId: string,
	topicId: string,
	name: string,
	at: number,
): Promise<void> {
	await db
		.prepare(
			`UPDATE topics SET name = ?3, updated_at = ?4
			 WHERE topic_id = ?1 AND group_id = ?2 AND sdk_app_id = ?5 AND (updated_at IS NULL OR updated_at <= ?4)`,
		)
		.bind(topicId, groupId, name, at, sdkAppId)
		.run();
}
