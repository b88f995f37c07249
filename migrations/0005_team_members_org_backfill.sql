-- team_members.org_id (added by 0004) is a copy of its team's org, written with every membership.
-- Rows from before 0004 get it here.
UPDATE `team_members` SET `org_id` = (SELECT `org_id` FROM `teams` WHERE `teams`.`id` = `team_members`.`team_id`) WHERE `org_id` IS NULL;
--> statement-breakpoint
-- A membership written without it (by a Worker still running the code from before 0004 while this
-- migration is applied, or by hand) gets it at once: without it the member would not count as one.
CREATE TRIGGER `team_members_org_id` AFTER INSERT ON `team_members` WHEN NEW.`org_id` IS NULL
BEGIN
  UPDATE `team_members` SET `org_id` = (SELECT `org_id` FROM `teams` WHERE `teams`.`id` = NEW.`team_id`)
  WHERE `team_id` = NEW.`team_id` AND `user_id` = NEW.`user_id`;
END;
