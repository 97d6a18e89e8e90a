-- Schema version 4: 备案编号 unique per origin, not across the whole library.
-- Each county numbers its filings 2026-00001, 2026-00002, …; a city library that merges many
-- counties keeps every number as printed on its form. Local filings have origin NULL (coalesced).
-- SQLite cannot drop a table constraint, so the table is rebuilt (foreign keys are off while
-- migrations run; rows, ids and references are kept).
CREATE TABLE filing_v4 (
	number VARCHAR(40) NOT NULL, 
	account_id INTEGER, 
	kind VARCHAR(20) NOT NULL, 
	state VARCHAR(30) NOT NULL, 
	reason TEXT, 
	filled_on DATE, 
	event_on DATE, 
	profile_id VARCHAR(60), 
	template_id VARCHAR(60), 
	chain TEXT, 
	frozen TEXT, 
	proposed TEXT, 
	announce_from DATE, 
	announce_until DATE, 
	effective_on DATE, 
	reported_on DATE, 
	merge_parent_id INTEGER, 
	kept_account_id INTEGER, 
	notes TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	PRIMARY KEY (id), 
	FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE RESTRICT, 
	FOREIGN KEY(merge_parent_id) REFERENCES filing (id) ON DELETE RESTRICT, 
	FOREIGN KEY(kept_account_id) REFERENCES account (id) ON DELETE RESTRICT
);
INSERT INTO filing_v4 SELECT * FROM filing;
DROP TABLE filing;
ALTER TABLE filing_v4 RENAME TO filing;
CREATE INDEX ix_filing_state ON filing (state);
CREATE INDEX ix_filing_merge_parent_id ON filing (merge_parent_id);
CREATE INDEX ix_filing_account_id ON filing (account_id);
CREATE UNIQUE INDEX ix_filing_uuid ON filing (uuid);
CREATE UNIQUE INDEX ux_filing_origin_number ON filing (coalesce(origin, ''), number);
