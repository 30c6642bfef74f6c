// Package wallettest holds the test fakes shared by the tests of package wallet and of
// package wallethttp: a throw-away pilot PKI with the fixed time the tests run at ([Pilot]),
// a spec-shaped OpenID4VCI 1.0 issuer ([FakeIssuer]) and OpenID4VP 1.0 verifier
// ([FakeVerifier]) built from the internal packages, both served over TLS on loopback by
// [NewCounterparts], and trust lists that list whatever chains to given anchors
// ([FakeTrust], [TrustOptions]).
//
// A test binary makes one Pilot in its TestMain, e.g.
//
//	func TestMain(m *testing.M) {
//		wallettest.Main(m, func(p *wallettest.Pilot) { testPilot = p })
//	}
//
// and each test starts its own counterparts, whose exported fields are the knobs a test
// turns (before the wallet reaches them) and the records it reads afterwards (under Mu).
//
// The package is for tests only: it imports testing, and nothing but _test.go files may
// import it.
package wallettest
