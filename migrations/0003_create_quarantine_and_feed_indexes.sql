-- Creates the quarantine (authenticated callbacks whose body failed validation, kept raw for replay) and the index for "what changed since a time".
CREATE TABLE quarantine (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	received_at INTEGER NOT NULL,           -- ms
	command TEXT,                           -- the URL's CallbackCommand
	sdk_app_id TEXT,                        -- the URL's SdkAppid
	reason TEXT NOT NULL,                   -- why it was refused, e.g. "invalid …: GroupId: Invalid type …"
	body TEXT NOT NULL,                     -- the body as received, cut at 65536 bytes of UTF-8
	body_bytes INTEGER NOT NULL,            -- the body's full size in bytes
	body_truncated INTEGER NOT NULL         -- 1 when body holds only the first 65536 bytes
);
CREATE INDEX quarantine_received_at ON quarantine (received_at);

-- "What changed since a time": WHERE received_at >= ? ORDER BY received_at, id.
CREATE INDEX events_received_at ON events (received_at);
