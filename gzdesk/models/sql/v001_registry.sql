-- Schema version 1: the registry as first released. Frozen: never edit; add a new version instead.
CREATE TABLE attachment (
	owner_uuid VARCHAR(36) NOT NULL, 
	filename VARCHAR(300) NOT NULL, 
	mime VARCHAR(100), 
	data BLOB NOT NULL, 
	note VARCHAR(300), 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	PRIMARY KEY (id)
);
CREATE INDEX ix_attachment_owner_uuid ON attachment (owner_uuid);
CREATE UNIQUE INDEX ix_attachment_uuid ON attachment (uuid);
CREATE TABLE audit_event (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(100) NOT NULL, 
	action VARCHAR(20) NOT NULL, 
	entity VARCHAR(40) NOT NULL, 
	entity_uuid VARCHAR(36), 
	summary VARCHAR(500), 
	changes TEXT, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_audit_event_at ON audit_event (at);
CREATE INDEX ix_audit_entity ON audit_event (entity, entity_uuid);
CREATE TABLE setting (
	"key" VARCHAR(100) NOT NULL, 
	value TEXT, 
	PRIMARY KEY ("key")
);
CREATE TABLE unit (
	name VARCHAR(200) NOT NULL, 
	kind VARCHAR(30) NOT NULL, 
	parent_id INTEGER, 
	head VARCHAR(100), 
	leader VARCHAR(200), 
	phone VARCHAR(100), 
	classified BOOLEAN NOT NULL, 
	notes TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	PRIMARY KEY (id), 
	FOREIGN KEY(parent_id) REFERENCES unit (id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX ix_unit_uuid ON unit (uuid);
CREATE INDEX ix_unit_name ON unit (name);
CREATE INDEX ix_unit_parent_id ON unit (parent_id);
CREATE TABLE account (
	name VARCHAR(200) NOT NULL, 
	handle VARCHAR(500), 
	platform VARCHAR(30) NOT NULL, 
	platform_other VARCHAR(100), 
	registered_on DATE, 
	followers INTEGER, 
	followers_on DATE, 
	status VARCHAR(20) NOT NULL, 
	verified BOOLEAN, 
	verification_names_host BOOLEAN, 
	news_license BOOLEAN, 
	supervisor_unit_id INTEGER, 
	supervisor_leader VARCHAR(200), 
	supervisor_phone VARCHAR(100), 
	host_unit_id INTEGER, 
	host_leader VARCHAR(200), 
	host_phone VARCHAR(100), 
	operator_unit_id INTEGER, 
	operator_leader VARCHAR(200), 
	operator_phone VARCHAR(100), 
	url VARCHAR(500), 
	qr_image BLOB, 
	intro TEXT, 
	last_update_on DATE, 
	last_original_on DATE, 
	tags VARCHAR(500), 
	notes TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	PRIMARY KEY (id), 
	FOREIGN KEY(supervisor_unit_id) REFERENCES unit (id) ON DELETE RESTRICT, 
	FOREIGN KEY(host_unit_id) REFERENCES unit (id) ON DELETE RESTRICT, 
	FOREIGN KEY(operator_unit_id) REFERENCES unit (id) ON DELETE RESTRICT
);
CREATE INDEX ix_account_name ON account (name);
CREATE INDEX ix_account_platform ON account (platform);
CREATE INDEX ix_account_host_unit_id ON account (host_unit_id);
CREATE UNIQUE INDEX ix_account_uuid ON account (uuid);
CREATE INDEX ix_account_supervisor_unit_id ON account (supervisor_unit_id);
CREATE INDEX ix_account_operator_unit_id ON account (operator_unit_id);
CREATE INDEX ix_account_status ON account (status);
CREATE TABLE person (
	name VARCHAR(100) NOT NULL, 
	unit_id INTEGER, 
	title VARCHAR(200), 
	office_phone VARCHAR(50), 
	mobile VARCHAR(50), 
	trained_on DATE, 
	left_on DATE, 
	notes TEXT, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	PRIMARY KEY (id), 
	FOREIGN KEY(unit_id) REFERENCES unit (id) ON DELETE RESTRICT
);
CREATE INDEX ix_person_unit_id ON person (unit_id);
CREATE UNIQUE INDEX ix_person_uuid ON person (uuid);
CREATE INDEX ix_person_name ON person (name);
CREATE TABLE account_role (
	account_id INTEGER NOT NULL, 
	person_id INTEGER NOT NULL, 
	role VARCHAR(20) NOT NULL, 
	since DATE, 
	until DATE, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	PRIMARY KEY (id), 
	UNIQUE (account_id, person_id, role), 
	FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE, 
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
);
CREATE INDEX ix_account_role_account_id ON account_role (account_id);
CREATE UNIQUE INDEX ix_account_role_uuid ON account_role (uuid);
CREATE INDEX ix_account_role_person_id ON account_role (person_id);
CREATE TABLE filing (
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
	UNIQUE (number), 
	FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE RESTRICT, 
	FOREIGN KEY(merge_parent_id) REFERENCES filing (id) ON DELETE RESTRICT, 
	FOREIGN KEY(kept_account_id) REFERENCES account (id) ON DELETE RESTRICT
);
CREATE INDEX ix_filing_state ON filing (state);
CREATE INDEX ix_filing_merge_parent_id ON filing (merge_parent_id);
CREATE INDEX ix_filing_account_id ON filing (account_id);
CREATE UNIQUE INDEX ix_filing_uuid ON filing (uuid);
CREATE TABLE task (
	kind VARCHAR(30) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	account_id INTEGER, 
	person_id INTEGER, 
	due_on DATE, 
	done_on DATE, 
	article VARCHAR(100), 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	PRIMARY KEY (id), 
	FOREIGN KEY(account_id) REFERENCES account (id) ON DELETE CASCADE, 
	FOREIGN KEY(person_id) REFERENCES person (id) ON DELETE CASCADE
);
CREATE INDEX ix_task_account_id ON task (account_id);
CREATE INDEX ix_task_person_id ON task (person_id);
CREATE UNIQUE INDEX ix_task_uuid ON task (uuid);
CREATE TABLE approval_step (
	filing_id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	title VARCHAR(100) NOT NULL, 
	opinion TEXT, 
	signer VARCHAR(100), 
	signed_on DATE, 
	result VARCHAR(20) NOT NULL, 
	attachment_id INTEGER, 
	id INTEGER NOT NULL, 
	uuid VARCHAR(36) NOT NULL, 
	created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	updated_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
	origin VARCHAR(200), 
	PRIMARY KEY (id), 
	UNIQUE (filing_id, seq), 
	FOREIGN KEY(filing_id) REFERENCES filing (id) ON DELETE CASCADE, 
	FOREIGN KEY(attachment_id) REFERENCES attachment (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX ix_approval_step_uuid ON approval_step (uuid);
CREATE INDEX ix_approval_step_filing_id ON approval_step (filing_id);
