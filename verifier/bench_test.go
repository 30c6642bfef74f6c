package verifier_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/verifier"
)

// BenchmarkVerify runs the full pipeline on the JP diploma at the EU desk (x5c chain anchored in
// the JP LoTE through its seal CA, KB-JWT, status list) with the status list token cached. The
// signatures verified per call are the issuer JWT and the KB-JWT; "trust-cached" also caches the
// trust answer (WithTrustCacheTTL), "trust-lookup" verifies the chain to the listed CA each time
// (a third ECDSA verification, inside trustlist).
func BenchmarkVerify(b *testing.B) {
	f := getPilot()
	set := f.trustSet(granted(), granted())
	tok := vpToken("diploma", f.present(f.issue(f.jpDiploma()), share, euDeskClientID, testNonce, kbTime))
	p := euDeskPolicy(presentedAt)
	for _, bc := range []struct {
		name string
		opts []verifier.Option
	}{
		{"trust-cached", []verifier.Option{verifier.WithTrustCacheTTL(verifier.MaxTrustCacheTTL)}},
		{"trust-lookup", nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			v := must1(verifier.New(set, defaultStatus(f, presentedAt), bc.opts...))
			ctx := context.Background()
			res := must1(v.Verify(ctx, tok, p)) // warm the caches
			if res.Verdict != verifier.VerdictAccepted {
				b.Fatalf("%s %s", res.Verdict, res.Reason)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := v.Verify(ctx, tok, p)
				if err != nil || res.Verdict != verifier.VerdictAccepted {
					b.Fatal(err, res.Reason)
				}
			}
		})
	}
}

// BenchmarkSDJWTVerifyVC is the internal/sdjwt part of BenchmarkVerify alone (parse, x5c decode,
// both signatures, disclosures, KB-JWT), to show what the verifier layer adds on top.
func BenchmarkSDJWTVerifyVC(b *testing.B) {
	f := getPilot()
	pres := f.present(f.issue(f.jpDiploma()), share, euDeskClientID, testNonce, kbTime)
	pol := sdjwt.VCPolicy{Policy: sdjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingOptional,
		Nonce: testNonce, Audience: euDeskClientID, Now: presentedAt}, KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		u, err := sdjwt.ParseUnverified(pres)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := u.VerifyVC(ctx, pol); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawECDSAVerify is the floor of BenchmarkVerify: the two ECDSA P-256 verifications
// (SHA-256 of the signing input included) of the same presentation's issuer JWT and KB-JWT.
func BenchmarkRawECDSAVerify(b *testing.B) {
	f := getPilot()
	pres := f.present(f.issue(f.jpDiploma()), share, euDeskClientID, testNonce, kbTime)
	issuerJWT := pres[:strings.Index(pres, "~")]
	kbJWT := pres[strings.LastIndex(pres, "~")+1:]
	type sig struct {
		input []byte
		r, s  *big.Int
		pub   *ecdsa.PublicKey
	}
	split := func(jws string, pub *ecdsa.PublicKey) sig {
		i := strings.LastIndex(jws, ".")
		raw := must1(base64.RawURLEncoding.DecodeString(jws[i+1:]))
		return sig{input: []byte(jws[:i]), r: new(big.Int).SetBytes(raw[:32]), s: new(big.Int).SetBytes(raw[32:]), pub: pub}
	}
	sigs := []sig{
		split(issuerJWT, f.jpSeal.Certificate.PublicKey.(*ecdsa.PublicKey)),
		split(kbJWT, &f.holder.PublicKey),
	}
	for _, s := range sigs {
		h := sha256.Sum256(s.input)
		if !ecdsa.Verify(s.pub, h[:], s.r, s.s) {
			b.Fatal("signature does not verify")
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range sigs {
			h := sha256.Sum256(s.input)
			if !ecdsa.Verify(s.pub, h[:], s.r, s.s) {
				b.Fatal("signature does not verify")
			}
		}
	}
}
