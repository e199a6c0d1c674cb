-- Snapshots of the effective-access audit.
--
-- Natural identities (an account id, a permission set ARN, a principal
-- type and id, a user id) are interned once in entity, so that rows refer
-- to the same small integer in every snapshot and a diff is a merge over
-- integer keys. What an identity was called at the time (an account's
-- name, a user's e-mail) is kept per snapshot in the snap_* tables.

CREATE TABLE snapshot (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	created           TEXT    NOT NULL,           -- RFC 3339, UTC
	instance_arn      TEXT    NOT NULL DEFAULT '',
	identity_store_id TEXT    NOT NULL DEFAULT '',
	method            TEXT    NOT NULL DEFAULT '',  -- how the audit listed assignments
	rows              INTEGER NOT NULL DEFAULT 0,
	findings          INTEGER NOT NULL DEFAULT 0,
	errors            INTEGER NOT NULL DEFAULT 0,
	columns           TEXT    NOT NULL DEFAULT '',   -- the report's columns, comma-separated
	notes             TEXT    NOT NULL DEFAULT '[]', -- the report's notes (JSON array)
	stats             TEXT    NOT NULL DEFAULT '{}'  -- the report's stats document (JSON)
);

CREATE TABLE entity (
	ref  INTEGER PRIMARY KEY,
	kind INTEGER NOT NULL,  -- 1 account, 2 permission set, 3 principal, 4 user
	key  TEXT    NOT NULL,
	UNIQUE (kind, key)
);

CREATE TABLE snap_account (
	snapshot INTEGER NOT NULL REFERENCES snapshot(id),
	ref      INTEGER NOT NULL,
	name     TEXT    NOT NULL,
	status   TEXT    NOT NULL,
	PRIMARY KEY (snapshot, ref)
) WITHOUT ROWID;

CREATE TABLE snap_permission_set (
	snapshot INTEGER NOT NULL REFERENCES snapshot(id),
	ref      INTEGER NOT NULL,
	name     TEXT    NOT NULL,
	PRIMARY KEY (snapshot, ref)
) WITHOUT ROWID;

CREATE TABLE snap_principal (
	snapshot   INTEGER NOT NULL REFERENCES snapshot(id),
	ref        INTEGER NOT NULL,
	group_name TEXT    NOT NULL,
	PRIMARY KEY (snapshot, ref)
) WITHOUT ROWID;

CREATE TABLE snap_user (
	snapshot     INTEGER NOT NULL REFERENCES snapshot(id),
	ref          INTEGER NOT NULL,
	email        TEXT    NOT NULL,
	user_name    TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	display_name TEXT    NOT NULL,
	iam          TEXT,             -- legacy IAM status (JSON), with --iam
	PRIMARY KEY (snapshot, ref)
) WITHOUT ROWID;

-- One row of the report. The key is the row's identity (user × account ×
-- permission set × path; user 0 when the row names no user, dup counts
-- repeats); seq is its position in the report as the audit wrote it.
CREATE TABLE access_row (
	snapshot       INTEGER NOT NULL REFERENCES snapshot(id),
	account        INTEGER NOT NULL,
	permission_set INTEGER NOT NULL,
	principal      INTEGER NOT NULL,
	user           INTEGER NOT NULL,
	dup            INTEGER NOT NULL,
	seq            INTEGER NOT NULL,
	flags          TEXT,   -- ';'-separated, NULL when none
	exact          TEXT,   -- the whole row (JSON) when it differs from its snapshot's entities
	PRIMARY KEY (snapshot, account, permission_set, principal, user, dup)
) WITHOUT ROWID;
CREATE UNIQUE INDEX access_row_seq ON access_row (snapshot, seq);

CREATE TABLE finding (
	snapshot       INTEGER NOT NULL REFERENCES snapshot(id),
	seq            INTEGER NOT NULL,
	kind           TEXT    NOT NULL,
	account_id     TEXT    NOT NULL,
	account_name   TEXT    NOT NULL,
	permission_set TEXT    NOT NULL,
	principal_type TEXT    NOT NULL,
	principal_id   TEXT    NOT NULL,
	name           TEXT    NOT NULL,
	detail         TEXT    NOT NULL,
	PRIMARY KEY (snapshot, seq)
) WITHOUT ROWID;

CREATE TABLE item_error (
	snapshot INTEGER NOT NULL REFERENCES snapshot(id),
	seq      INTEGER NOT NULL,
	item     TEXT    NOT NULL,
	error    TEXT    NOT NULL,
	PRIMARY KEY (snapshot, seq)
) WITHOUT ROWID;
