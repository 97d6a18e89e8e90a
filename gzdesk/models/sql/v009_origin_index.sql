-- Schema version 9: an index on every record's origin, so that a merge finds what one source sent
-- before (the records it may have dropped since) without reading the whole library: the merge's
-- cost follows the snapshot, not the size of the city's library (issue 14).
CREATE INDEX ix_assessment_entry_origin ON assessment_entry (origin);
CREATE INDEX ix_attachment_origin ON attachment (origin);
CREATE INDEX ix_census_report_origin ON census_report (origin);
CREATE INDEX ix_quarter_report_origin ON quarter_report (origin);
CREATE INDEX ix_unit_origin ON unit (origin);
CREATE INDEX ix_account_origin ON account (origin);
CREATE INDEX ix_person_origin ON person (origin);
CREATE INDEX ix_account_role_origin ON account_role (origin);
CREATE INDEX ix_fake_report_origin ON fake_report (origin);
CREATE INDEX ix_filing_origin ON filing (origin);
CREATE INDEX ix_inspection_origin ON inspection (origin);
CREATE INDEX ix_objection_origin ON objection (origin);
CREATE INDEX ix_reply_check_origin ON reply_check (origin);
CREATE INDEX ix_task_origin ON task (origin);
CREATE INDEX ix_approval_step_origin ON approval_step (origin);
CREATE INDEX ix_fake_step_origin ON fake_step (origin);
CREATE INDEX ix_inspection_finding_origin ON inspection_finding (origin);
