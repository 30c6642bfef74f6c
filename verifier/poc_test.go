package verifier_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/verifier"
)

// The real Japanese learning credential of the Commission's EU–JP proof of concept
// (testdata/eujp-poc, see testdata/README.md): ES256, x5c with one certificate (Cyber Security
// Cloud, Inc., C=JP) whose issuer is in no list here, iss https://test.issuer.com/ (not in the
// certificate), iat 2026-02-18, exp 2027-02-18, no status, no KB-JWT.
var pocNow = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) // inside the certificate's validity (2025-11-10 .. 2026-11-11)

func pocFiles() (string, *x509.Certificate) {
	cred := strings.TrimSpace(string(must1(os.ReadFile("../testdata/eujp-poc/learning-credential.sd-jwt.txt"))))
	block, _ := pem.Decode(must1(os.ReadFile("../testdata/eujp-poc/issuer-x5c-leaf.pem")))
	return cred, must1(x509.ParseCertificate(block.Bytes))
}

// pocLoTE is a JP LoTE, signed by a LoTE signer made here, listing cert under the PoC's
// EAA/Issuance service type (direct trust in the listed issuer certificate).
func pocLoTE(cert *x509.Certificate) *trustlist.Set {
	signerCert, signerKey := newCert(&x509.Certificate{
		Subject:   pkix.Name{Country: []string{"JP"}, Organization: []string{"hashi pilot operator Japan"}, CommonName: "JP LoTE signer"},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, nil, nil)
	st := serviceState{status: "granted", since: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nextUpdate: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)}
	l := jpList(signerKey, signerCert, cert, st, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
		trustlist.Names{"en": "Cyber Security Cloud, Inc.", "ja": "株式会社サイバーセキュリティクラウド"},
		trustlist.Names{"en": "Learning credential issuance", "ja": "学修証明書の発行"})
	return must1(trustlist.NewSet(trustlist.Labeled{Label: jpLabel, List: l}))
}

// pocPolicy trusts the listed certificate directly (EAA/Issuance), needs no holder binding,
// accepts the iss the certificate does not carry because the leaf itself is listed, and needs
// no status reference.
func pocPolicy() verifier.Policy {
	no := false
	q := &dcql.Query{Credentials: []dcql.CredentialQuery{{
		ID: "learning", Format: dcql.FormatSDJWTVC, Meta: dcql.Meta{VCTValues: []string{academic.VCTLearningCredential}},
		RequireCryptographicHolderBinding: &no,
		Claims:                            []dcql.ClaimsQuery{{Path: dcql.Path{"achievement_title"}}, {Path: dcql.Path{"issuing_country"}}},
	}}}
	return verifier.Policy{
		Now: pocNow, ClientID: euDeskClientID, Nonce: testNonce, Query: q, Jurisdiction: "EU",
		Recognition: verifier.Recognition{Rules: []verifier.Rule{{
			Name: "EU–JP proof of concept", Types: []string{academic.VCTLearningCredential}, Jurisdictions: []string{"JP"},
			Trust:         trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: svcEAAIssuance}}},
			HolderBinding: verifier.HolderBindingNotRequiredUnsafe, IssuerMatch: verifier.IssuerMatchDirectListingUnsafe,
			Status: verifier.StatusIfPresent, EQFLevels: []int{1, 2, 3, 4, 5, 6, 7, 8},
		}}},
	}
}

func TestEUJPProofOfConcept(t *testing.T) {
	cred, leaf := pocFiles()
	tok := vpToken("learning", cred)

	t.Run("ok/listed-in-jp-lote", func(t *testing.T) {
		v := must1(verifier.New(pocLoTE(leaf), &memStatus{}))
		res := must1(v.Verify(t.Context(), tok, pocPolicy()))
		assertResult(t, res, "", "")
		cr := res.Credentials[0]
		if cr.Issuer.ID != "https://test.issuer.com/" || cr.Issuer.NameEN != "Cyber Security Cloud, Inc." || cr.Issuer.NameJA != "株式会社サイバーセキュリティクラウド" || cr.Issuer.Country != "JP" || !strings.Contains(cr.Issuer.Certificate, "Cyber Security Cloud") {
			t.Fatalf("issuer = %+v", cr.Issuer)
		}
		if !strings.HasPrefix(cr.TrustPath, jpLabel) || !strings.Contains(cr.TrustPath, "Cyber Security Cloud") || cr.Status != "none" || cr.HolderBound {
			t.Fatalf("trust path %q status %q bound %v", cr.TrustPath, cr.Status, cr.HolderBound)
		}
		if iss, _ := cr.Check(verifier.CheckIss); !strings.Contains(iss.Detail, "listed") {
			t.Fatalf("iss check = %+v", iss)
		}
		if cr.Qualification == nil || cr.Qualification.EQFLevel != 1 || cr.Qualification.Country != "JP" {
			t.Fatalf("qualification = %+v", cr.Qualification)
		}
		if len(cr.Claims) == 0 || cr.Claims["issuing_country"] != "JP" {
			t.Fatalf("claims = %v", cr.Claims)
		}
	})

	t.Run("fail/signature-valid-issuer-not-trusted-without-the-list", func(t *testing.T) {
		// The same LoTE shape, listing another certificate.
		other, _ := sealLike("https://other.example/", "JP", x509.KeyUsageDigitalSignature, nil, nil)
		v := must1(verifier.New(pocLoTE(other), &memStatus{}))
		res := must1(v.Verify(t.Context(), tok, pocPolicy()))
		assertResult(t, res, verifier.CodeIssuerNotTrusted, verifier.CheckTrust)
		cr := res.Credentials[0]
		if sig, ok := cr.Check(verifier.CheckSignature); !ok || !sig.OK {
			t.Fatalf("signature check = %+v", sig)
		}
		if cr.Reason != verifier.CodeIssuerNotTrusted || cr.TrustPath != "" || cr.TrustedAtIssuance {
			t.Fatalf("credential: reason %s path %q", cr.Reason, cr.TrustPath)
		}
	})

	t.Run("fail/iss-not-in-certificate-under-default-issuer-match", func(t *testing.T) {
		v := must1(verifier.New(pocLoTE(leaf), &memStatus{}))
		p := pocPolicy()
		p.Recognition.Rules[0].IssuerMatch = verifier.IssuerMatchCertificate
		res := must1(v.Verify(t.Context(), tok, p))
		assertResult(t, res, verifier.CodeIssMismatch, verifier.CheckIss)
	})

	t.Run("fail/holder-binding-required-by-default", func(t *testing.T) {
		v := must1(verifier.New(pocLoTE(leaf), &memStatus{}))
		p := pocPolicy()
		p.Recognition.Rules[0].HolderBinding = verifier.HolderBindingRequired
		res := must1(v.Verify(t.Context(), tok, p))
		assertResult(t, res, verifier.CodeHolderBindingMissing, verifier.CheckHolderBinding)
	})

	t.Run("fail/status-required-by-default", func(t *testing.T) {
		v := must1(verifier.New(pocLoTE(leaf), &memStatus{}))
		p := pocPolicy()
		p.Recognition.Rules[0].Status = verifier.StatusRequired
		res := must1(v.Verify(t.Context(), tok, p))
		assertResult(t, res, verifier.CodeStatusMissing, verifier.CheckStatus)
	})

	t.Run("fail/expired-after-exp", func(t *testing.T) {
		v := must1(verifier.New(pocLoTE(leaf), &memStatus{}))
		p := pocPolicy()
		p.Now = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
		res := must1(v.Verify(t.Context(), tok, p))
		assertResult(t, res, verifier.CodeExpired, verifier.CheckValidity)
	})
}
