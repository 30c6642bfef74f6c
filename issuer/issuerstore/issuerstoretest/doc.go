// Package issuerstoretest is the behaviour suite of issuer.Store: [Run] checks every method
// and its error contract (sqldb.ErrNotFound, ErrConflict, ErrExpired; another tenant's row
// is not found), the concurrency guarantees (one winner among concurrent redemptions of a
// code, wrong tx_code attempts counted across calls, no status-list index allocated twice,
// one issuance per access token and configuration), status-list rollover and version bumps,
// notification idempotence and the audit log.
//
// Store implementations run it against each database they support, e.g.
//
//	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
//		s, err := issuerstore.New(t.Context(), db)
//		...
//		issuerstoretest.Run(t, s)
//	})
//
// The suite does not cover what the contract leaves to the implementation: argument
// validation, durability across restarts, and Sweep; the implementation's own tests do.
package issuerstoretest
