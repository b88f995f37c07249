DROP INDEX `audit_log_object_idx`;--> statement-breakpoint
CREATE INDEX `audit_log_deleted_org_name_idx` ON `audit_log` (lower("details" ->> '$.name'),`seq`) WHERE "audit_log"."object" = 'ORGANIZATION' AND "audit_log"."action" = 'DELETE';--> statement-breakpoint
CREATE INDEX `audit_log_object_idx` ON `audit_log` (`object`,`seq`);