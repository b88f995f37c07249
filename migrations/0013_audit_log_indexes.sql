CREATE INDEX `audit_log_org_idx` ON `audit_log` (`org_id`,`seq`) WHERE "audit_log"."org_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `audit_log_project_idx` ON `audit_log` (`project_id`,`seq`) WHERE "audit_log"."project_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `audit_log_secret_idx` ON `audit_log` (`secret_id`,`seq`) WHERE "audit_log"."secret_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `audit_log_json_store_idx` ON `audit_log` (`json_store_id`,`seq`) WHERE "audit_log"."json_store_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `audit_log_team_idx` ON `audit_log` (`team_id`,`seq`) WHERE "audit_log"."team_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `audit_log_user_idx` ON `audit_log` (`user_id`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_log_object_idx` ON `audit_log` (`object`,`action`,`seq`);--> statement-breakpoint
CREATE INDEX `audit_log_date_idx` ON `audit_log` (`entry_date`);