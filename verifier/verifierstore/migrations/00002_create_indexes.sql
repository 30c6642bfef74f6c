-- Indexes for the lookup paths of verifier.Store that the primary keys do not cover.

-- +goose Up
-- RequestByState: state is unique across requests.
CREATE UNIQUE INDEX verifier_requests_state ON verifier_requests (state);
-- RequestByKeyID: the kid of a direct_post.jwt request (NULL for direct_post).
CREATE UNIQUE INDEX verifier_requests_kid ON verifier_requests (encryption_kid);
-- Sweep: requests past their expiry.
CREATE INDEX verifier_requests_expires ON verifier_requests (expires_at);
-- ClaimWebhooks: due entries, oldest first.
CREATE INDEX verifier_webhooks_due ON verifier_webhooks (next_attempt_at, created_at);
-- The foreign key from webhooks, and cleanup by request.
CREATE INDEX verifier_webhooks_request ON verifier_webhooks (request_id);

-- +goose Down
DROP INDEX verifier_webhooks_request;
DROP INDEX verifier_webhooks_due;
DROP INDEX verifier_requests_expires;
DROP INDEX verifier_requests_kid;
DROP INDEX verifier_requests_state;
