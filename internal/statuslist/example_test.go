package statuslist_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/statuslist"
)

// The Status List Token and key of draft-ietf-oauth-status-list-20 (examples/status_list_jwt_raw.md
// and src/util.py, kid "12").
const (
	exampleToken = "eyJhbGciOiJFUzI1NiIsImtpZCI6IjEyIiwidHlwIjoic3RhdHVzbGlzdCtqd3QifQ." +
		"eyJleHAiOjIyOTE3MjAxNzAsImlhdCI6MTY4NjkyMDE3MCwiaXNzIjoiaHR0cHM6Ly9leGFtcGxlLmNvbSIsInN0YXR1c19saXN0Ijp7ImJpdHMiOjEsImxzdCI6ImVOcmJ1UmdBQWhjQlhRIn0sInN1YiI6Imh0dHBzOi8vZXhhbXBsZS5jb20vc3RhdHVzbGlzdHMvMSIsInR0bCI6NDMyMDB9." +
		"2lKUUNG503R9htu4aHAYi7vjmr3sgApbfoDvPrl65N3URUO1EYqqQl45Jfzd-Av4QzlKa3oVALpLwOEUOq-U_g"
	exampleKey = `{"kty":"EC","crv":"P-256","x":"I3HWm_0Ds1dPMI-IWmf4mBmH-YaeAVbPVu7vB27CxXo","y":"6N_d5Elj9bs1htgV3okJKIdbHEpkgTmAluYKJemzn1M"}`
)

// A verifier checks a credential's status: parse the reference from the credential's
// "status" claim, verify the Status List Token fetched from its uri, and read the entry.
func ExampleUnverifiedToken_Verify() {
	ref, err := statuslist.ParseReference([]byte(`{"status_list":{"idx":3,"uri":"https://example.com/statuslists/1"}}`))
	if err != nil {
		panic(err)
	}
	key, err := jose.ParsePublicJWK([]byte(exampleKey))
	if err != nil {
		panic(err)
	}
	u, err := statuslist.ParseToken(exampleToken) // the body fetched from ref.URI
	if err != nil {
		panic(err)
	}
	now := time.Date(2023, 6, 16, 13, 0, 0, 0, time.UTC)
	tok, err := u.Verify(key, statuslist.Policy{URI: ref.URI, Algorithms: []jose.Algorithm{jose.ES256}, Now: now})
	if err != nil {
		panic(err)
	}
	st, err := tok.Status(ref)
	if err != nil {
		panic(err)
	}
	cache, _ := tok.CacheFor(now)
	fmt.Println("kid:", u.Header().Kid)
	fmt.Println("status of idx 3:", st)
	fmt.Println("cache for:", cache.Round(time.Minute))

	_, err = tok.Status(statuslist.Reference{Idx: 16, URI: ref.URI})
	fmt.Println("idx 16:", statuslist.CodeOf(err))

	_, err = u.Verify(key, statuslist.Policy{URI: ref.URI, Algorithms: []jose.Algorithm{jose.ES256}, Now: time.Date(2043, 1, 1, 0, 0, 0, 0, time.UTC)})
	fmt.Println("in 2043:", statuslist.CodeOf(err))
	// Output:
	// kid: 12
	// status of idx 3: INVALID
	// cache for: 11h56m0s
	// idx 16: index_out_of_range
	// in 2043: expired
}

// An issuer keeps a 2-bit list, allocates random indices, revokes and suspends entries, and
// publishes the list as a signed Status List Token.
func ExampleSign() {
	l, err := statuslist.New(2, 1024)
	if err != nil {
		panic(err)
	}
	taken := map[int]bool{}
	idx, err := statuslist.PickIndex(l.Len(), func(i int) bool { return taken[i] }, rand.Reader)
	if err != nil {
		panic(err)
	}
	taken[idx] = true
	if err := l.Set(idx, statuslist.Suspended); err != nil {
		panic(err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	signer, err := jose.NewSigner(key, jose.SignHeader{Typ: statuslist.TokenType, Kid: "status-key-1"})
	if err != nil {
		panic(err)
	}
	iat := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	jwt, err := statuslist.Sign(signer, &statuslist.Token{
		Subject:   "https://issuer.univ.example/statuslists/1",
		IssuedAt:  iat,
		ExpiresAt: iat.Add(24 * time.Hour),
		TTL:       time.Hour,
		List:      l,
	})
	if err != nil {
		panic(err)
	}

	u, err := statuslist.ParseToken(jwt)
	if err != nil {
		panic(err)
	}
	tok, err := u.Verify(&key.PublicKey, statuslist.Policy{
		URI:        "https://issuer.univ.example/statuslists/1",
		Algorithms: []jose.Algorithm{jose.ES256},
		Now:        iat.Add(time.Minute),
	})
	if err != nil {
		panic(err)
	}
	st, err := tok.Status(statuslist.Reference{Idx: idx, URI: tok.Subject})
	if err != nil {
		panic(err)
	}
	fmt.Println("typ:", u.Header().Typ)
	fmt.Println("entries:", tok.List.Len(), "bits:", tok.List.Bits())
	fmt.Println("status:", st)
	// Output:
	// typ: statuslist+jwt
	// entries: 1024 bits: 2
	// status: SUSPENDED
}

// Encoding and decoding the 1-bit example of §4.1.
func ExampleList_Encode() {
	l, err := statuslist.New(1, 16)
	if err != nil {
		panic(err)
	}
	for i, s := range []statuslist.Status{1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1} {
		if err := l.Set(i, s); err != nil {
			panic(err)
		}
	}
	fmt.Printf("bytes: % x\n", l.Bytes())

	sl, err := l.Encode()
	if err != nil {
		panic(err)
	}
	back, err := statuslist.Decode(sl)
	if err != nil {
		panic(err)
	}
	fmt.Printf("decoded: % x (bits %d, %d entries)\n", back.Bytes(), back.Bits(), back.Len())

	spec, err := statuslist.Decode(statuslist.StatusList{Bits: 1, Lst: "eNrbuRgAAhcBXQ"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("spec lst: % x\n", spec.Bytes())
	// Output:
	// bytes: b9 a3
	// decoded: b9 a3 (bits 1, 16 entries)
	// spec lst: b9 a3
}
