-- Schema version 8: users and roles (gzdesk/users.py, gzdesk/permissions.py).
-- A database from before has no users: it keeps working as before until the first 管理员 is made
-- (the window asks for one), and from then on every write names an authenticated user.
CREATE TABLE app_user (
	id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	role VARCHAR(20) NOT NULL, 
	password VARCHAR(300) NOT NULL, 
	disabled BOOLEAN NOT NULL, 
	failed_logins INTEGER NOT NULL, 
	locked_until DATETIME, 
	last_login_at DATETIME, 
	password_set_at DATETIME, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
-- The audit log becomes a hash chain (gzdesk/audit.py): each event carries the previous event's
-- hash and its own. Bulk writes keep one digest per written record in audit_row.
ALTER TABLE audit_event ADD COLUMN prev_hash VARCHAR(64);
ALTER TABLE audit_event ADD COLUMN hash VARCHAR(64);
CREATE TABLE audit_row (
	id INTEGER NOT NULL, 
	event_id INTEGER NOT NULL, 
	entity VARCHAR(40) NOT NULL, 
	entity_uuid VARCHAR(100) NOT NULL, 
	digest VARCHAR(64), 
	PRIMARY KEY (id)
);
CREATE INDEX ix_audit_row_event_id ON audit_row (event_id);
-- What the receiving office keeps of each source (gzdesk/exchange/trust.py): the audit-chain head
-- it last merged (a later snapshot must extend it), and the source's pinned signing key.
ALTER TABLE snapshot_source ADD COLUMN chain_event_id INTEGER;
ALTER TABLE snapshot_source ADD COLUMN chain_head VARCHAR(64);
ALTER TABLE snapshot_source ADD COLUMN public_key VARCHAR(64);
ALTER TABLE snapshot_source ADD COLUMN key_pinned_at DATETIME;
-- This office's Ed25519 key pair, made at init (gzdesk/signing.py); the private key never leaves it.
CREATE TABLE signing_key (
	id INTEGER NOT NULL, 
	public_key VARCHAR(64) NOT NULL, 
	private_key VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
-- The events written before are chained as they are now, and a 'baseline' event records the digest
-- of every record, so that checks start from the state this upgrade found (same transaction).
-- python: gzdesk.audit:adopt_legacy_log
