-- Adds to the enforcement ledger who asked for each action, what Tencent confirmed before acting, the state a destroy removed, and the hourly cap's bookkeeping.
ALTER TABLE enforcement_actions ADD COLUMN requested_by TEXT;       -- "callback", the console session's name, or "api token"
ALTER TABLE enforcement_actions ADD COLUMN confirmed_name TEXT;     -- the name Tencent reported just before acting (or skipping)
ALTER TABLE enforcement_actions ADD COLUMN last_state TEXT;         -- JSON: the topic's last state from Tencent, kept by a destroy
ALTER TABLE enforcement_actions ADD COLUMN acted_at INTEGER;        -- ms; when the call was made (counts toward the hourly cap)
ALTER TABLE enforcement_actions ADD COLUMN cap_exempt INTEGER NOT NULL DEFAULT 0; -- 1 once a moderator resumed a held action
-- status gains: held (a cap was reached; nothing called until a moderator resumes or discards) and discarded.
CREATE INDEX enforcement_actions_acted ON enforcement_actions (sdk_app_id, acted_at) WHERE acted_at IS NOT NULL;
-- Who replayed or dismissed a quarantined body, beside the request that did it.
ALTER TABLE quarantine_actions ADD COLUMN acted_by TEXT;           -- the console session's name, or "api token"
