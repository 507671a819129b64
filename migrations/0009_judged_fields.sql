-- Adds which field of a profile was judged to the enforcement ledger and to the decisions: the name, or one of
-- the texts members read (introduction, notification, face_url). Rows written before keep 'name'.
ALTER TABLE enforcement_actions ADD COLUMN field TEXT NOT NULL DEFAULT 'name'; -- old_name/new_name hold this field's values
ALTER TABLE decisions ADD COLUMN field TEXT NOT NULL DEFAULT 'name';           -- creations judge names only, so far
