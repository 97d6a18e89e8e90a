-- Schema version 5: every record counts its changes (``version``), so that a save made from an
-- older reading of a record (a second window, a long-open editor, the command line) is refused
-- instead of silently overwriting what changed in between. Existing records start at 1.
ALTER TABLE unit ADD COLUMN version INTEGER DEFAULT 1 NOT NULL;
ALTER TABLE account ADD COLUMN version INTEGER DEFAULT 1 NOT NULL;
ALTER TABLE person ADD COLUMN version INTEGER DEFAULT 1 NOT NULL;
ALTER TABLE account_role ADD COLUMN version INTEGER DEFAULT 1 NOT NULL;
ALTER TABLE filing ADD COLUMN version INTEGER DEFAULT 1 NOT NULL;
ALTER TABLE approval_step ADD COLUMN version INTEGER DEFAULT 1 NOT NULL;
ALTER TABLE attachment ADD COLUMN version INTEGER DEFAULT 1 NOT NULL;
ALTER TABLE task ADD COLUMN version INTEGER DEFAULT 1 NOT NULL;
