-- What an incremental audit (audit --since) starts from and what it learnt
-- from CloudTrail. directory: the audit's knowledge beyond its rows
-- (audit.Directory, JSON; '' in snapshots saved before this version, from
-- which --since makes a full audit). exact_until: the time up to which the
-- snapshot reflects every change (a full audit's start; an incremental
-- one's end of reading CloudTrail less its delivery lag), from which the
-- next --since reads events. base: the snapshot an incremental audit
-- started from (0 for a full audit). facts: the changes to access the
-- events since the base made, with who and when (activity.Fact, JSON), so
-- that history diff attributes rows without reading CloudTrail again.
-- placed: the ids of the events it placed (JSON array), which the next
-- --since, reading its window again from exact_until, need not place twice.
ALTER TABLE snapshot ADD COLUMN directory TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot ADD COLUMN exact_until TEXT NOT NULL DEFAULT '';
ALTER TABLE snapshot ADD COLUMN base INTEGER NOT NULL DEFAULT 0;
ALTER TABLE snapshot ADD COLUMN facts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE snapshot ADD COLUMN placed TEXT NOT NULL DEFAULT '[]';
