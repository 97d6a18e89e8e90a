-- Schema version 7: what the documents require and the registry did not hold.
-- 云南 第十六条: an account name with a place or agency name needs the consent of the government at
-- the same level (同级政府同意) — when it was given and its reference.
ALTER TABLE account ADD COLUMN name_consent_on DATE;
ALTER TABLE account ADD COLUMN name_consent_ref VARCHAR(200);
-- 盐湖 第十一条 / 云南 第十八条 / 南通 第十六条: 本单位会议（集体）研究 or 主要领导签字确认（同意);
-- 云南 第十二条 (开设): 集体研究 and 主要领导同意 — both recorded on the filing.
ALTER TABLE filing ADD COLUMN meeting_on DATE;
ALTER TABLE filing ADD COLUMN meeting_note VARCHAR(300);
ALTER TABLE filing ADD COLUMN head_approved_on DATE;
ALTER TABLE filing ADD COLUMN head_name VARCHAR(100);
-- 云南 第四十五条: the 异议 register (7 working days, extension approved, 30 in all).
CREATE TABLE objection (
	account_id INTEGER,
	objector VARCHAR(200) NOT NULL,
	contact VARCHAR(200),
	subject TEXT NOT NULL,
	received_on DATE NOT NULL,
	extended_to INTEGER,
	extension_approved_by VARCHAR(100),
	extension_approved_on DATE,
	handled_on DATE,
	result TEXT,
	replied_on DATE,
	notes TEXT,
	id INTEGER NOT NULL,
	uuid VARCHAR(36) NOT NULL,
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
	origin VARCHAR(200),
	version INTEGER DEFAULT 1 NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX ix_objection_uuid ON objection (uuid);
CREATE INDEX ix_objection_account_id ON objection (account_id);
-- 太白 第十一条: replies to messages within 2 days — the late replies found at a check.
CREATE TABLE reply_check (
	account_id INTEGER NOT NULL,
	found_on DATE NOT NULL,
	message_on DATE NOT NULL,
	replied_on DATE,
	summary VARCHAR(300),
	notes TEXT,
	id INTEGER NOT NULL,
	uuid VARCHAR(36) NOT NULL,
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
	origin VARCHAR(200),
	version INTEGER DEFAULT 1 NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_reply_check_uuid ON reply_check (uuid);
CREATE INDEX ix_reply_check_account_id ON reply_check (account_id);
-- The State Council's notice of a year, read into the office holiday table: that year is no
-- longer an estimate (预估).
CREATE TABLE holiday_notice (
	year INTEGER NOT NULL,
	title VARCHAR(200),
	text TEXT NOT NULL,
	imported_on DATE NOT NULL,
	actor VARCHAR(100),
	PRIMARY KEY (year)
);
