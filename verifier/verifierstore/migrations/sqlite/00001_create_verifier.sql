-- The verifier's tables (verifier.Store). Times are unix milliseconds (UTC), NULL for a zero
-- time; binary data is BLOB here and BYTEA on PostgreSQL. The indexes are in 00002 (shared).

-- +goose Up
-- One row per presentation request. encryption_key is the ephemeral ECDH-ES private key of a
-- direct_post.jwt request (PKCS #8 DER, not encrypted at rest); response_code_hash is the
-- SHA-256 of the same-device response_code. status moves once from pending to verified,
-- rejected or declined (CompleteRequest); expired is derived from expires_at.
CREATE TABLE verifier_requests (
    id                       TEXT    NOT NULL PRIMARY KEY,
    state                    TEXT    NOT NULL,
    nonce                    TEXT    NOT NULL,
    client_id                TEXT    NOT NULL,
    response_mode            TEXT    NOT NULL,
    request_uri_method       TEXT    NOT NULL,
    dcql_query               BLOB    NOT NULL,
    policy                   TEXT    NOT NULL,
    same_device              BOOLEAN NOT NULL,
    encryption_key           BLOB,
    encryption_kid           TEXT,
    status                   TEXT    NOT NULL,
    created_at               BIGINT  NOT NULL,
    expires_at               BIGINT  NOT NULL,
    completed_at             BIGINT,
    result                   BLOB,
    wallet_error             TEXT    NOT NULL,
    wallet_error_description TEXT    NOT NULL,
    response_code_hash       BLOB
);

-- The webhook outbox: one row per result notification, inserted with the result.
CREATE TABLE verifier_webhooks (
    id              TEXT    NOT NULL PRIMARY KEY,
    request_id      TEXT    NOT NULL REFERENCES verifier_requests (id),
    url             TEXT    NOT NULL,
    payload         BLOB    NOT NULL,
    created_at      BIGINT  NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    delivered_at    BIGINT,
    gave_up         BOOLEAN NOT NULL,
    last_error      TEXT    NOT NULL
);

-- +goose Down
DROP TABLE verifier_webhooks;
DROP TABLE verifier_requests;
