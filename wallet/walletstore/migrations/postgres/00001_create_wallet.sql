-- The wallet's tables (wallet.Store and the hosted wallet's accounts). Times are unix
-- milliseconds (UTC), NULL for a zero optional time; slices and display snapshots are JSON
-- text; sealed secrets (AES-256-GCM, see seal.go) are BYTEA here and BLOB on SQLite.
-- Every wallet row carries its owner (the account id, or "local" for the CLI holder). The
-- indexes are in 00002 (shared).

-- +goose Up
CREATE TABLE wallet_credentials (
    owner            TEXT    NOT NULL,
    id               TEXT    NOT NULL,
    ord              INTEGER NOT NULL,
    format           TEXT    NOT NULL,
    issuer           TEXT    NOT NULL,
    configuration_id TEXT    NOT NULL,
    vct              TEXT    NOT NULL,
    types            TEXT    NOT NULL,
    batch_id         TEXT    NOT NULL,
    raw              BYTEA    NOT NULL,
    holder_key       BYTEA,
    received_at      BIGINT  NOT NULL,
    issued_at        BIGINT,
    expires_at       BIGINT,
    status           TEXT,
    display          TEXT    NOT NULL,
    trust            TEXT    NOT NULL,
    PRIMARY KEY (owner, id)
);

CREATE TABLE wallet_pending (
    owner                 TEXT   NOT NULL,
    id                    TEXT   NOT NULL,
    issuer                TEXT   NOT NULL,
    configuration_id      TEXT   NOT NULL,
    format                TEXT   NOT NULL,
    vct                   TEXT   NOT NULL,
    types                 TEXT   NOT NULL,
    transaction_id        TEXT   NOT NULL,
    deferred_endpoint     TEXT   NOT NULL,
    notification_endpoint TEXT   NOT NULL,
    access_token          BYTEA,
    token_type            TEXT   NOT NULL,
    dpop_key              BYTEA,
    holder_keys           BYTEA,
    interval_ns           BIGINT NOT NULL,
    next_poll_at          BIGINT,
    created_at            BIGINT NOT NULL,
    display               TEXT   NOT NULL,
    PRIMARY KEY (owner, id)
);

CREATE TABLE wallet_presentations (
    owner          TEXT   NOT NULL,
    id             TEXT   NOT NULL,
    client_id      TEXT   NOT NULL,
    verifier_name  TEXT   NOT NULL,
    verifier_trust TEXT   NOT NULL,
    response_uri   TEXT   NOT NULL,
    credentials    TEXT   NOT NULL,
    at             BIGINT NOT NULL,
    outcome        TEXT   NOT NULL,
    error          TEXT   NOT NULL,
    PRIMARY KEY (owner, id)
);

CREATE TABLE wallet_accounts (
    id            TEXT   NOT NULL PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

-- id_hash is the hex SHA-256 of the session token; the token itself is never stored.
CREATE TABLE wallet_sessions (
    id_hash    TEXT   NOT NULL PRIMARY KEY,
    account_id TEXT   NOT NULL REFERENCES wallet_accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- One row per failed sign-in per key; key_hash is the hex SHA-256 of "user:" or
-- "client:" followed by the username or client key, so no address is stored in clear.
CREATE TABLE wallet_signin_failures (
    id       TEXT   NOT NULL PRIMARY KEY,
    key_hash TEXT   NOT NULL,
    at       BIGINT NOT NULL
);

-- The key check value: a constant sealed under the wallet key, so that New refuses a wrong
-- key before anything is read or written.
CREATE TABLE wallet_keycheck (
    name  TEXT NOT NULL PRIMARY KEY,
    value BYTEA NOT NULL
);

-- +goose Down
DROP TABLE wallet_keycheck;
DROP TABLE wallet_signin_failures;
DROP TABLE wallet_sessions;
DROP TABLE wallet_accounts;
DROP TABLE wallet_presentations;
DROP TABLE wallet_pending;
DROP TABLE wallet_credentials;
