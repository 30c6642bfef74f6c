package walletstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/wallet/walletstore"
)

// Reference vectors: password "password", salt "somesalt", 24-byte hashes, from the
// argon2 reference implementation's CLI (phc-winner-argon2), as listed in
// golang.org/x/crypto/argon2's tests; written here in PHC form.
var argonVectors = []struct {
	phc string
	pw  string
}{
	{"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7", "password"},
	{"$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$Bo1ismRVk2qm6+YAYLCmWHDb+j3fjUH3", "password"},
	{"$argon2id$v=19$m=64,t=2,p=2$c29tZXNhbHQ$NQrDciL0Nsy1wJcvHr079rlYvyBxhBNi", "password"},
}

func TestCheckPasswordVectors(t *testing.T) {
	t.Parallel()
	for _, v := range argonVectors {
		ok, err := walletstore.CheckPassword(v.phc, v.pw)
		if err != nil || !ok {
			t.Fatalf("%s: %v, %v; want a match", v.phc, ok, err)
		}
		ok, err = walletstore.CheckPassword(v.phc, "Password")
		if err != nil || ok {
			t.Fatalf("%s with a wrong password: %v, %v", v.phc, ok, err)
		}
	}
}

func TestHashPassword(t *testing.T) {
	t.Parallel()
	h, err := walletstore.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
	if !strings.HasPrefix(h, prefix) {
		t.Fatalf("hash %q does not start with %q", h, prefix)
	}
	parts := strings.Split(h, "$")
	if len(parts) != 6 || len(parts[4]) != 22 || len(parts[5]) != 43 { // 16-byte salt, 32-byte hash
		t.Fatalf("hash %q: want a 16-byte salt and a 32-byte hash", h)
	}
	h2, err := walletstore.HashPassword("correct horse battery staple")
	if err != nil || h2 == h {
		t.Fatalf("two hashes of one password are equal (no random salt): %v", err)
	}
	cases := []struct {
		name string
		pw   string
		want bool
	}{
		{"ok/right", "correct horse battery staple", true},
		{"fail/wrong", "correct horse battery stapler", false},
		{"fail/empty", "", false},
		{"fail/case", "Correct horse battery staple", false},
	}
	for _, c := range cases {
		got, err := walletstore.CheckPassword(h, c.pw)
		if err != nil || got != c.want {
			t.Fatalf("%s: %v, %v", c.name, got, err)
		}
	}
	if walletstore.PasswordNeedsRehash(h) {
		t.Fatal("a fresh hash needs rehash")
	}
	if !walletstore.PasswordNeedsRehash(argonVectors[0].phc) || !walletstore.PasswordNeedsRehash("junk") {
		t.Fatal("old parameters or junk do not need rehash")
	}
	long := strings.Repeat("x", walletstore.MaxPasswordLen+1)
	if _, err := walletstore.HashPassword(long); !errors.Is(err, walletstore.ErrPasswordTooLong) {
		t.Fatalf("long password: %v", err)
	}
	if _, err := walletstore.CheckPassword(h, long); !errors.Is(err, walletstore.ErrPasswordTooLong) {
		t.Fatalf("check long password: %v", err)
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	t.Parallel()
	const salt, hash = "c29tZXNhbHQ", "ZVrRXqxlLcWfcXCnMyv0m4Rpvh/bnCi7"
	cases := []struct{ name, phc string }{
		{"fail/empty", ""},
		{"fail/argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + hash},
		{"fail/argon2d", "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + hash},
		{"fail/bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"},
		{"fail/version 16", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + hash},
		{"fail/no version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + hash},
		{"fail/parameter order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + hash},
		{"fail/extra parameter", "$argon2id$v=19$m=64,t=1,p=1,k=1$" + salt + "$" + hash},
		{"fail/leading zero", "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + hash},
		{"fail/plus sign", "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + hash},
		{"fail/negative", "$argon2id$v=19$m=64,t=-1,p=1$" + salt + "$" + hash},
		{"fail/zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + hash},
		{"fail/zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + hash},
		{"fail/memory below 8p", "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + hash},
		{"fail/memory too large", "$argon2id$v=19$m=1048577,t=1,p=1$" + salt + "$" + hash},
		{"fail/overflow", "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + hash},
		{"fail/time too large", "$argon2id$v=19$m=64,t=17,p=1$" + salt + "$" + hash},
		{"fail/threads too large", "$argon2id$v=19$m=1024,t=1,p=17$" + salt + "$" + hash},
		{"fail/padded salt", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ=$" + hash},
		{"fail/short salt", "$argon2id$v=19$m=64,t=1,p=1$c29tZQ$" + hash},
		{"fail/url base64", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$ZVrRXqxlLcWfcXCnMyv0m4Rpvh_bnCi7"},
		{"fail/short hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$ZVrRXqxlLcWf"},
		{"fail/empty hash", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$"},
		{"fail/trailing field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash + "$"},
		{"fail/no leading dollar", "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + hash},
		{"fail/space", "$argon2id$v=19$m=64, t=1,p=1$" + salt + "$" + hash},
		{"fail/too long", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 600)},
	}
	for _, c := range cases {
		ok, err := walletstore.CheckPassword(c.phc, "password")
		if ok || !errors.Is(err, walletstore.ErrMalformedHash) {
			t.Errorf("%s: %v, %v; want ErrMalformedHash", c.name, ok, err)
		}
	}
}

// BenchmarkHashPassword measures one hash with the production parameters.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := walletstore.HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
