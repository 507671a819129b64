-- Creates the event history (one row per after-event and topic it touches) and the current state of every topic.
CREATE TABLE events (
	id INTEGER PRIMARY KEY AUTOINCREMENT,   -- increasing; the change feed's cursor
	event_key TEXT NOT NULL UNIQUE,         -- content hash + topic: a redelivery of the same event adds no row
	delivery_id TEXT NOT NULL,              -- the request that stored the row (applies topic changes once)
	command TEXT NOT NULL,                  -- CallbackCommand, e.g. Group.CallbackAfterCreateTopic
	sdk_app_id TEXT NOT NULL,
	group_id TEXT,
	topic_id TEXT,                          -- null for group-level events
	operator_account TEXT,
	event_time INTEGER,                     -- Tencent's EventTime in ms; null when the body has none
	received_at INTEGER NOT NULL,           -- when this Worker accepted it, ms
	payload TEXT NOT NULL                   -- the validated body as JSON
);
CREATE INDEX events_topic_id ON events (topic_id, id);
CREATE INDEX events_group_id ON events (group_id, id);

CREATE TABLE topics (
	topic_id TEXT PRIMARY KEY,
	group_id TEXT,
	name TEXT,
	introduction TEXT,
	notification TEXT,
	face_url TEXT,
	owner_account TEXT,
	created_by TEXT,
	created_at INTEGER,                     -- ms; null when the create was never seen
	updated_at INTEGER,                     -- ms of the last profile change applied; null if none
	deleted_at INTEGER                      -- ms; null while alive
);
CREATE INDEX topics_group_id ON topics (group_id, topic_id);
