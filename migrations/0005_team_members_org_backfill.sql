-- team_members.org_id (added by 0004) is a copy of its team's org, written with every membership;
-- rows from before 0004 get it here.
UPDATE `team_members` SET `org_id` = (SELECT `org_id` FROM `teams` WHERE `teams`.`id` = `team_members`.`team_id`) WHERE `org_id` IS NULL;
