// Package sqldb is the database plumbing under every service's store: it opens embedded
// SQLite or PostgreSQL from one DSN, runs each store's embedded migrations, runs
// transactions that retry on contention, translates driver errors into sentinels, keeps the
// few differences between the two databases in one place, and provides SingleUse, the table
// of single-use values with expiry (nonces, DPoP jti, OpenID4VP state) that all three
// services need.
//
// The domain packages (issuer, wallet, verifier) do not import sqldb; they declare narrow
// Store interfaces and document that "not found" is reported with an error wrapping
// [ErrNotFound]. Each service's store package (issuer/issuerstore, wallet/walletstore,
// verifier/verifierstore) implements its interface once, over this package, for both
// databases. A store package typically looks like this:
//
//	//go:embed migrations
//	var migrations embed.FS // migrations/00001_init.sql, migrations/sqlite/..., migrations/postgres/...
//
//	func New(ctx context.Context, db *sqldb.DB) (*Store, error) {
//		sub, err := fs.Sub(migrations, "migrations")
//		if err != nil {
//			return nil, err
//		}
//		if err := db.Migrate(ctx, "issuer", sub); err != nil {
//			return nil, err
//		}
//		return &Store{db: db}, nil
//	}
//
//	func (s *Store) RedeemOffer(ctx context.Context, id string, now time.Time) (issuer.Offer, error) {
//		var o issuer.Offer
//		err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
//			o = issuer.Offer{} // fn may run again: reset what it fills
//			return tx.QueryRowContext(ctx,
//				"UPDATE issuer_offers SET used = TRUE WHERE id = ? AND used = FALSE AND expires_at > ? RETURNING subject",
//				id, sqldb.Millis(now)).Scan(&o.Subject)
//		})
//		return o, err // wraps sqldb.ErrNotFound when no live, unused offer matched
//	}
//
// and its behaviour suite runs on both databases with
// sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) { ... }).
//
// Conventions (details in dialect.go): write SQL with "?" placeholders; store instants as
// BIGINT unix milliseconds via [Millis] and [FromMillis]; pass now in, never call now() in
// SQL; use BLOB/BYTEA only in dialect-specific migrations.
//
// What this package does not do: it does not decide what is stored (the store packages do),
// it does not encrypt data at rest (walletstore encrypts what it stores), it does not retry
// statements run outside Tx, and it does not coordinate several processes writing the same
// SQLite file beyond SQLite's own locking (one process per SQLite file; use PostgreSQL to run
// replicas).
package sqldb
