package walletstore

import (
	"bytes"
	"testing"
)

// FuzzParsePHC: the parser never panics, and what it accepts is canonical: it re-encodes
// to exactly the input, within the bounds of limits.go.
func FuzzParsePHC(f *testing.F) {
	for _, s := range []string{
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7ZVrRXqxlLcU",
		"$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
		"$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHQ$ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7",
		"$argon2id$v=19$m=64,t=1,p=1$$",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePHC(s)
		if err != nil {
			return
		}
		if got := p.String(); got != s {
			t.Fatalf("accepted %q but re-encodes to %q", s, got)
		}
		if p.memory > maxArgonMemoryKiB || p.time > maxArgonTime || p.threads > maxArgonThreads || p.threads == 0 ||
			len(p.salt) < minSaltLen || len(p.hash) < minHashLen {
			t.Fatalf("accepted parameters out of bounds: %q", s)
		}
	})
}

// FuzzOpen: opening arbitrary bytes never panics and never yields plaintext unless the
// bytes are a value sealed for that place; sealing then opening round-trips.
func FuzzOpen(f *testing.F) {
	s, err := newSealer(bytes.Repeat([]byte{1}, KeySize))
	if err != nil {
		f.Fatal(err)
	}
	at := place{"wallet_credentials", "local", "c1", "raw"}
	f.Add(s.seal([]byte("secret"), at), []byte("plain"))
	f.Add([]byte{1, 0, 0, 0, 0}, []byte{})
	f.Fuzz(func(t *testing.T, sealed, plain []byte) {
		if pt, err := s.open(sealed, at); err == nil && sealed != nil && pt == nil {
			t.Fatal("opened to nil without error")
		}
		if len(plain) == 0 {
			return
		}
		c := s.seal(plain, at)
		pt, err := s.open(c, at)
		if err != nil || !bytes.Equal(pt, plain) {
			t.Fatalf("round trip: %v", err)
		}
		if _, err := s.open(c, place{"wallet_credentials", "local", "c2", "raw"}); err == nil {
			t.Fatal("opened under another row")
		}
	})
}
