-- Last use of each role (access unused): when each Identity Center user
-- last fetched credentials for each account and role, from CloudTrail's
-- GetRoleCredentials events, and the cursor of what has been read, so
-- that a daily run reads only the events since the last one.
-- use_cursor: per instance, the window of events read so far (RFC 3339):
-- seen_from is the oldest time read, seen_until the time up to which
-- every event was read (less CloudTrail's delivery lag).
CREATE TABLE use_cursor (
	instance_arn TEXT PRIMARY KEY,
	seen_from    TEXT NOT NULL,
	seen_until   TEXT NOT NULL
);
CREATE TABLE last_use (
	instance_arn TEXT NOT NULL,
	user_id      TEXT NOT NULL,
	account_id   TEXT NOT NULL,
	role_name    TEXT NOT NULL,
	last_used    TEXT NOT NULL, -- RFC 3339, UTC
	PRIMARY KEY (instance_arn, user_id, account_id, role_name)
) WITHOUT ROWID;
