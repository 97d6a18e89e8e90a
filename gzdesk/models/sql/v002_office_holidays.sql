-- Schema version 2: the office's own holiday table, used for years chinese-calendar does not cover.
CREATE TABLE office_holiday (
	day DATE NOT NULL,
	workday BOOLEAN NOT NULL,
	name VARCHAR(100),
	PRIMARY KEY (day)
);
