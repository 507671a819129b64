-- Creates the decision log: one row per BeforeCreateTopic/BeforeCreateGroup decision of the policy.
CREATE TABLE decisions (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	received_at INTEGER NOT NULL, -- ms since the epoch
	command TEXT NOT NULL, -- Group.CallbackBeforeCreateTopic or Group.CallbackBeforeCreateGroup
	operator_account TEXT NOT NULL,
	name TEXT NOT NULL,
	allowed INTEGER NOT NULL, -- 0/1: what enforce mode answers (in dry-run the callback still got 0)
	error_code INTEGER NOT NULL, -- 0, 1 or 10100–10200, as enforce mode answers
	rule TEXT, -- which rule decided, e.g. 'names.banned[3] "casino"'; NULL when nothing matched
	policy_version TEXT, -- the document's version, else sha256:<12 hex>; NULL in fail mode
	dry_run INTEGER NOT NULL, -- 0/1
	source TEXT NOT NULL -- policy, last-known-good or fail-mode
);
CREATE INDEX decisions_received_at ON decisions (received_at);
