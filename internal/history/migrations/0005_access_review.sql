-- What the audit's access review knew besides the rows: each account's OU
-- path, the production accounts the org settings named and the privileged
-- permission sets and why (audit.Review, JSON), so that a snapshot's
-- report shows who had privileged access to production and the findings by
-- cause as the audit did. Snapshots saved before this version have none.
ALTER TABLE snapshot ADD COLUMN review TEXT NOT NULL DEFAULT '{}';
