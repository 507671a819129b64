-- Creates the event history (one row per after-event and topic) and the current state of every topic.
CREATE TABLE events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	event_key TEXT NOT NULL UNIQUE,
	command TEXT NOT NULL,
	sdk_app_id TEXT NOT NULL,
	group_id TEXT,
	topic_id TEXT,
	operator_account TEXT,
	event_time INTEGER,
	received_at INTEGER NOT NULL,
	payload TEXT NOT NULL
);
