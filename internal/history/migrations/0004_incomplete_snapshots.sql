-- Snapshots of audits that could not list the whole organization (items
-- that kept failing, or assignments listed per principal, which cannot see
-- those of deleted principals) are marked incomplete, with the causes, so
-- that a diff or a report never takes what they missed for access lost.
-- Snapshots saved before this version are judged by their errors and method.
ALTER TABLE snapshot ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
ALTER TABLE snapshot ADD COLUMN causes TEXT NOT NULL DEFAULT '[]'; -- why it is incomplete (JSON array of {cause, items, examples})
UPDATE snapshot SET complete = 0 WHERE errors > 0 OR method = 'principal';
UPDATE snapshot SET causes = json_array(json_object('cause', 'assignments were listed per principal, which cannot see those of deleted users and groups (--strategy permission-set sees them)', 'items', 0))
	WHERE method = 'principal';
UPDATE snapshot SET causes = json_insert(causes, '$[#]', json_object('cause', 'items could not be listed (see ssoctl history show ' || id || ' -o json)', 'items', errors))
	WHERE errors > 0;
