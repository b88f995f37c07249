CREATE TABLE `org_name_trigrams` (
	`trigram` text NOT NULL,
	`org_id` text NOT NULL,
	PRIMARY KEY(`trigram`, `org_id`)
);
--> statement-breakpoint
CREATE TABLE `org_trigram_counts` (
	`trigram` text PRIMARY KEY NOT NULL,
	`orgs` integer NOT NULL
);
