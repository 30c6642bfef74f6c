-- The issuer's tables (issuer.Store). Times are unix milliseconds (UTC), NULL for a zero
-- time; slices are JSON text; binary data is BYTEA here and BLOB on SQLite. Every row
-- carries its tenant. The indexes are in 00002 (shared).

-- +goose Up
CREATE TABLE issuer_graduates (
    tenant     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    record     BYTEA   NOT NULL,
    approved   BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE issuer_offers (
    id                  TEXT    NOT NULL PRIMARY KEY,
    tenant              TEXT    NOT NULL,
    configuration_ids   TEXT    NOT NULL,
    graduate_id         TEXT    NOT NULL,
    record              BYTEA   NOT NULL,
    approved            BOOLEAN NOT NULL,
    pre_authorized_code TEXT    NOT NULL,
    tx_code             TEXT    NOT NULL,
    tx_code_attempts    INTEGER NOT NULL,
    state               TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT,
    redeemed_at         BIGINT
);

CREATE TABLE issuer_access_tokens (
    hash              TEXT   NOT NULL PRIMARY KEY,
    tenant            TEXT   NOT NULL,
    offer_id          TEXT   NOT NULL REFERENCES issuer_offers (id),
    configuration_ids TEXT   NOT NULL,
    jkt               TEXT   NOT NULL,
    issued_at         BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL
);

-- One row per (access token, credential configuration) that has been issued: the second
-- issuance for the same pair fails on the primary key.
CREATE TABLE issuer_token_usage (
    token_hash       TEXT   NOT NULL,
    configuration_id TEXT   NOT NULL,
    tenant           TEXT   NOT NULL,
    used_at          BIGINT NOT NULL,
    PRIMARY KEY (token_hash, configuration_id)
);

-- allocated counts the entries of the list, so that RecordIssuance need not count them.
CREATE TABLE issuer_status_lists (
    tenant    TEXT    NOT NULL,
    id        INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    allocated INTEGER NOT NULL,
    version   BIGINT  NOT NULL,
    updated   BIGINT  NOT NULL,
    PRIMARY KEY (tenant, id)
);

CREATE TABLE issuer_status_entries (
    tenant      TEXT    NOT NULL,
    list_id     INTEGER NOT NULL,
    idx         INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    issuance_id TEXT    NOT NULL,
    PRIMARY KEY (tenant, list_id, idx),
    FOREIGN KEY (tenant, list_id) REFERENCES issuer_status_lists (tenant, id)
);

CREATE TABLE issuer_issuances (
    tenant           TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    offer_id         TEXT    NOT NULL,
    graduate_id      TEXT    NOT NULL,
    configuration_id TEXT    NOT NULL,
    status_list      INTEGER NOT NULL,
    status_index     INTEGER NOT NULL,
    status           INTEGER NOT NULL,
    notification_id  TEXT    NOT NULL,
    event            TEXT    NOT NULL,
    holder_jkt       TEXT    NOT NULL,
    issued_at        BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, status_list, status_index)
);

CREATE TABLE issuer_deferred (
    transaction_id   TEXT   NOT NULL PRIMARY KEY,
    tenant           TEXT   NOT NULL,
    token_hash       TEXT   NOT NULL,
    offer_id         TEXT   NOT NULL,
    configuration_id TEXT   NOT NULL,
    holder_keys      TEXT   NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT
);

-- id is random (generated in Go); events are ordered by at, then id.
CREATE TABLE issuer_audit (
    id     TEXT   NOT NULL PRIMARY KEY,
    tenant TEXT   NOT NULL,
    at     BIGINT NOT NULL,
    actor  TEXT   NOT NULL,
    action TEXT   NOT NULL,
    object TEXT   NOT NULL,
    detail TEXT   NOT NULL
);

-- +goose Down
DROP TABLE issuer_audit;
DROP TABLE issuer_deferred;
DROP TABLE issuer_issuances;
DROP TABLE issuer_status_entries;
DROP TABLE issuer_status_lists;
DROP TABLE issuer_token_usage;
DROP TABLE issuer_access_tokens;
DROP TABLE issuer_offers;
DROP TABLE issuer_graduates;
