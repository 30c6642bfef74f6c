// Package verifierstore implements verifier.Store over SQLite and PostgreSQL (internal/sqldb).
//
// [New] runs the embedded goose migrations (migrations/: tables in sqlite/ and postgres/
// variants, which differ only in BLOB versus BYTEA; indexes shared) under the store name
// "verifier", and those of sqldb.SingleUse, which holds the presentation digests of
// responses (kind verifier.UsePresentation) as SHA-256 hashes with their expiry.
//
// Every method runs exactly one sqldb transaction, which retries on SQLite busy and
// PostgreSQL serialization failures and deadlocks. Errors wrap sqldb.ErrNotFound,
// sqldb.ErrConflict, sqldb.ErrExpired or sqldb.ErrBusy as verifier.Store documents (a
// remembered presentation digest is a *verifier.UsedError), and sqldb.ErrInvalid for
// arguments refused before touching the database.
//
// Schema in brief: verifier_requests (id; unique state; unique encryption_kid, NULL for
// direct_post) holds the request, its nonce, DCQL query, desk policy name, ephemeral
// encryption key, status, the Result as JSON and the SHA-256 of the same-device
// response_code, indexed by (created_at, id) for RecentRequests, the desk's list of its
// requests (newest first, keyset-paginated: a page starts after the creation time and id of
// the previous page's last row); verifier_webhooks (id; request_id) is the outbox of result
// notifications. Times are BIGINT unix milliseconds (NULL for a zero optional time).
//
// Single use: a request's state and nonce are used up by its one transition from pending
// (CompleteRequest locks the row: SELECT ... FOR UPDATE on PostgreSQL, the write transaction
// on SQLite); presentation digests are remembered with sqldb.RememberTx in that same
// transaction, so a vp_token replayed to a second request is refused on every replica.
// ClaimWebhooks leases due entries (FOR UPDATE SKIP LOCKED on PostgreSQL), so replicas do
// not send one entry at the same time.
//
// What this package does not do: it does not encrypt data at rest (the ephemeral ECDH-ES
// private keys of pending direct_post.jwt requests and the results are stored as given;
// CompleteRequest clears a request's key, and the key of an unanswered request is useless
// once the request has expired), and it does not sweep by itself (run Sweep periodically).
package verifierstore
