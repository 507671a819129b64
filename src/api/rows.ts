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
