-- Deleted accounts, so that a write of an account's records that was already under way when
-- the account was deleted (a credential arriving from an issuer) is refused instead of
-- leaving credentials and private keys nobody can reach or delete.

-- +goose Up
CREATE TABLE wallet_deleted_accounts (
    id         TEXT   NOT NULL PRIMARY KEY,
    deleted_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE wallet_deleted_accounts;
