-- Indexes of the wallet's tables (00001). The (owner, ...) ones serve the per-owner lists
-- and DeleteAccount.

-- +goose Up
CREATE INDEX wallet_credentials_owner_received ON wallet_credentials (owner, received_at, ord, id);
CREATE INDEX wallet_pending_owner_created ON wallet_pending (owner, created_at, id);
CREATE INDEX wallet_presentations_owner_at ON wallet_presentations (owner, at, id);
CREATE INDEX wallet_sessions_account ON wallet_sessions (account_id);
CREATE INDEX wallet_sessions_expires ON wallet_sessions (expires_at);
CREATE INDEX wallet_signin_failures_key_at ON wallet_signin_failures (key_hash, at);
CREATE INDEX wallet_signin_failures_at ON wallet_signin_failures (at);

-- +goose Down
DROP INDEX wallet_signin_failures_at;
DROP INDEX wallet_signin_failures_key_at;
DROP INDEX wallet_sessions_expires;
DROP INDEX wallet_sessions_account;
DROP INDEX wallet_presentations_owner_at;
DROP INDEX wallet_pending_owner_created;
DROP INDEX wallet_credentials_owner_received;
