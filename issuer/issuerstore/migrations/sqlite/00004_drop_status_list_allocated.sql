-- +goose Up
-- RecordIssuance no longer counts each list's entries: updating one counter row serialised
-- every issuance of a tenant. The entries' primary key is what keeps an index from being
-- allocated twice. (The comment on allocated in 00001 describes the old schema.)
ALTER TABLE issuer_status_lists DROP COLUMN allocated;

-- +goose Down
ALTER TABLE issuer_status_lists ADD COLUMN allocated INTEGER NOT NULL DEFAULT 0;
UPDATE issuer_status_lists SET allocated = (
    SELECT COUNT(*) FROM issuer_status_entries e
    WHERE e.tenant = issuer_status_lists.tenant AND e.list_id = issuer_status_lists.id);
