// Package walletstore implements wallet.Store over SQLite and PostgreSQL (internal/sqldb)
// with encryption at rest, and stores the accounts, sessions and failed sign-ins of the
// hosted wallet. It also hashes passwords (argon2id) and loads the wallet key.
//
// [New] runs the embedded goose migrations (migrations/: tables in sqlite/ and postgres/
// variants, which differ only in BLOB versus BYTEA; indexes shared) under the store name
// "wallet". Every method runs one sqldb transaction, which retries on SQLite busy and
// PostgreSQL serialization failures and deadlocks. Errors wrap sqldb.ErrNotFound (also for a
// record of another owner), sqldb.ErrConflict, sqldb.ErrExpired or sqldb.ErrBusy as
// wallet.Store documents (these are the internal/storeerr values), and sqldb.ErrInvalid for
// arguments refused before touching the database (empty or over-long ids, a credential of
// another owner, zero times, oversized secrets; see limits.go).
//
// Encryption at rest: every wallet.Secret (Credential.Raw and HolderKey; PendingIssuance
// AccessToken, DPoPKey and HolderKeys) is sealed with AES-256-GCM under the 32-byte wallet
// key given to New (see [LoadKey]), with a fresh random 96-bit nonce per value. The sealed
// form is a version byte (1), a 4-byte key id (HMAC-SHA256 of a label under the key), the
// nonce and the ciphertext with its tag; the additional data binds it to its table, owner,
// record id and column, so a ciphertext copied to another row, owner or column fails to
// open ([ErrCorrupt]). A value sealed under another key fails with [ErrWrongKey], and New
// itself fails with ErrWrongKey when the database was first opened with another key (a
// sealed key check value in wallet_keycheck). The key id and version leave room for key
// rotation: a later version can open values by key id with old keys and re-seal them;
// rotation is not implemented. Random 96-bit nonces keep AES-GCM safe for about 2^32
// sealed values per key. Metadata (issuer, types, display, trust summaries, times, the
// presentation history) is stored in clear, so lists and cards need no decryption;
// Credentials and PendingIssuances do open every secret they return.
//
// Accounts (issue 6 item 1; wallet/wallethttp declares the subset it uses as an
// interface): [Store.CreateAccount], [Store.AccountByUsername], [Store.Account],
// [Store.SetPasswordHash]; sessions with 256-bit random tokens stored as SHA-256 hashes
// ([Store.CreateSession], [Store.Session], [Store.DeleteSession], [Store.DeleteSessions]);
// failed sign-in counting by username and by client key over a time window
// ([Store.RecordFailedSignIn], [Store.FailedSignIns], [Store.ClearFailedSignIns]); and
// [Store.DeleteAccount], which deletes the account, its sessions and failures and every
// credential, holder key, pending issuance and history entry of the owner in one
// transaction. The account id is the owner id of the account's wallet records. Passwords
// are hashed with [HashPassword] (argon2id, m=19 MiB, t=2, p=1, PHC string) and checked
// with [CheckPassword] in constant time.
//
// Schema in brief: wallet_credentials, wallet_pending, wallet_presentations (owner, id);
// wallet_accounts (id; unique username); wallet_sessions (token hash; account id);
// wallet_signin_failures (random id; key hash, at); wallet_keycheck (name). Times are
// BIGINT unix milliseconds (NULL for a zero optional time) and come back in UTC, truncated
// to the millisecond; PendingIssuance.Interval is stored in nanoseconds; slices and display
// snapshots are JSON text. Record ids are per owner: the same id under two owners is two
// records, and a conflict never reveals another owner's ids. An empty secret reads back as
// nil.
//
// What this package does not do: it does not rotate or re-seal under a new key, does not
// encrypt metadata or the presentation history, does not decide rate limits (the caller
// compares FailedSignIns with its thresholds), does not normalise usernames (the caller
// does), does not issue CSRF tokens or cookies (wallet/wallethttp does), does not sweep by
// itself ([Store.Sweep]), and does not stop a wallet write that is already in flight from
// landing after DeleteAccount (the caller stops serving the account first).
package walletstore
