-- Leads and the result of their last coverage check.

CREATE TABLE leads (
    id             INTEGER PRIMARY KEY,
    address_code   TEXT NOT NULL DEFAULT '',
    -- has_coverage is NULL until checked, then 0 or 1.
    has_coverage   INTEGER,
    technology     TEXT NOT NULL DEFAULT '',
    max_speed_mbps INTEGER NOT NULL DEFAULT 0,
    checked_at     TEXT,
    created_at     TEXT NOT NULL
);
