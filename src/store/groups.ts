// SQL of the `groups` view (migration 0011): each community's current profile, from its own events.

/** A community's current profile as the backtest judges it. */
export interface LiveGroup {
	group_id: string;
	name: string | null;
	introduction: string | null;
	notification: string | null;
	face_url: string | null;
	deleted_at: number | null;
}

/**
 * Up to `limit` communities of the app `sdkAppId` with an ID after `after`, by group ID (the backtest's page
 * over groups). Each row reads its group's events: a page is bounded by `limit`.
 */
export async function groupsAfter(
	db: D1Database,
	sdkAppId: string,
	after: string,
	limit: number,
): Promise<LiveGroup[]> {
	const { results } = await db
		.prepare(
			`SELECT group_id, name, introduction, notification, face_url, deleted_at FROM groups
			 WHERE sdk_app_id = ?3 AND group_id > ?1 ORDER BY group_id LIMIT ?2`,
		)
		.bind(after, limit, sdkAppId)
		.all<LiveGroup>();
	return results;
}
