-- Restrictions of secrets to projects move from secrets.project_id (one project) to secret_projects
-- (any number, added by 0009). secrets.project_id keeps its value: a Worker of the previous version,
-- still serving while this is applied, reads it to tell a restricted secret (NULL would let any
-- READER decrypt it). This version never reads it and clears it whenever the restriction changes;
-- the column stays because dropping it would rebuild the secrets table, and on D1 that deletes
-- every row referencing it with ON DELETE CASCADE.
INSERT INTO `secret_projects` (`secret_id`, `project_id`) SELECT `id`, `project_id` FROM `secrets` WHERE `project_id` IS NOT NULL;
--> statement-breakpoint
UPDATE `secrets` SET `restricted` = 1 WHERE `project_id` IS NOT NULL;
--> statement-breakpoint
-- secrets.restricted says whether secret_projects has rows for the secret.
CREATE TRIGGER `secret_projects_restricted_on_insert` AFTER INSERT ON `secret_projects`
BEGIN
  UPDATE `secrets` SET `restricted` = 1 WHERE `id` = NEW.`secret_id` AND `restricted` = 0;
END;
--> statement-breakpoint
CREATE TRIGGER `secret_projects_restricted_on_delete` AFTER DELETE ON `secret_projects`
WHEN NOT EXISTS (SELECT 1 FROM `secret_projects` WHERE `secret_id` = OLD.`secret_id`)
BEGIN
  UPDATE `secrets` SET `restricted` = 0 WHERE `id` = OLD.`secret_id` AND `restricted` = 1;
END;
--> statement-breakpoint
-- A secret written with project_id (by a Worker of the previous version while this is applied)
-- gets the same restriction here at once: otherwise this version would read it as unrestricted.
CREATE TRIGGER `secrets_legacy_project_id` AFTER INSERT ON `secrets` WHEN NEW.`project_id` IS NOT NULL
BEGIN
  INSERT OR IGNORE INTO `secret_projects` (`secret_id`, `project_id`) VALUES (NEW.`id`, NEW.`project_id`);
END;
--> statement-breakpoint
-- Deleting a project removes it from restrictions (ON DELETE CASCADE), but deleting the last
-- project a secret is restricted to is refused: the restriction would be silently lifted. Deleting
-- the whole organization (its row is already gone when its projects cascade) removes everything.
CREATE TRIGGER `secret_projects_keep_last` BEFORE DELETE ON `projects`
WHEN EXISTS (SELECT 1 FROM `organizations` WHERE `id` = OLD.`org_id`)
BEGIN
  SELECT RAISE(ABORT, 'refused: a secret is restricted to this project only')
  WHERE EXISTS (
    SELECT 1 FROM `secret_projects` AS `sp`
    WHERE `sp`.`project_id` = OLD.`id`
      AND NOT EXISTS (SELECT 1 FROM `secret_projects` AS `other` WHERE `other`.`secret_id` = `sp`.`secret_id` AND `other`.`project_id` <> OLD.`id`)
  );
END;
