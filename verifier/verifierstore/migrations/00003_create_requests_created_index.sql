-- The desk's list of its recent requests (RecentRequests): newest first by creation time,
-- ties broken by id, paged by (created_at, id).

-- +goose Up
CREATE INDEX verifier_requests_created ON verifier_requests (created_at, id);

-- +goose Down
DROP INDEX verifier_requests_created;
