-- The pool of promotion codes. A code is free while document_number is
-- NULL. The partial unique index makes sure that one document never holds
-- two codes of one kind, whoever assigns them.

CREATE TABLE promotion_codes (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    document_type   TEXT,
    document_number TEXT,
    assigned_at     TEXT,
    assigned_by     TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    CHECK ((document_type IS NULL) = (document_number IS NULL))
);
CREATE UNIQUE INDEX promotion_codes_document ON promotion_codes (kind, document_type, document_number)
    WHERE document_number IS NOT NULL;
CREATE INDEX promotion_codes_free ON promotion_codes (kind, id) WHERE document_number IS NULL;
