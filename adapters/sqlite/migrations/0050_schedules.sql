-- Scheduler: the schedules and the slots they have fired.
-- Times are UTC text in the fixed-width format 2006-01-02T15:04:05.000000Z.

CREATE TABLE schedules (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL UNIQUE,
    enabled              BOOLEAN NOT NULL DEFAULT 1,
    -- Local times of day, "HH:MM" joined by commas, such as "07:00,19:30".
    times                TEXT NOT NULL,
    time_zone            TEXT NOT NULL,
    action               TEXT NOT NULL,
    -- The action's parameters, a JSON object.
    parameters           TEXT NOT NULL DEFAULT '{}',
    grace_period_seconds INTEGER NOT NULL DEFAULT 3600,
    executed_at          TEXT,
    last_checked_at      TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX schedules_enabled ON schedules (id) WHERE enabled;

-- One row per fired slot. The unique key lets only one scheduler fire a
-- slot, because the row is written in the transaction that enqueues the
-- slot's job.
CREATE TABLE schedule_slots (
    id          INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    slot_at     TEXT NOT NULL,
    -- The nominal local date and time, such as "2025-03-30 02:30".
    nominal     TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    UNIQUE (schedule_id, slot_at)
);
