-- Notification templates, notifications and their attachments.
-- Times are UTC text in the fixed-width format 2006-01-02T15:04:05.000000Z.

CREATE TABLE notification_templates (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    subject    TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    html_body  TEXT NOT NULL DEFAULT '',
    sender     TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    template_name TEXT NOT NULL,
    channel       TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient     TEXT NOT NULL,
    context       TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL CHECK (status IN ('pending', 'consumed', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    sent_at       TEXT,
    created_at    TEXT NOT NULL,
    encoding      TEXT NOT NULL DEFAULT '',
    segments      INTEGER NOT NULL DEFAULT 0,
    provider_id   TEXT NOT NULL DEFAULT '',
    claimed_until TEXT
);
CREATE INDEX notifications_status_created_at ON notifications (status, created_at);

CREATE TABLE notification_attachments (
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    filename        TEXT NOT NULL,
    content_type    TEXT NOT NULL DEFAULT '',
    content         BLOB NOT NULL,
    PRIMARY KEY (notification_id, position)
);
