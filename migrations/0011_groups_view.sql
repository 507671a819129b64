-- A community's (group's) current profile, as the event history tells it: the view `groups`, one row per app and
-- group seen in a group-level event. `topics` keeps each topic's state as the events arrive; groups have no
-- table of their own, so this view reads the newest value of each field from the group's own events
-- (AfterCreateGroup, AfterGroupInfoChanged; AfterGroupDestroyed marks it gone). A field no event ever set is null.
CREATE VIEW groups AS
WITH seen AS (
	SELECT DISTINCT sdk_app_id, group_id FROM events WHERE topic_id IS NULL AND group_id IS NOT NULL
),
profile AS (
	SELECT id, sdk_app_id, group_id, payload FROM events
	WHERE topic_id IS NULL
	AND command IN ('Group.CallbackAfterCreateGroup', 'Group.CallbackAfterGroupInfoChanged')
)
SELECT
	s.sdk_app_id,
	s.group_id,
	(SELECT json_extract(p.payload, '$.Name') FROM profile p WHERE p.sdk_app_id = s.sdk_app_id
		AND p.group_id = s.group_id AND json_extract(p.payload, '$.Name') IS NOT NULL ORDER BY p.id DESC LIMIT 1) AS name,
	(SELECT json_extract(p.payload, '$.Introduction') FROM profile p WHERE p.sdk_app_id = s.sdk_app_id
		AND p.group_id = s.group_id AND json_extract(p.payload, '$.Introduction') IS NOT NULL ORDER BY p.id DESC LIMIT 1) AS introduction,
	(SELECT json_extract(p.payload, '$.Notification') FROM profile p WHERE p.sdk_app_id = s.sdk_app_id
		AND p.group_id = s.group_id AND json_extract(p.payload, '$.Notification') IS NOT NULL ORDER BY p.id DESC LIMIT 1) AS notification,
	(SELECT json_extract(p.payload, '$.FaceUrl') FROM profile p WHERE p.sdk_app_id = s.sdk_app_id
		AND p.group_id = s.group_id AND json_extract(p.payload, '$.FaceUrl') IS NOT NULL ORDER BY p.id DESC LIMIT 1) AS face_url,
	(SELECT json_extract(e.payload, '$.Owner_Account') FROM events e WHERE e.sdk_app_id = s.sdk_app_id
		AND e.group_id = s.group_id AND e.topic_id IS NULL AND e.command = 'Group.CallbackAfterCreateGroup'
		ORDER BY e.id DESC LIMIT 1) AS owner_account,
	(SELECT min(e.received_at) FROM events e WHERE e.sdk_app_id = s.sdk_app_id AND e.group_id = s.group_id
		AND e.topic_id IS NULL AND e.command = 'Group.CallbackAfterCreateGroup') AS created_at,
	(SELECT max(e.received_at) FROM events e WHERE e.sdk_app_id = s.sdk_app_id AND e.group_id = s.group_id
		AND e.topic_id IS NULL AND e.command = 'Group.CallbackAfterGroupInfoChanged') AS updated_at,
	(SELECT max(e.received_at) FROM events e WHERE e.sdk_app_id = s.sdk_app_id AND e.group_id = s.group_id
		AND e.topic_id IS NULL AND e.command = 'Group.CallbackAfterGroupDestroyed') AS deleted_at
FROM seen s;
