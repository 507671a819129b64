-- Keys every stored row by its Chat app (the URL's SdkAppid): a GroupId or TopicId is unique only within an
-- app. `topics` is rebuilt with the key (topic_id, sdk_app_id); the other tables gain the column.
-- '' marks a row whose app this migration could not know (D1 migrations cannot read the Worker's vars): the
-- Worker's cron assigns such rows to the configured app when there is exactly one, and logs how many remain
-- when there are several (docs/storage-schema.md, "Rows from before 0010").
ALTER TABLE topics RENAME TO topics_before_0010;
CREATE TABLE topics (
	sdk_app_id TEXT NOT NULL DEFAULT '',    -- the app; '' until assigned (see above)
	topic_id TEXT NOT NULL,
	group_id TEXT,
	name TEXT,
	introduction TEXT,
	notification TEXT,
	face_url TEXT,
	owner_account TEXT,
	created_by TEXT,
	created_at INTEGER,                     -- ms; null when the create was never seen
	updated_at INTEGER,                     -- ms of the last profile change applied; null if none
	deleted_at INTEGER,                     -- ms; null while alive
	PRIMARY KEY (topic_id, sdk_app_id)
);
-- Each topic takes the app of its newest event; a topic whose events are all gone (retention) gets ''.
INSERT INTO topics (sdk_app_id, topic_id, group_id, name, introduction, notification, face_url, owner_account,
	created_by, created_at, updated_at, deleted_at)
SELECT coalesce((SELECT e.sdk_app_id FROM events AS e WHERE e.topic_id = t.topic_id ORDER BY e.id DESC LIMIT 1), ''),
	t.topic_id, t.group_id, t.name, t.introduction, t.notification, t.face_url, t.owner_account, t.created_by,
	t.created_at, t.updated_at, t.deleted_at
FROM topics_before_0010 AS t;
DROP TABLE topics_before_0010;
CREATE INDEX topics_group_id ON topics (group_id, topic_id);

-- The change feed of one app (GET /api/events?app=…).
CREATE INDEX events_app ON events (sdk_app_id, id);

-- Decisions: the before-callback's SdkAppid. Earlier rows cannot be told apart: '' until assigned.
ALTER TABLE decisions ADD COLUMN sdk_app_id TEXT NOT NULL DEFAULT '';
CREATE INDEX decisions_app ON decisions (sdk_app_id, id);

-- The enforcement ledger had the column: its list per app (GET /api/enforcement?app=…).
CREATE INDEX enforcement_actions_app ON enforcement_actions (sdk_app_id, id);

-- Policy versions: which KV key the document was written to. '' is the shared key `policy`, which is where
-- every earlier row was written; an SdkAppid is that app's own key `policy:<SdkAppid>`.
ALTER TABLE policy_versions ADD COLUMN sdk_app_id TEXT NOT NULL DEFAULT '';
CREATE INDEX policy_versions_app ON policy_versions (sdk_app_id, id);

-- Actions on quarantined bodies: the app of the quarantined row (NULL when that row had none).
ALTER TABLE quarantine_actions ADD COLUMN sdk_app_id TEXT;
UPDATE quarantine_actions SET sdk_app_id = (SELECT q.sdk_app_id FROM quarantine AS q WHERE q.id = quarantine_id);

-- Finds the topics not yet assigned to an app without reading the table (empty once they are assigned).
CREATE INDEX topics_unassigned ON topics (topic_id) WHERE sdk_app_id = '';
