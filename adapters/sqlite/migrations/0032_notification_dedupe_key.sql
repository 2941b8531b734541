-- A notification may carry a key that no other notification has, so that
-- a job run again after a crash finds the notification it created instead
-- of creating a second one.

ALTER TABLE notifications ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX notifications_dedupe_key ON notifications (dedupe_key);
