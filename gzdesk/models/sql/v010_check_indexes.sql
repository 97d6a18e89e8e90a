-- Schema version 10: indexes for the rule checks (gzdesk check), the import wizard's lookup and the
-- foreign keys SQLite looks up when a record is deleted (issue 14: speed at 200,000 accounts).
--
-- The host unit's index carries the columns the two group rules read (同一平台多个账号, 各平台名称不一致:
-- unit, name, platform, status): SQLite answers them from the index alone, one unit after another,
-- instead of fetching 188,000 table rows and sorting them. It replaces the index on host_unit_id alone
-- (a prefix of it), and (name, platform) replaces the one on name alone, so an insert updates as many
-- indexes as before.
DROP INDEX ix_account_host_unit_id;
CREATE INDEX ix_account_host_unit ON account (host_unit_id, name, platform, status);
DROP INDEX ix_account_name;
CREATE INDEX ix_account_name_platform ON account (name, platform);
-- deleting an account or an attachment made SQLite read every filing / approval step for these
CREATE INDEX ix_filing_kept_account_id ON filing (kept_account_id);
CREATE INDEX ix_approval_step_attachment_id ON approval_step (attachment_id);
