// Package issuerstore implements issuer.Store over SQLite and PostgreSQL (internal/sqldb).
//
// [New] runs the embedded goose migrations (migrations/: tables in sqlite/ and postgres/
// variants, which differ only in BLOB versus BYTEA; indexes shared) under the store name
// "issuer", and those of sqldb.SingleUse, which holds c_nonce values (kind
// [KindCNonce]) and DPoP proof jti values (kind [KindDPoPJTI], value jkt:jti) as SHA-256
// hashes with their expiry.
//
// Every method runs exactly one sqldb transaction, which retries on SQLite busy and
// PostgreSQL serialization failures and deadlocks; callbacks (RedeemOffer's decide) may
// therefore run more than once. Reads run in read-only transactions (REPEATABLE READ on
// PostgreSQL, so StatusList sees one snapshot). Errors wrap sqldb.ErrNotFound,
// sqldb.ErrConflict, sqldb.ErrExpired or sqldb.ErrBusy as issuer.Store documents, and
// sqldb.ErrInvalid for arguments refused before touching the database (empty keys, zero
// times, audit events without time, actor or action or naming another tenant).
//
// Schema in brief: issuer_graduates (tenant, id); issuer_offers (id; unique
// pre_authorized_code); issuer_access_tokens (hash); issuer_token_usage (token hash,
// configuration id), which makes a second issuance for the same pair a conflict;
// issuer_status_lists (tenant, id: size, version, updated) and
// issuer_status_entries (tenant, list id, index: status, issuance id);
// issuer_issuances (tenant, id; unique tenant, list, index); issuer_deferred (transaction
// id); issuer_audit (random id; tenant, at). Times are BIGINT unix milliseconds (NULL for
// a zero optional time), string and key slices are JSON text, records are BLOB/BYTEA.
//
// Concurrency: RedeemOffer locks the offer row (SELECT ... FOR UPDATE on PostgreSQL; the
// write transaction on SQLite), so concurrent redemptions of one code see each other's
// changes. RecordIssuance allocates status-list indexes at random; the entries' primary key
// (tenant, list, index) is what keeps an index from being allocated twice. On PostgreSQL it
// takes no lock on the list while random draws succeed, so issuances in one tenant do not
// wait for each other; when the list is missing, small or crowded it runs again under a
// per-tenant transaction advisory lock, and only then is the next list started. On SQLite
// the write transaction is that lock.
//
// What this package does not do: it does not check expiry of offers, tokens or deferred
// transactions (the issuer core compares times; Sweep deletes expired tokens and
// single-use values), it does not encrypt data at rest (graduate and offer records are
// stored as given), it does not hash pre-authorized codes or tx_codes (the core needs them
// to render offers and compare codes), and it does not sweep by itself.
package issuerstore
