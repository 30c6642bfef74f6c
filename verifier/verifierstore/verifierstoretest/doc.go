// Package verifierstoretest is the behaviour suite of verifier.Store: [Run] checks every
// method and its error contract (storeerr.ErrNotFound, ErrConflict, ErrExpired, a replayed
// presentation digest as *verifier.UsedError), the uniqueness of id, state and encryption
// kid, the single transition of a request from pending (one winner among concurrent
// completions, nothing written by a refused one), the webhook outbox (due, leased,
// retried, delivered, given up), and the list of recent requests (newest first, ties by id,
// keyset pages that neither skip nor repeat a request).
//
// Store implementations run it against each database they support, e.g.
//
//	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
//		s, err := verifierstore.New(t.Context(), db)
//		...
//		verifierstoretest.Run(t, s)
//	})
//
// The suite does not cover what the contract leaves to the implementation: argument
// validation, durability across restarts, and Sweep; the implementation's own tests do.
package verifierstoretest
