-- Shops and sellers of each channel, keyed by (channel_id, code), with their
-- settings as columns so that an import replaces them in one statement.

CREATE TABLE shops (
    id                   INTEGER PRIMARY KEY,
    channel_id           INTEGER NOT NULL REFERENCES channels (id),
    code                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    enabled              BOOLEAN NOT NULL DEFAULT TRUE,
    email                TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    postal_code          TEXT NOT NULL DEFAULT '',
    address              TEXT NOT NULL DEFAULT '',
    city                 TEXT NOT NULL DEFAULT '',
    province             TEXT NOT NULL DEFAULT '',
    shop_code            TEXT NOT NULL DEFAULT '',
    sale_types           TEXT NOT NULL DEFAULT '',
    max_discount_percent INTEGER NOT NULL DEFAULT 0,
    can_sell_devices     BOOLEAN NOT NULL DEFAULT FALSE,
    esim_allowed         BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at           TEXT NOT NULL,
    UNIQUE (channel_id, code)
);
CREATE INDEX shops_channel_enabled ON shops (channel_id, enabled);

CREATE TABLE sellers (
    id                   INTEGER PRIMARY KEY,
    channel_id           INTEGER NOT NULL REFERENCES channels (id),
    code                 TEXT NOT NULL,
    name                 TEXT NOT NULL,
    enabled              BOOLEAN NOT NULL DEFAULT TRUE,
    email                TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    postal_code          TEXT NOT NULL DEFAULT '',
    address              TEXT NOT NULL DEFAULT '',
    city                 TEXT NOT NULL DEFAULT '',
    province             TEXT NOT NULL DEFAULT '',
    shop_code            TEXT NOT NULL DEFAULT '',
    sale_types           TEXT NOT NULL DEFAULT '',
    max_discount_percent INTEGER NOT NULL DEFAULT 0,
    can_sell_devices     BOOLEAN NOT NULL DEFAULT FALSE,
    esim_allowed         BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at           TEXT NOT NULL,
    UNIQUE (channel_id, code)
);
CREATE INDEX sellers_channel_enabled ON sellers (channel_id, enabled);
