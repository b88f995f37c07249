-- Every update of a row that If-Match can name raises its version by one (the column of migration
-- 0016), whatever statement updated it: the ETag of the row's GET carries the version, and a write
-- with If-Match checks it (db/preconditions.ts). WHEN: a statement that sets the version itself is
-- left alone (and the trigger's own UPDATE does not fire it again).
CREATE TRIGGER `organizations_version` AFTER UPDATE ON `organizations` FOR EACH ROW WHEN NEW.`version` = OLD.`version`
BEGIN
  UPDATE `organizations` SET `version` = OLD.`version` + 1 WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `projects_version` AFTER UPDATE ON `projects` FOR EACH ROW WHEN NEW.`version` = OLD.`version`
BEGIN
  UPDATE `projects` SET `version` = OLD.`version` + 1 WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `secrets_version` AFTER UPDATE ON `secrets` FOR EACH ROW WHEN NEW.`version` = OLD.`version`
BEGIN
  UPDATE `secrets` SET `version` = OLD.`version` + 1 WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `json_stores_version` AFTER UPDATE ON `json_stores` FOR EACH ROW WHEN NEW.`version` = OLD.`version`
BEGIN
  UPDATE `json_stores` SET `version` = OLD.`version` + 1 WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `json_store_items_version` AFTER UPDATE ON `json_store_items` FOR EACH ROW WHEN NEW.`version` = OLD.`version`
BEGIN
  UPDATE `json_store_items` SET `version` = OLD.`version` + 1 WHERE `store_id` = NEW.`store_id` AND `path` = NEW.`path`;
END;
