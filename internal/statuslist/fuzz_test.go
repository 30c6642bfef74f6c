package statuslist_test

import (
	"bytes"
	"crypto/elliptic"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/statuslist"
)

func addVectorSeeds(f *testing.F, dir string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join(vectorDir, dir, "*.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds in %s: %v", dir, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecode: ParseJSON and Decode never panic, and every list they accept re-encodes to a
// list with the same bits and bytes.
func FuzzDecode(f *testing.F) {
	addVectorSeeds(f, "extracted")
	f.Add([]byte(`{"bits":2,"lst":"eNo76fITAAPfAgc","aggregation_uri":"https://example.com/a"}`))
	f.Add([]byte(`{"bits":1,"lst":"eNrbuRgAAhcBXQ=="}`))
	f.Add([]byte(`{"bits":3,"lst":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sl, err := statuslist.ParseJSON(b)
		if err != nil {
			return
		}
		l, err := statuslist.Decode(sl)
		if err != nil {
			if statuslist.CodeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if l.Len() != len(l.Bytes())*8/l.Bits() {
			t.Fatalf("Len %d for %d bytes at %d bits", l.Len(), len(l.Bytes()), l.Bits())
		}
		enc, err := l.Encode()
		if err != nil {
			t.Fatalf("Encode of a decoded list: %v", err)
		}
		back, err := statuslist.Decode(enc)
		if err != nil {
			t.Fatalf("Decode of our own encoding: %v", err)
		}
		if back.Bits() != l.Bits() || !bytes.Equal(back.Bytes(), l.Bytes()) {
			t.Fatal("round trip changed the list")
		}
	})
}

// FuzzParseToken: ParseToken, Header, Certificates and Verify never panic on any input, every
// error carries a Code, and whatever verifies with the spec's key has the checked subject.
func FuzzParseToken(f *testing.F) {
	f.Add(string(readVector(f, "status_list.jwt")))
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoic3RhdHVzbGlzdCtqd3QifQ.e30.")
	f.Add("a.b.c")
	key := vectorKey(f)
	f.Fuzz(func(t *testing.T, s string) {
		u, err := statuslist.ParseToken(s)
		if err != nil {
			if statuslist.CodeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		_ = u.Header()
		_, _ = u.Certificates()
		tok, err := u.Verify(key, vectorPolicy())
		if err != nil {
			if statuslist.CodeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if tok.Subject != vectorURI || tok.List == nil {
			t.Fatalf("verified token without the checked content: %+v", tok)
		}
	})
}

// FuzzVerifyClaims signs arbitrary claim sets and verifies them, so the claim checks are
// fuzzed behind a valid signature: no panic, and whatever verifies satisfies the policy.
func FuzzVerifyClaims(f *testing.F) {
	f.Add([]byte(`{"exp":2291720170,"iat":1686920170,"iss":"https://example.com","status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"},"sub":"https://example.com/statuslists/1","ttl":43200}`))
	f.Add([]byte(`{"iat":1686920170.5,"status_list":{"bits":8,"lst":"eNrbuRgAAhcBXQ"},"sub":"https://example.com/statuslists/1","ttl":0.001}`))
	f.Add([]byte(`{"iat":1686920170,"nbf":1,"status_list":{"bits":2,"lst":"eNo76fITAAPfAgc","aggregation_uri":"https://example.com/"},"sub":"https://example.com/statuslists/1"}`))
	key := newKey(f, elliptic.P256())
	signer, err := jose.NewSigner(key, jose.SignHeader{Typ: statuslist.TokenType})
	if err != nil {
		f.Fatal(err)
	}
	pol := vectorPolicy()
	pol.ClockSkew = time.Minute
	f.Fuzz(func(t *testing.T, payload []byte) {
		s, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		u, err := statuslist.ParseToken(s)
		if err != nil {
			t.Fatalf("ParseToken of a freshly signed token: %v", err)
		}
		tok, err := u.Verify(&key.PublicKey, pol)
		if err != nil {
			if statuslist.CodeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		switch {
		case tok.Subject != pol.URI:
			t.Fatalf("sub %q accepted for %q", tok.Subject, pol.URI)
		case tok.IssuedAt.After(pol.Now.Add(pol.ClockSkew)):
			t.Fatalf("iat %v accepted at %v", tok.IssuedAt, pol.Now)
		case !tok.ExpiresAt.IsZero() && !tok.ExpiresAt.After(pol.Now):
			t.Fatalf("exp %v accepted at %v", tok.ExpiresAt, pol.Now)
		case tok.TTL < 0:
			t.Fatalf("negative ttl %v", tok.TTL)
		case tok.List == nil || tok.List.Len() < 1:
			t.Fatal("no list")
		}
		if d, ok := tok.CacheFor(pol.Now); ok && d < 0 {
			t.Fatalf("negative cache duration %v", d)
		}
	})
}

// FuzzParseReference: no panic; accepted references validate and have a non-negative idx.
func FuzzParseReference(f *testing.F) {
	f.Add([]byte(`{"status_list":{"idx":0,"uri":"https://example.com/statuslists/1"}}`))
	f.Add([]byte(`{"status_list":{"idx":4711,"uri":"urn:x:y"},"other":[]}`))
	f.Add([]byte(`{"status_list":{"idx":-1,"uri":"/x"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := statuslist.ParseReference(b)
		if err != nil {
			if statuslist.CodeOf(err) != statuslist.CodeInvalidReference {
				t.Fatalf("code %q, want invalid_reference", statuslist.CodeOf(err))
			}
			return
		}
		if r.Idx < 0 || r.Validate() != nil {
			t.Fatalf("accepted invalid reference %+v", r)
		}
	})
}
