// Package walletstoretest is the behaviour suite of wallet.Store and of the hosted
// wallet's account storage. [Run] checks every wallet.Store method and its error contract
// (storeerr.ErrNotFound for a missing record and for a record of another owner,
// storeerr.ErrConflict for an existing id), owner isolation (ids are per owner: another
// owner's record is never returned, changed, deleted or reported as a conflict), the
// atomicity of SaveCredentials (all or nothing, together with resolving its pending
// issuance, with one winner among concurrent resolvers), exact round trips of every field
// including the secrets, and the list orders. [RunAccounts] checks accounts, sessions,
// failed sign-in counting and DeleteAccount through the [AccountStore] methods.
//
// Store implementations run it against each database they support, e.g.
//
//	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
//		s, err := walletstore.New(t.Context(), db, key)
//		...
//		walletstoretest.Run(t, s)
//		walletstoretest.RunAccounts(t, s)
//	})
//
// The suite does not cover what only the implementation can see: encryption at rest, the
// rows left in the database after DeleteAccount, durability across restarts, argument
// validation and Sweep; walletstore's own tests do.
package walletstoretest
