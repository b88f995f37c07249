CREATE TABLE `if_match_failed` (
	`failed` integer NOT NULL,
	CONSTRAINT "if_match_failed_ck" CHECK(0)
);
--> statement-breakpoint
ALTER TABLE `json_store_items` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `json_stores` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `organizations` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `version` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `secrets` ADD `version` integer DEFAULT 1 NOT NULL;