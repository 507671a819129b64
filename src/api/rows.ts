// How the read API pages stored rows.

/** One page of a feed: at most `limit` rows, and the cursor for the next page (null when there is none yet). */
export function page<T extends { id: number }>(
	rows: T[],
	limit: number,
): { items: T[]; next: number | null } {
	const items = rows.slice(0, limit);
	const next = rows.length > limit ? (items.at(-1)?.id ?? null) : null;
	return { items, next };
}
