-- A grant names a team of the resource's own org (the API resolves teams within the org; a move drops
-- the old org's grants in its batch). These triggers keep it true against a grant written
-- concurrently with a move, which would otherwise point into another org.
CREATE TRIGGER `project_team_access_same_org` BEFORE INSERT ON `project_team_access`
BEGIN
  SELECT RAISE(ABORT, 'refused: a grant may only name a team of the resource''s organization')
  WHERE (SELECT `org_id` FROM `teams` WHERE `id` = NEW.`team_id`) IS NOT (SELECT `org_id` FROM `projects` WHERE `id` = NEW.`project_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `secret_team_access_same_org` BEFORE INSERT ON `secret_team_access`
BEGIN
  SELECT RAISE(ABORT, 'refused: a grant may only name a team of the resource''s organization')
  WHERE (SELECT `org_id` FROM `teams` WHERE `id` = NEW.`team_id`) IS NOT (SELECT `org_id` FROM `secrets` WHERE `id` = NEW.`secret_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `json_store_team_access_same_org` BEFORE INSERT ON `json_store_team_access`
BEGIN
  SELECT RAISE(ABORT, 'refused: a grant may only name a team of the resource''s organization')
  WHERE (SELECT `org_id` FROM `teams` WHERE `id` = NEW.`team_id`) IS NOT (SELECT `org_id` FROM `json_stores` WHERE `id` = NEW.`json_store_id`);
END;
