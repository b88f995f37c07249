-- The substring index of org names (org_name_trigrams, org_trigram_counts: src/db/schema.ts) is kept
-- by these triggers, inside the statement that creates, renames or deletes an org. The count under
-- the empty trigram '' is the number of orgs. The trigrams of a name are the distinct
-- substr(lower(name), n, 3) for n = 1 .. length - 2. The positions come from a table of the numbers
-- 1..1022 (names are at most 128 characters today; the margin keeps a longer name fully indexed).
-- Triggers may not use a recursive CTE, and json_each would read all its values for every name
-- (D1 bills rows read); the table is read only up to the name's length.
CREATE TABLE `trigram_positions` (`n` INTEGER PRIMARY KEY NOT NULL);
--> statement-breakpoint
INSERT INTO `trigram_positions` (`n`)
  WITH RECURSIVE `seq`(`n`) AS (SELECT 1 UNION ALL SELECT `n` + 1 FROM `seq` WHERE `n` < 1022) SELECT `n` FROM `seq`;
--> statement-breakpoint
CREATE TRIGGER `org_name_trigrams_insert` AFTER INSERT ON `organizations`
BEGIN
  INSERT INTO `org_name_trigrams` (`trigram`, `org_id`)
    SELECT DISTINCT substr(lower(NEW.`name`), `n`, 3), NEW.`id` FROM `trigram_positions`
    WHERE `n` <= length(NEW.`name`) - 2;
  INSERT INTO `org_trigram_counts` (`trigram`, `orgs`)
    SELECT DISTINCT substr(lower(NEW.`name`), `n`, 3), 1 FROM `trigram_positions`
    WHERE `n` <= length(NEW.`name`) - 2
    ON CONFLICT (`trigram`) DO UPDATE SET `orgs` = `orgs` + 1;
  INSERT INTO `org_trigram_counts` (`trigram`, `orgs`) VALUES ('', 1)
    ON CONFLICT (`trigram`) DO UPDATE SET `orgs` = `orgs` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `org_name_trigrams_delete` AFTER DELETE ON `organizations`
BEGIN
  DELETE FROM `org_name_trigrams` WHERE `org_id` = OLD.`id` AND `trigram` IN
    (SELECT substr(lower(OLD.`name`), `n`, 3) FROM `trigram_positions` WHERE `n` <= length(OLD.`name`) - 2);
  UPDATE `org_trigram_counts` SET `orgs` = `orgs` - 1 WHERE `trigram` IN
    (SELECT substr(lower(OLD.`name`), `n`, 3) FROM `trigram_positions` WHERE `n` <= length(OLD.`name`) - 2);
  UPDATE `org_trigram_counts` SET `orgs` = `orgs` - 1 WHERE `trigram` = '';
END;
--> statement-breakpoint
-- A rename that changes more than letter case: the old name's trigrams out, the new name's in.
CREATE TRIGGER `org_name_trigrams_rename` AFTER UPDATE OF `name` ON `organizations`
WHEN lower(OLD.`name`) <> lower(NEW.`name`)
BEGIN
  DELETE FROM `org_name_trigrams` WHERE `org_id` = OLD.`id` AND `trigram` IN
    (SELECT substr(lower(OLD.`name`), `n`, 3) FROM `trigram_positions` WHERE `n` <= length(OLD.`name`) - 2);
  UPDATE `org_trigram_counts` SET `orgs` = `orgs` - 1 WHERE `trigram` IN
    (SELECT substr(lower(OLD.`name`), `n`, 3) FROM `trigram_positions` WHERE `n` <= length(OLD.`name`) - 2);
  INSERT INTO `org_name_trigrams` (`trigram`, `org_id`)
    SELECT DISTINCT substr(lower(NEW.`name`), `n`, 3), NEW.`id` FROM `trigram_positions`
    WHERE `n` <= length(NEW.`name`) - 2;
  INSERT INTO `org_trigram_counts` (`trigram`, `orgs`)
    SELECT DISTINCT substr(lower(NEW.`name`), `n`, 3), 1 FROM `trigram_positions`
    WHERE `n` <= length(NEW.`name`) - 2
    ON CONFLICT (`trigram`) DO UPDATE SET `orgs` = `orgs` + 1;
END;
--> statement-breakpoint
-- The orgs that exist already.
INSERT INTO `org_name_trigrams` (`trigram`, `org_id`)
  SELECT DISTINCT substr(lower(`organizations`.`name`), `n`, 3), `organizations`.`id` FROM `organizations`, `trigram_positions`
  WHERE `n` <= length(`organizations`.`name`) - 2;
--> statement-breakpoint
INSERT INTO `org_trigram_counts` (`trigram`, `orgs`)
  SELECT `trigram`, count(*) FROM `org_name_trigrams` WHERE true GROUP BY `trigram`;
--> statement-breakpoint
INSERT INTO `org_trigram_counts` (`trigram`, `orgs`) SELECT '', count(*) FROM `organizations`;
