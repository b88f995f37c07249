-- The substring index of org names (org_name_trigrams, org_trigram_counts: src/db/schema.ts) is kept
-- by these triggers, inside the statement that creates, renames or deletes an org. The count under
-- the empty trigram '' is the number of orgs. The trigrams of a name are the distinct
-- substr(lower(name), n, 3) for n = 1 .. length - 2 (names are 3 to 128 characters). The positions
-- come from a table of the numbers 1..126 (triggers may not use a recursive CTE, and json_each would
-- read all 126 values for every name: D1 bills rows read).
CREATE TABLE `trigram_positions` (`n` INTEGER PRIMARY KEY NOT NULL);
--> statement-breakpoint
INSERT INTO `trigram_positions` (`n`) SELECT `value` FROM json_each('[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100,101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119,120,121,122,123,124,125,126]');
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
