package vcjwt_test

import (
	"crypto"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// FuzzParseUnverified: no panic, and what parses keeps its raw form and a vc claim.
func FuzzParseUnverified(f *testing.F) {
	raw, _ := loadVector(f)
	f.Add(raw)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := vcjwt.ParseUnverified(s)
		if err != nil {
			if vcjwt.CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if u.Raw() != s || u.Claims["vc"] == nil {
			t.Fatalf("parsed %q into %v", s, u.Claims)
		}
	})
}

// FuzzVerify: no panic; an accepted token round-trips its claims through JSON and verifies
// again to the same result.
func FuzzVerify(f *testing.F) {
	raw, keys := loadVector(f)
	f.Add(raw)
	f.Add(raw[:len(raw)-2])
	pol := vcjwt.Policy{Now: vectorNBF.Add(time.Hour), Algorithms: []jose.Algorithm{jose.ES256}, Keys: keys}
	f.Fuzz(func(t *testing.T, s string) {
		res, err := vcjwt.Verify(s, pol)
		if err != nil {
			if vcjwt.CodeOf(err) == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		b, err := json.Marshal(res.Credential)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Fatal("credential does not re-encode")
		}
		again, err := vcjwt.Verify(s, pol)
		if err != nil || !reflect.DeepEqual(again.Credential, res.Credential) {
			t.Fatalf("second verification differs: %v", err)
		}
	})
}

// FuzzParseDIDJWK: no panic, and a decoded key encodes to a did:jwk that decodes to it.
func FuzzParseDIDJWK(f *testing.F) {
	raw, keys := loadVector(f)
	u, err := vcjwt.ParseUnverified(raw)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(u.Claims["sub"].(string))
	if d, err := vcjwt.DIDJWK(keys[0].Key); err == nil {
		f.Add(d)
	}
	f.Add("did:jwk:e30")
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := vcjwt.ParseDIDJWK(s)
		if err != nil {
			return
		}
		d, err := vcjwt.DIDJWK(pub)
		if err != nil {
			t.Fatalf("decoded key does not encode: %v", err)
		}
		back, err := vcjwt.ParseDIDJWK(d)
		if err != nil || !back.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzVerifyPresentation: no panic on any presentation.
func FuzzVerifyPresentation(f *testing.F) {
	raw, keys := loadVector(f)
	holder := newKey(f)
	h, err := vcjwt.HolderHeader(holder.Public())
	if err != nil {
		f.Fatal(err)
	}
	at := vectorNBF.Add(time.Hour)
	vp, err := vcjwt.CreatePresentation(newSigner(f, holder, h), []string{raw}, vcjwt.PresentationOptions{Audience: "aud", Nonce: "n", IssuedAt: at})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(vp)
	f.Add(raw)
	pol := vcjwt.PresentationPolicy{Now: at, Audience: "aud", Nonce: "n", Algorithms: []jose.Algorithm{jose.ES256},
		Credential: vcjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, Keys: keys}}
	f.Fuzz(func(t *testing.T, s string) {
		_, err := vcjwt.VerifyPresentation(s, pol)
		if err != nil && vcjwt.CodeOf(err) == "" {
			t.Fatalf("untyped error %v", err)
		}
	})
}
