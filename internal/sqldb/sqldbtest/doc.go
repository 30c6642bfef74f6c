// Package sqldbtest runs a store's tests against both databases sqldb supports.
//
// [RunBoth] runs a function twice, as subtests "sqlite" and "postgres", each with a fresh,
// empty database: a SQLite file in t.TempDir() (a real file, with WAL, not :memory:), and a
// newly created PostgreSQL database named hashi_test_<random hex> that is dropped afterwards.
//
// PostgreSQL needs a server: set HASHI_TEST_POSTGRES to a DSN of a role that may create and
// drop databases, e.g.
//
//	HASHI_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' go test ./...
//
// Without it the "postgres" subtests are skipped with a message saying so, and a machine
// without PostgreSQL still passes. With it, an unreachable server or a failure to create the
// database fails the test: CI sets the variable and must never skip silently.
package sqldbtest
