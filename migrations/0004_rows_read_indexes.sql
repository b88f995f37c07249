DROP INDEX `organizations_owner_idx`;--> statement-breakpoint
CREATE INDEX `organizations_visibility_name_idx` ON `organizations` (`visibility`,lower("name"));--> statement-breakpoint
CREATE INDEX `organizations_owner_name_idx` ON `organizations` (`owner_id`,lower("name"));--> statement-breakpoint
DROP INDEX `team_members_user_idx`;--> statement-breakpoint
ALTER TABLE `team_members` ADD `org_id` text;--> statement-breakpoint
CREATE INDEX `team_members_user_org_idx` ON `team_members` (`user_id`,`org_id`);--> statement-breakpoint
CREATE INDEX `json_stores_org_visibility_name_idx` ON `json_stores` (`org_id`,`visibility`,lower("name"));--> statement-breakpoint
CREATE INDEX `projects_org_visibility_name_idx` ON `projects` (`org_id`,`visibility`,lower("name"));--> statement-breakpoint
CREATE INDEX `secrets_org_visibility_name_idx` ON `secrets` (`org_id`,`visibility`,lower("name"));