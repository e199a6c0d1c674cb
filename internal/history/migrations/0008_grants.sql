-- Just-in-time grants (ssoctl grant): each grant as made (its JSON, as
-- package grants has it), and when and how it ended. AWS holds a live
-- grant (the tags of its permission set); this table keeps the ones that
-- have ended, for `grant list --all`.
CREATE TABLE grant_record (
	id      TEXT PRIMARY KEY,
	expires TEXT NOT NULL,
	created TEXT NOT NULL,
	doc     TEXT NOT NULL,
	ended   TEXT,
	how     TEXT
) STRICT;
