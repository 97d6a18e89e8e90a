-- Schema version 6: users and roles (gzdesk/users.py, gzdesk/permissions.py).
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
