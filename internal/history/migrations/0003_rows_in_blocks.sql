-- Rows stored a block at a time (see block.go): one access_block row per
-- run of report rows with the same account and permission set, its body
-- holding each row's principal, user, flags and, where its names differ
-- from its snapshot's, the whole row. Reading a snapshot back reads the
-- blocks by first_row; a diff sorts them by account and permission set
-- (no index for that: a snapshot's blocks are few, about one per 24 rows
-- on the large organization, and an index would cost every save), skips
-- the pairs whose bodies are equal and merges the others by identity.
-- Users' names are stored in chunks of up to 1024 users.
--
-- The rows of access_row and snap_user are moved over by a step in Go
-- (migrate_blocks.go), then both tables are dropped.
CREATE TABLE access_block (
	snapshot       INTEGER NOT NULL REFERENCES snapshot(id),
	first_row      INTEGER NOT NULL,  -- position of the block's first row in the report, from 1
	rows           INTEGER NOT NULL,
	account        INTEGER NOT NULL,
	permission_set INTEGER NOT NULL,
	body           BLOB    NOT NULL,
	PRIMARY KEY (snapshot, first_row)
) WITHOUT ROWID;

CREATE TABLE snap_users (
	snapshot INTEGER NOT NULL REFERENCES snapshot(id),
	seq      INTEGER NOT NULL,
	users    INTEGER NOT NULL,
	body     BLOB    NOT NULL,  -- per user: ref, e-mail, user name, status, display name, IAM status (JSON, or empty)
	PRIMARY KEY (snapshot, seq)
) WITHOUT ROWID;
