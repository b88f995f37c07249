-- A repository may use a secret restricted to projects only in one of those projects. The API
-- checks it when it reads; these triggers keep it true against a restriction written in between
-- (the other side, a restriction written while a repository comes into use, is checked at the end
-- of the secret update's own batch: db/secrets.ts usedOutsideRestriction).
CREATE TRIGGER `repositories_restricted_secret_on_insert` BEFORE INSERT ON `repositories` WHEN NEW.`secret_id` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'refused: a repository may only use a restricted secret in a project it is restricted to')
  WHERE EXISTS (SELECT 1 FROM `secret_projects` WHERE `secret_id` = NEW.`secret_id`)
    AND NOT EXISTS (SELECT 1 FROM `secret_projects` WHERE `secret_id` = NEW.`secret_id` AND `project_id` = NEW.`project_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `repositories_restricted_secret_on_update` BEFORE UPDATE OF `secret_id`, `project_id` ON `repositories` WHEN NEW.`secret_id` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'refused: a repository may only use a restricted secret in a project it is restricted to')
  WHERE EXISTS (SELECT 1 FROM `secret_projects` WHERE `secret_id` = NEW.`secret_id`)
    AND NOT EXISTS (SELECT 1 FROM `secret_projects` WHERE `secret_id` = NEW.`secret_id` AND `project_id` = NEW.`project_id`);
END;
