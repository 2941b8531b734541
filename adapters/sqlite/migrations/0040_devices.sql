-- Device catalogue synced from the vendor: devices, their detail, offers
-- (device settings) and the offers' payment plans. Booleans are 0 or 1,
-- amounts are integer cents.

CREATE TABLE devices (
    id      INTEGER PRIMARY KEY,
    alias   TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL DEFAULT '',
    brand   TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX devices_enabled ON devices (enabled);

CREATE TABLE device_details (
    device_id   INTEGER PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    -- specs is a JSON object of strings with sorted keys.
    specs       TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE device_settings (
    id          INTEGER PRIMARY KEY,
    device_id   INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    alias       TEXT NOT NULL,
    color       TEXT NOT NULL DEFAULT '',
    storage_gb  INTEGER NOT NULL DEFAULT 0,
    price_cents INTEGER NOT NULL,
    stock       INTEGER NOT NULL DEFAULT 0,
    enabled     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (device_id, alias)
);

CREATE TABLE device_payments (
    id            INTEGER PRIMARY KEY,
    setting_id    INTEGER NOT NULL REFERENCES device_settings (id) ON DELETE CASCADE,
    plan          TEXT NOT NULL,
    months        INTEGER NOT NULL,
    upfront_cents INTEGER NOT NULL,
    monthly_cents INTEGER NOT NULL,
    UNIQUE (setting_id, plan)
);

-- One row whose update serialises catalogue writers: on PostgreSQL the row
-- lock is held until the transaction ends.
CREATE TABLE device_sync_lock (
    id     INTEGER PRIMARY KEY,
    writes INTEGER NOT NULL DEFAULT 0
);
INSERT INTO device_sync_lock (id, writes) VALUES (1, 0);
