-- The ICC inventory. An ICC is free while purchase_id is NULL; the partial
-- index serves the "take the oldest free ICC of a kind" query and the count
-- of free eSIMs. A purchase with an ICC cannot be deleted, so that a used
-- ICC never returns to the free stock by accident.

CREATE TABLE iccs (
    id          INTEGER PRIMARY KEY,
    iccid       TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    pdf_key     TEXT NOT NULL DEFAULT '',
    purchase_id INTEGER REFERENCES purchases (id),
    assigned_at TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX iccs_free ON iccs (kind, id) WHERE purchase_id IS NULL;
CREATE INDEX iccs_purchase ON iccs (purchase_id) WHERE purchase_id IS NOT NULL;

-- The state of the low-stock alert on free eSIMs: one row, updated by
-- compare-and-set on version.
CREATE TABLE esim_stock_alert (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    version          INTEGER NOT NULL DEFAULT 0,
    last_alert_at    TEXT,
    last_alert_count INTEGER NOT NULL DEFAULT 0
);
INSERT INTO esim_stock_alert (id) VALUES (1);
