-- Rows kept in report order: the table is keyed by position (snapshot,
-- seq), so showing a snapshot and fetching a diff's changed rows read it
-- front to back; the identity order a diff merges on becomes a covering
-- index (its entries carry seq).
CREATE TABLE access_row_new (
	snapshot       INTEGER NOT NULL REFERENCES snapshot(id),
	seq            INTEGER NOT NULL,
	account        INTEGER NOT NULL,
	permission_set INTEGER NOT NULL,
	principal      INTEGER NOT NULL,
	user           INTEGER NOT NULL,
	dup            INTEGER NOT NULL,
	flags          TEXT,
	exact          TEXT,
	PRIMARY KEY (snapshot, seq)
) WITHOUT ROWID;
INSERT INTO access_row_new (snapshot, seq, account, permission_set, principal, user, dup, flags, exact)
	SELECT snapshot, seq, account, permission_set, principal, user, dup, flags, exact FROM access_row ORDER BY snapshot, seq;
DROP TABLE access_row;
ALTER TABLE access_row_new RENAME TO access_row;
CREATE UNIQUE INDEX access_row_identity ON access_row (snapshot, account, permission_set, principal, user, dup);
