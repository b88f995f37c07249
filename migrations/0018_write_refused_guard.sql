CREATE TABLE `write_refused` (
	`refused` integer NOT NULL,
	CONSTRAINT "write_refused_ck" CHECK(0)
);
