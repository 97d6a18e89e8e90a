-- Schema version 3: the sources of merged 上报快照 (one row per lower office), see gzdesk/exchange/merge.py.
CREATE TABLE snapshot_source (
	id INTEGER NOT NULL, 
	unit_uuid VARCHAR(36) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	profile_id VARCHAR(60), 
	snapshot_created_at DATETIME NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	schema_version INTEGER NOT NULL, 
	merged_at DATETIME NOT NULL, 
	counts TEXT, 
	result TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (unit_uuid)
);
