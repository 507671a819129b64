// One JSON object per log line, so Workers Logs can filter on any field.

type Level = "info" | "warn" | "error";

/** Writes `{level, event, ...fields}` as one JSON line to the Workers log. */
export function log(level: Level, event: string, fields: Record<string, unknown> = {}): void {
	const line = JSON.stringify({ level, event, ...fields });
	if (level === "error") console.error(line);
	else if (level === "warn") console.warn(line);
	else console.log(line);
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
