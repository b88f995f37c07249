CREATE TABLE `secret_projects` (
	`secret_id` text NOT NULL,
	`project_id` text NOT NULL,
	PRIMARY KEY(`secret_id`, `project_id`),
	FOREIGN KEY (`secret_id`) REFERENCES `secrets`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `secret_projects_project_idx` ON `secret_projects` (`project_id`);--> statement-breakpoint
ALTER TABLE `secrets` ADD `restricted` integer DEFAULT false NOT NULL;