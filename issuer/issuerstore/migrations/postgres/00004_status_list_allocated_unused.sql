-- +goose Up
-- RecordIssuance no longer counts each list's entries: updating one counter row serialised
-- every issuance of a tenant. The entries' primary key is what keeps an index from being
-- allocated twice. Replicas of the previous release, still running during a rolling upgrade,
-- read and update allocated, so the column stays until a later release drops it; it gets a
-- default because this release does not write it. Their count lags meanwhile: their
-- allocations stay distinct (the primary key), but one that reaches the end of a list fails
-- instead of starting the next list, until it is replaced.
ALTER TABLE issuer_status_lists ALTER COLUMN allocated SET DEFAULT 0;

-- +goose Down
ALTER TABLE issuer_status_lists ALTER COLUMN allocated DROP DEFAULT;
UPDATE issuer_status_lists SET allocated = (
    SELECT COUNT(*) FROM issuer_status_entries e
    WHERE e.tenant = issuer_status_lists.tenant AND e.list_id = issuer_status_lists.id);
