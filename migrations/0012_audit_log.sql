CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`entry_date` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`user_id` text,
	`object` text NOT NULL,
	`action` text NOT NULL,
	`org_id` text,
	`project_id` text,
	`secret_id` text,
	`json_store_id` text,
	`team_id` text,
	`details` text NOT NULL
);
