-- +goose Up
-- Deployment-wide secrets shared by every replica (the c_nonce HMAC key).
CREATE TABLE issuer_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- +goose Down
DROP TABLE issuer_secrets;
