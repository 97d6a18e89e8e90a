-- Schema version 6: supervision — quarterly inspections (南通 附件2) and their 整改, the quarter's
-- report, the annual assessment's manual entries (附件3), fake-account reports (盐湖25, 太白20,
-- 云南41, 南通30, 临沂四（二）) and the census report (临沂五); and account.unusable_since for
-- 附件2 内容不更新 2 (移动客户端（APP）无法下载或使用). Every new table has uuid and origin (snapshots).
ALTER TABLE account ADD COLUMN unusable_since DATE;
-- 关停/注销 filings are few: the closure checks read them through this index
CREATE INDEX ix_filing_kind ON filing (kind);
CREATE TABLE inspection (
	account_id INTEGER, 
	account_name VARCHAR(200) NOT NULL, 
	platform VARCHAR(30), 
	host_unit VARCHAR(200), 
	quarter VARCHAR(6) NOT NULL, 
	inspected_on DATE NOT NULL, 
	inspector VARCHAR(100) NOT NULL, 
	level VARCHAR(20) NOT NULL, 
	sheet_id VARCHAR(60) NOT NULL, 
	sheet_borrowed BOOLEAN NOT NULL, 
	score INTEGER, 
	result VARCHAR(10) NOT NULL, 
	notified_on DATE, 
	note TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	version INTEGER DEFAULT 1 NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE SET NULL
);
CREATE INDEX ix_inspection_account_id ON inspection (account_id);
CREATE INDEX ix_inspection_quarter ON inspection (quarter);
CREATE UNIQUE INDEX ix_inspection_uuid ON inspection (uuid);
CREATE TABLE inspection_finding (
	inspection_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	item VARCHAR(100) NOT NULL, 
	rule_no INTEGER, 
	count INTEGER NOT NULL, 
	points INTEGER, 
	prefilled BOOLEAN NOT NULL, 
	note TEXT, 
	due_on DATE, 
	done_on DATE, 
	rectify_note TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	version INTEGER DEFAULT 1 NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (inspection_id, seq), 
	FOREIGN KEY(inspection_id) REFERENCES inspection (id) ON DELETE CASCADE
);
CREATE INDEX ix_inspection_finding_due_on ON inspection_finding (due_on);
CREATE INDEX ix_inspection_finding_inspection_id ON inspection_finding (inspection_id);
CREATE UNIQUE INDEX ix_inspection_finding_uuid ON inspection_finding (uuid);
CREATE TABLE quarter_report (
	quarter VARCHAR(6) NOT NULL, 
	sent_on DATE NOT NULL, 
	note TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	version INTEGER DEFAULT 1 NOT NULL, 
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_quarter_report_uuid ON quarter_report (uuid);
CREATE UNIQUE INDEX ux_quarter_report_origin_quarter ON quarter_report (coalesce(origin, ''), quarter);
CREATE TABLE assessment_entry (
	year INTEGER NOT NULL, 
	scope VARCHAR(200) NOT NULL, 
	item VARCHAR(100) NOT NULL, 
	value INTEGER NOT NULL, 
	note TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	version INTEGER DEFAULT 1 NOT NULL, 
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_assessment_entry_uuid ON assessment_entry (uuid);
CREATE UNIQUE INDEX ux_assessment_entry ON assessment_entry (coalesce(origin, ''), scope, year, item);
CREATE TABLE fake_report (
	name VARCHAR(200) NOT NULL, 
	platform VARCHAR(30), 
	platform_other VARCHAR(100), 
	link VARCHAR(500), 
	imitated_account_id INTEGER, 
	how VARCHAR(20) NOT NULL, 
	reporter VARCHAR(200), 
	found_on DATE NOT NULL, 
	found_where VARCHAR(300), 
	closed_on DATE, 
	outcome VARCHAR(20), 
	note TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	version INTEGER DEFAULT 1 NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(imitated_account_id) REFERENCES account (id) ON DELETE SET NULL
);
CREATE INDEX ix_fake_report_closed_on ON fake_report (closed_on);
CREATE INDEX ix_fake_report_imitated_account_id ON fake_report (imitated_account_id);
CREATE UNIQUE INDEX ix_fake_report_uuid ON fake_report (uuid);
CREATE TABLE fake_step (
	report_id INTEGER NOT NULL, 
	step VARCHAR(20) NOT NULL, 
	done_on DATE NOT NULL, 
	note TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	version INTEGER DEFAULT 1 NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(report_id) REFERENCES fake_report (id) ON DELETE CASCADE
);
CREATE INDEX ix_fake_step_report_id ON fake_step (report_id);
CREATE UNIQUE INDEX ix_fake_step_uuid ON fake_step (uuid);
CREATE TABLE census_report (
	period_from DATE NOT NULL, 
	period_to DATE NOT NULL, 
	sections TEXT NOT NULL, 
	written_on DATE NOT NULL, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	version INTEGER DEFAULT 1 NOT NULL, 
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_census_report_uuid ON census_report (uuid);
