ALTER TABLE `projects` ADD `raw_payload_mode` text DEFAULT 'DISABLED' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `out_variables_mode` text DEFAULT 'DISABLED' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `process_exec_mode` text DEFAULT 'READERS' NOT NULL;--> statement-breakpoint
ALTER TABLE `repositories` ADD `triggers_disabled` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `display_name` text;--> statement-breakpoint
ALTER TABLE `users` ADD `email` text;--> statement-breakpoint
ALTER TABLE `users` ADD `disabled` integer DEFAULT false NOT NULL;