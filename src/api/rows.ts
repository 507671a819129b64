// How stored rows are shown by the read API: the tables' own column names, payloads as JSON objects.

/** An `events` row as the API returns it. */
export interface EventView {
	id: number;
	command: string;
	sdk_app_id: string;
	group_id: string | null;
	topic_id: string | null;
	operator_account: string | null;
	event_time: number | null;
	received_at: number;
	payload: unknown;
}

/** The `events` columns the API returns (the dedupe bookkeeping stays internal). */
export const EVENT_COLUMNS =
	"id, command, sdk_app_id, group_id, topic_id, operator_account, event_time, received_at, payload";

/** An `events` row with its payload parsed; a payload that is not JSON (edited by hand) stays a string. */
export function eventView(row: Omit<EventView, "payload"> & { payload: string }): EventView {
	let payload: unknown = row.payload;
	try {
		payload = JSON.parse(row.payload);
	} catch {
		// kept as the stored text
	}
	return { ...row, payload };
}

/** One page of a feed: at most `limit` rows, and the cursor for the next page (null when there is none yet). */
export function page<T extends { id: number }>(
	rows: T[],
	limit: number,
): { items: T[]; next: number | null } {
	const items = rows.slice(0, limit);
	const next = rows.length > limit ? (items.at(-1)?.id ?? null) : null;
	return { items, next };
}

/**
 * Most payload bytes (UTF-8, as stored) one page of events carries: rows are added in id order until the
 * next one would pass it. A page always has at least one row, however large, so the cursor moves on.
 */
export const MAX_PAGE_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * SQL of one page of `events` rows, bounded in rows and in payload bytes. Parameters: ?1 the cursor (id >
 * ?1), ?2 the page's row limit, ?3 the byte budget, ?4 the `filter`'s value (a topic or group ID). The sizes
 * are summed over ids and lengths alone; payloads are read only for the rows that fit, and the row after
 * the last one that fits (without its payload) says whether there is a next page: the second row is always
 * kept for that, since the first one is on the page however large it is. The rows come in the order of `sized`, which
 * is id order; {@link eventPage} sorts them anyway, which costs less than a sort in SQL (a temporary B-tree).
 */
export function eventPageSql(filter: "" | "topic_id = ?4 AND " | "group_id = ?4 AND "): string {
	return `WITH sized AS (
	SELECT id, bytes,
		sum(bytes) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS upto,
		row_number() OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS n
	FROM (SELECT id, length(CAST(payload AS BLOB)) AS bytes FROM events WHERE ${filter}id > ?1 ORDER BY id LIMIT ?2 + 1)
)
SELECT e.id, e.command, e.sdk_app_id, e.group_id, e.topic_id, e.operator_account, e.event_time, e.received_at,
	CASE WHEN sized.n = 1 OR (sized.n <= ?2 AND sized.upto <= ?3) THEN e.payload END AS payload,
	sized.n = 1 OR (sized.n <= ?2 AND sized.upto <= ?3) AS fits
FROM sized JOIN events AS e ON e.id = sized.id
WHERE sized.n <= 2 OR sized.upto - sized.bytes <= ?3`;
}

/** A row of {@link eventPageSql}: `fits` is 0 for the one row past the page, which has no payload. */
export type PagedEventRow = Omit<EventView, "payload"> & { payload: string | null; fits: number };

/**
 * The page {@link eventPageSql}'s rows make: the rows that fit, shown, and the cursor of the next page
 * (the last row's id when a row was left for later, null when the page reached the newest event).
 */
export function eventPage(rows: readonly PagedEventRow[]): { items: EventView[]; next: number | null } {
	const items: EventView[] = [];
	for (const { fits, payload, ...row } of [...rows].sort((a, b) => a.id - b.id)) {
		if (fits) items.push(eventView({ ...row, payload: payload ?? "" }));
	}
	const next = rows.length > items.length ? (items.at(-1)?.id ?? null) : null;
	return { items, next };
}
