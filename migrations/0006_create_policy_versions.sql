-- Creates the policy's publication history: every document written to the KV key `policy` through the API
-- (publish, rollback), and any hand edit found there at the next publication, so each can be restored.
CREATE TABLE policy_versions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	published_at INTEGER NOT NULL,     -- ms since the epoch: when it was written (or found, for a hand edit)
	published_by TEXT NOT NULL,        -- the console session's name, "api token", or "KV (hand edit)"
	action TEXT NOT NULL,              -- publish, rollback (restored from version restored_from) or hand-edit
	restored_from INTEGER,             -- for a rollback: the id of the version whose text was restored
	version TEXT,                      -- the document's "version" field, null when it has none
	hash TEXT NOT NULL,                -- SHA-256 hex of text
	text TEXT NOT NULL                 -- the document exactly as written to KV
);
CREATE INDEX policy_versions_hash ON policy_versions (hash);
