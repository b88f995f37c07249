-- Custom SQL migration file, put your code below! --
-- Concord stores usernames lower-cased; existing rows follow. The unique index on lower(username)
-- guarantees no two rows collide.
UPDATE `users` SET `username` = lower(`username`) WHERE `username` <> lower(`username`);
