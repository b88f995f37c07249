-- Custom SQL migration file, put your code below! --
-- Concord's built-in administrator and the Default organization with its `default` team.
INSERT INTO `users` (`id`, `username`, `type`, `is_admin`)
VALUES ('230c5c9c-d9a7-11e6-bcfd-bb681c07b26c', 'admin', 'LOCAL', 1);
--> statement-breakpoint
INSERT INTO `organizations` (`id`, `name`, `visibility`, `owner_id`)
VALUES ('0fac1b18-d179-11e7-b3e7-d7df4543ed4f', 'Default', 'PUBLIC', NULL);
--> statement-breakpoint
INSERT INTO `teams` (`id`, `org_id`, `name`, `description`)
VALUES ('b9c3ef87-7a4d-4c3c-9c2a-6f3f1f1a9a01', '0fac1b18-d179-11e7-b3e7-d7df4543ed4f', 'default', 'Default team');
