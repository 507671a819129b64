// The `events` table's reads: pages of the change feed and of a community's or topic's history (bounded in
// rows and in payload bytes), a live name's earlier names, and where a topic's events came from. Writes are
// in record-event.ts (and event-queue.ts when D1 refuses them).

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

/**
 * Most payload bytes (UTF-8, as stored) one page of events carries: rows are added in id order until the
 * next one would pass it. A page always has at least one row, however large, so the cursor moves on.
 */
export const MAX_PAGE_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * SQL of one page of `events` rows, bounded in rows and in payload bytes. Parameters: ?1 the cursor (id >
 * ?1), ?2 the page's row limit, ?3 the byte budget, ?4 the `filter`'s value (a topic or group ID), ?5 the
 * app when `byApp` (the rows of one SdkAppid only). The sizes
 * are summed over ids and lengths alone; payloads are read only for the rows that fit, and the row after
 * the last one that fits (without its payload) says whether there is a next page: the second row is always
 * kept for that, since the first one is on the page however large it is. The rows come in the order of `sized`, which
 * is id order; {@link eventPage} sorts them anyway, which costs less than a sort in SQL (a temporary B-tree).
 */
export function eventPageSql(
	filter: "" | "topic_id = ?4 AND " | "group_id = ?4 AND ",
	byApp = false,
): string {
	const app = byApp ? "sdk_app_id = ?5 AND " : "";
	return `WITH sized AS (
	SELECT id, bytes,
		sum(bytes) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS upto,
		row_number() OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS n
	FROM (SELECT id, length(CAST(payload AS BLOB)) AS bytes FROM events WHERE ${filter}${app}id > ?1 ORDER BY id LIMIT ?2 + 1)
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

/** The change feed's page (GET /api/events); parameters as {@link eventPageSql}. */
export const FEED_PAGE_SQL = eventPageSql("");

/** A community's history, one page (GET /api/groups/{groupId}/events); ?4 is the group ID. */
export const GROUP_EVENTS_PAGE_SQL = eventPageSql("group_id = ?4 AND ");

/** One page of a topic's history (GET /api/topics/{topicId}); parameters as eventPageSql, ?4 the topic ID. */
export const TOPIC_EVENTS_PAGE_SQL = eventPageSql("topic_id = ?4 AND ");

/** The change feed of one app (GET /api/events?app=…); ?4 is unused, ?5 the SdkAppid. */
export const APP_FEED_PAGE_SQL = eventPageSql("", true);

/** A community's history in one app; ?4 is the group ID, ?5 the SdkAppid. */
export const APP_GROUP_EVENTS_PAGE_SQL = eventPageSql("group_id = ?4 AND ", true);

/** A topic's history in one app; ?4 is the topic ID, ?5 the SdkAppid. */
export const APP_TOPIC_EVENTS_PAGE_SQL = eventPageSql("topic_id = ?4 AND ", true);

/**
 * One page of the change feed (`groupId` undefined) or of a community's history, of every app or of the
 * app `sdkAppId`: the events with id > `after`, at most `limit` and about MAX_PAGE_PAYLOAD_BYTES of
 * payloads, and the next page's cursor.
 */
export async function eventsPage(
	db: D1Database,
	after: number,
	limit: number,
	groupId?: string,
	sdkAppId?: string,
): Promise<{ items: EventView[]; next: number | null }> {
	const sql =
		groupId === undefined
			? sdkAppId === undefined
				? FEED_PAGE_SQL
				: APP_FEED_PAGE_SQL
			: sdkAppId === undefined
				? GROUP_EVENTS_PAGE_SQL
				: APP_GROUP_EVENTS_PAGE_SQL;
	const values: unknown[] = [after, limit, MAX_PAGE_PAYLOAD_BYTES];
	if (groupId !== undefined || sdkAppId !== undefined) values.push(groupId ?? null);
	if (sdkAppId !== undefined) values.push(sdkAppId);
	const { results } = await db
		.prepare(sql)
		.bind(...values)
		.all<PagedEventRow>();
	return eventPage(results);
}

/**
 * Earlier names of a topic (or of a group, for `topicId` null) of the app `sdkAppId` in the event history,
 * newest first.
 */
export function nameHistory(
	db: D1Database,
	sdkAppId: string,
	groupId: string,
	topicId: string | null,
	/** The commands whose `Name` is a live name of the target (the command registry says which). */
	commands: readonly string[],
): Promise<string[]> {
	return fieldHistory(db, sdkAppId, groupId, topicId, commands, "Name");
}

/**
 * Earlier values of one profile field (`Name`, `Introduction`, `Notification`, `FaceUrl`) of a topic (or of
 * a group, for `topicId` null) of the app `sdkAppId` in the event history, newest first: the bodies of
 * `commands` that carry it.
 */
export async function fieldHistory(
	db: D1Database,
	sdkAppId: string,
	groupId: string,
	topicId: string | null,
	commands: readonly string[],
	field: "Name" | "Introduction" | "Notification" | "FaceUrl",
): Promise<string[]> {
	const path = `$.${field}`;
	const statement =
		topicId === null
			? db
					.prepare(
						`SELECT json_extract(payload, ?3) AS name FROM events
						 WHERE group_id = ?1 AND topic_id IS NULL AND sdk_app_id = ?4
						 AND command IN (SELECT value FROM json_each(?2))
						 AND json_extract(payload, ?3) IS NOT NULL ORDER BY id DESC LIMIT 100`,
					)
					.bind(groupId, JSON.stringify(commands), path, sdkAppId)
			: db
					.prepare(
						`SELECT json_extract(payload, ?3) AS name FROM events
						 WHERE topic_id = ?1 AND sdk_app_id = ?4
						 AND command IN (SELECT value FROM json_each(?2))
						 AND json_extract(payload, ?3) IS NOT NULL ORDER BY id DESC LIMIT 100`,
					)
					.bind(topicId, JSON.stringify(commands), path, sdkAppId);
	const { results } = await statement.all<{ name: unknown }>();
	return results.map((row) => row.name).filter((name): name is string => typeof name === "string");
}

/** Whether D1 answers at all (the health probe). */
export async function databaseAnswers(db: D1Database): Promise<void> {
	await db.prepare("SELECT 1").first();
}
