-- Core tables: channels, alarms, audit trail, purchases, activation data.
-- Times are UTC text in the fixed-width format 2006-01-02T15:04:05.000000Z.

CREATE TABLE channels (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE alarms (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    message      TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '',
    started_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    occurrences  INTEGER NOT NULL DEFAULT 1,
    resolved_at  TEXT
);
CREATE UNIQUE INDEX alarms_open_name ON alarms (name) WHERE resolved_at IS NULL;

CREATE TABLE audit_entries (
    id      INTEGER PRIMARY KEY,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    object  TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL
);
CREATE INDEX audit_entries_object ON audit_entries (object);

CREATE TABLE purchases (
    id              INTEGER PRIMARY KEY,
    channel_id      INTEGER REFERENCES channels (id),
    type            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    delivery_type   TEXT NOT NULL DEFAULT '',
    error_code      TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    icc_code        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX purchases_status_last_attempt ON purchases (status, last_attempt_at);
CREATE INDEX purchases_created_at ON purchases (created_at);

CREATE TABLE activation_data (
    id              INTEGER PRIMARY KEY,
    icc             TEXT NOT NULL,
    msisdn          TEXT NOT NULL DEFAULT '',
    document        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT '',
    retries         INTEGER NOT NULL DEFAULT 0,
    last_retry_date TEXT NOT NULL,
    error           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX activation_data_last_retry_date ON activation_data (last_retry_date);
