-- A project's repositories use secrets of the project's own org, and a secret is restricted to
-- projects of its own org. The API resolves both within one org; these triggers keep it true when
-- projects and secrets move between orgs, including against a concurrent request (the move's own
-- checks read first, and a repository written in between would otherwise point into another org).
CREATE TRIGGER `repositories_secret_same_org_on_insert` BEFORE INSERT ON `repositories` WHEN NEW.`secret_id` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'refused: a repository may only use a secret of its project''s organization')
  WHERE (SELECT `org_id` FROM `secrets` WHERE `id` = NEW.`secret_id`) IS NOT (SELECT `org_id` FROM `projects` WHERE `id` = NEW.`project_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `repositories_secret_same_org_on_update` BEFORE UPDATE OF `secret_id`, `project_id` ON `repositories` WHEN NEW.`secret_id` IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'refused: a repository may only use a secret of its project''s organization')
  WHERE (SELECT `org_id` FROM `secrets` WHERE `id` = NEW.`secret_id`) IS NOT (SELECT `org_id` FROM `projects` WHERE `id` = NEW.`project_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `secret_projects_same_org` BEFORE INSERT ON `secret_projects`
BEGIN
  SELECT RAISE(ABORT, 'refused: a secret may only be restricted to projects of its organization')
  WHERE (SELECT `org_id` FROM `secrets` WHERE `id` = NEW.`secret_id`) IS NOT (SELECT `org_id` FROM `projects` WHERE `id` = NEW.`project_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `projects_move_keeps_references` BEFORE UPDATE OF `org_id` ON `projects` WHEN NEW.`org_id` IS NOT OLD.`org_id`
BEGIN
  SELECT RAISE(ABORT, 'refused: the project''s repositories use secrets of its organization, or secrets of it are restricted to the project')
  WHERE EXISTS (SELECT 1 FROM `repositories` WHERE `project_id` = NEW.`id` AND `secret_id` IS NOT NULL)
     OR EXISTS (SELECT 1 FROM `secret_projects` WHERE `project_id` = NEW.`id`);
END;
--> statement-breakpoint
CREATE TRIGGER `secrets_move_keeps_references` BEFORE UPDATE OF `org_id` ON `secrets` WHEN NEW.`org_id` IS NOT OLD.`org_id`
BEGIN
  SELECT RAISE(ABORT, 'refused: repositories of its organization use the secret, or it is restricted to projects of its organization')
  WHERE EXISTS (SELECT 1 FROM `repositories` WHERE `secret_id` = NEW.`id`)
     OR EXISTS (SELECT 1 FROM `secret_projects` WHERE `secret_id` = NEW.`id`);
END;
