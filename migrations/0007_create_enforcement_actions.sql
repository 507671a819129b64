-- Creates the enforcement ledger: one row per name found refused after the fact, and what was done about it.
CREATE TABLE enforcement_actions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	action_key TEXT NOT NULL UNIQUE,        -- the after-event's key (a redelivery finds its row), or backtest:<topic>:<name>
	sdk_app_id TEXT NOT NULL,
	target TEXT NOT NULL,                   -- topic or group
	group_id TEXT NOT NULL,
	topic_id TEXT,                          -- null for a group name
	trigger TEXT NOT NULL,                  -- the CallbackCommand that brought the name, or backtest
	operator_account TEXT,                  -- who set the name, when known
	rule TEXT,                              -- the policy rule that refuses the name, e.g. names.banned[0] "casino"
	old_name TEXT NOT NULL,                 -- the refused name
	new_name TEXT,                          -- the name set by revert/rename; null for log and destroy
	action TEXT NOT NULL,                   -- log, revert, rename or destroy
	status TEXT NOT NULL,                   -- pending, done, failed or skipped
	reason TEXT,                            -- why skipped or failed, in words
	attempts INTEGER NOT NULL DEFAULT 0,    -- calls made to Tencent
	error_code INTEGER,                     -- Tencent's ErrorCode of the last failed call
	error_info TEXT,                        -- Tencent's ErrorInfo (or the network error) of the last failed call
	policy_version TEXT,
	claimed_until INTEGER,                  -- ms; a consumer is calling Tencent for this row until then
	created_at INTEGER NOT NULL,            -- ms
	updated_at INTEGER NOT NULL             -- ms
);
CREATE INDEX enforcement_actions_status ON enforcement_actions (status, id);
CREATE INDEX enforcement_actions_topic ON enforcement_actions (topic_id, id);
