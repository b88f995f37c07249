CREATE TABLE `json_store_team_access` (
	`json_store_id` text NOT NULL,
	`team_id` text NOT NULL,
	`level` text NOT NULL,
	PRIMARY KEY(`json_store_id`, `team_id`),
	FOREIGN KEY (`json_store_id`) REFERENCES `json_stores`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "json_store_team_access_level_ck" CHECK("json_store_team_access"."level" IN ('READER', 'WRITER', 'OWNER'))
);
--> statement-breakpoint
CREATE INDEX `json_store_team_access_team_idx` ON `json_store_team_access` (`team_id`);--> statement-breakpoint
CREATE TABLE `project_team_access` (
	`project_id` text NOT NULL,
	`team_id` text NOT NULL,
	`level` text NOT NULL,
	PRIMARY KEY(`project_id`, `team_id`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "project_team_access_level_ck" CHECK("project_team_access"."level" IN ('READER', 'WRITER', 'OWNER'))
);
--> statement-breakpoint
CREATE INDEX `project_team_access_team_idx` ON `project_team_access` (`team_id`);--> statement-breakpoint
CREATE TABLE `secret_team_access` (
	`secret_id` text NOT NULL,
	`team_id` text NOT NULL,
	`level` text NOT NULL,
	PRIMARY KEY(`secret_id`, `team_id`),
	FOREIGN KEY (`secret_id`) REFERENCES `secrets`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "secret_team_access_level_ck" CHECK("secret_team_access"."level" IN ('READER', 'WRITER', 'OWNER'))
);
--> statement-breakpoint
CREATE INDEX `secret_team_access_team_idx` ON `secret_team_access` (`team_id`);