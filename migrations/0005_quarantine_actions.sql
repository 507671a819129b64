-- Makes quarantine rows actionable: each row gets a resolution (replayed or dismissed), and every action
-- taken on a row through the API is recorded.
ALTER TABLE quarantine ADD COLUMN resolved_at INTEGER;        -- ms; NULL while the row waits for a decision
ALTER TABLE quarantine ADD COLUMN resolution TEXT;            -- 'replayed' or 'dismissed'; NULL while open

CREATE TABLE quarantine_actions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	quarantine_id INTEGER NOT NULL,       -- the quarantine row acted on
	action TEXT NOT NULL,                 -- 'replay' or 'dismiss'
	outcome TEXT NOT NULL,                -- replay: 'stored', 'duplicate' or 'still_invalid'; dismiss: 'dismissed'
	detail TEXT,                          -- why a replay failed, or how many event rows it added
	acted_at INTEGER NOT NULL,            -- ms
	request_id TEXT                       -- the API request that acted (cf-ray), to match with the logs
);
CREATE INDEX quarantine_actions_by_row ON quarantine_actions (quarantine_id, id);

-- The API lists open rows first by id: WHERE resolved_at IS NULL AND id > ? ORDER BY id.
CREATE INDEX quarantine_open ON quarantine (resolved_at, id);
