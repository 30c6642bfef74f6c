-- Single-use values with expiry (nonces, DPoP jti, OID4VP state). See singleuse.go.
-- value_hash is SHA-256(value); expires_at is unix milliseconds.

-- +goose Up
CREATE TABLE single_use (
    kind       TEXT   NOT NULL,
    value_hash BYTEA  NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (kind, value_hash)
);
CREATE INDEX single_use_expires_at ON single_use (expires_at);

-- +goose Down
DROP TABLE single_use;
