package sdjwt_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

// tb is the part of testing.TB that helpers need; *rapid.T has it too.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// testdata returns the path of a file under the repository's testdata folder.
func testdata(rel string) string {
	return filepath.Join("..", "..", "testdata", filepath.FromSlash(rel))
}

func readText(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(testdata(rel))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimRight(string(b), "\r\n")
}

func publicKey(t testing.TB, rel string) crypto.PublicKey {
	t.Helper()
	b, err := os.ReadFile(testdata(rel))
	if err != nil {
		t.Fatal(err)
	}
	k, err := jose.ParsePublicJWK(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func privateKey(t testing.TB, rel string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(testdata(rel))
	if err != nil {
		t.Fatal(err)
	}
	k, err := jose.ParsePrivateJWK(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// canonical re-encodes JSON (or a decoded value) with sorted keys, numbers as written.
func canonical(t tb, v any) string {
	t.Helper()
	if b, ok := v.([]byte); ok {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err != nil {
			t.Fatal(err)
		}
		v = x
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func jsonFile(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(testdata(rel))
	if err != nil {
		t.Fatal(err)
	}
	return canonical(t, b)
}

func wantCode(t testing.TB, err error, want sdjwt.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want code %s", want)
	}
	if got := sdjwt.CodeOf(err); got != want {
		t.Fatalf("got code %q (%v), want %q", got, err, want)
	}
	if !errors.Is(err, &sdjwt.Error{Code: want}) {
		t.Fatalf("errors.Is does not match the sentinel of %s", want)
	}
}

// staticKeys is an IssuerKeyResolver over fixed keys per issuer.
func staticKeys(iss string, keys ...jose.KeyEntry) sdjwt.IssuerKeyResolver {
	return sdjwt.IssuerKeyResolverFunc(func(_ context.Context, got string) ([]jose.KeyEntry, error) {
		if got != iss {
			return nil, errors.New("unknown issuer " + got)
		}
		return keys, nil
	})
}

func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// mustParse parses or fails the test.
func mustParse(t tb, s string) *sdjwt.Unverified {
	t.Helper()
	u, err := sdjwt.ParseUnverified(s)
	if err != nil {
		t.Fatalf("ParseUnverified: %v", err)
	}
	return u
}

func keyEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
