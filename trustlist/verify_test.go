package trustlist_test

import (
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

const (
	lotl248  = "eu/eu-lotl-248.xml"
	lotl341  = "eu/eu-lotl-pivot-341.xml"
	ojSet    = "eu/lotl-signers/oj-2019-c276.pem"
	mraLOTL  = "mra/mra-lotl.xml"
	mraLOTLv = "mra/mra-lotl-tslvalidation.xml"
)

func TestVerifyXML(t *testing.T) {
	pem := func(rel string) func(testing.TB) []*x509.Certificate {
		return func(t testing.TB) []*x509.Certificate { return loadPEM(t, rel) }
	}
	ptr := func(lotl, territory string) func(testing.TB) []*x509.Certificate {
		return func(t testing.TB) []*x509.Certificate { return pointerSigners(t, lotl, territory) }
	}
	own := func(rel string) func(testing.TB) []*x509.Certificate {
		return func(t testing.TB) []*x509.Certificate { return keyInfoCert(t, rel) }
	}
	tests := []struct {
		name    string
		file    string
		signers func(testing.TB) []*x509.Certificate
		at      time.Time // zero: the list's own ListIssueDateTime
		want    trustlist.Code
	}{
		// The EU LOTL and its pivots, anchored in the OJ set and the pivot chain.
		{"ok/lotl-248-oj-2019", lotl248, pem(ojSet), time.Time{}, ""},
		{"ok/lotl-248-dss-signer", lotl248, pem("eu/lotl-signers/eu-lotl-248-signer.pem"), time.Time{}, ""},
		{"fail/lotl-248-wrong-signer", lotl248, pem("eu/lotl-signers/wrong-signer-es-ac-raiz-dgp.pem"), time.Time{}, trustlist.CodeUntrustedSigner},
		{"fail/lotl-248-signer-expired-at", lotl248, pem(ojSet), time.Date(2028, 6, 1, 0, 0, 0, 0, time.UTC), trustlist.CodeUntrustedSigner},
		{"fail/lotl-248-signer-not-yet-valid-at", lotl248, pem(ojSet), time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC), trustlist.CodeUntrustedSigner},
		{"ok/pivot-282-oj-2019", "eu/eu-lotl-pivot-282.xml", pem(ojSet), time.Time{}, ""},
		{"ok/pivot-300-announced-282", "eu/eu-lotl-pivot-300.xml", pem("eu/lotl-signers/announced-in-pivot-282.pem"), time.Time{}, ""},
		{"ok/pivot-300-via-parsed-282", "eu/eu-lotl-pivot-300.xml", ptr("eu/eu-lotl-pivot-282.xml", "EU"), time.Time{}, ""},
		{"ok/pivot-335-announced-300", "eu/eu-lotl-pivot-335.xml", pem("eu/lotl-signers/announced-in-pivot-300.pem"), time.Time{}, ""},
		{"fail/pivot-335-oj-2019", "eu/eu-lotl-pivot-335.xml", pem(ojSet), time.Time{}, trustlist.CodeUntrustedSigner},
		{"ok/pivot-341-announced-335", lotl341, pem("eu/lotl-signers/announced-in-pivot-335.pem"), time.Time{}, ""},
		{"ok/pivot-341-via-parsed-335", lotl341, ptr("eu/eu-lotl-pivot-335.xml", "EU"), time.Time{}, ""},
		{"fail/pivot-341-oj-2019", lotl341, pem(ojSet), time.Time{}, trustlist.CodeUntrustedSigner},
		{"fail/pivot-341-announced-300", lotl341, pem("eu/lotl-signers/announced-in-pivot-300.pem"), time.Time{}, trustlist.CodeUntrustedSigner},

		// National lists against the certificates the LOTL pointer for their territory announces.
		{"ok/AT-via-248", "eu/tl-AT-seq42.xml", ptr(lotl248, "AT"), time.Time{}, ""},
		{"ok/AT-via-341", "eu/tl-AT-seq42.xml", ptr(lotl341, "AT"), time.Time{}, ""},
		{"ok/BE-root-id-via-248", "eu/tl-BE-seq43.xml", ptr(lotl248, "BE"), time.Time{}, ""},
		{"ok/BE-root-id-via-341", "eu/tl-BE-seq43.xml", ptr(lotl341, "BE"), time.Time{}, ""},
		{"ok/CY-via-248", "eu/tl-CY-seq31.xml", ptr(lotl248, "CY"), time.Time{}, ""},
		{"ok/CY-via-341", "eu/tl-CY-seq31.xml", ptr(lotl341, "CY"), time.Time{}, ""},
		{"ok/FI-bom-via-248", "eu/tl-FI-seq32.xml", ptr(lotl248, "FI"), time.Time{}, ""},
		{"ok/FI-bom-via-341", "eu/tl-FI-seq32.xml", ptr(lotl341, "FI"), time.Time{}, ""},
		{"ok/NL-via-248", "eu/tl-NL-seq41.xml", ptr(lotl248, "NL"), time.Time{}, ""},
		{"fail/NL-via-341-rotated", "eu/tl-NL-seq41.xml", ptr(lotl341, "NL"), time.Time{}, trustlist.CodeUntrustedSigner},
		{"ok/SE-2019-via-248", "eu/tl-SE-seq32.xml", ptr(lotl248, "SE"), time.Time{}, ""},
		{"fail/SE-2019-via-341", "eu/tl-SE-seq32.xml", ptr(lotl341, "SE"), time.Time{}, trustlist.CodeUntrustedSigner},
		{"ok/SE-2025-via-341", "eu/tl-SE-seq55-2025.xml", ptr(lotl341, "SE"), time.Time{}, ""},
		{"fail/SE-2025-via-248", "eu/tl-SE-seq55-2025.xml", ptr(lotl248, "SE"), time.Time{}, trustlist.CodeUntrustedSigner},
		{"ok/SK-59-via-248", "eu/tl-SK-seq59.xml", ptr(lotl248, "SK"), time.Time{}, ""},
		{"ok/SK-59-via-341", "eu/tl-SK-seq59.xml", ptr(lotl341, "SK"), time.Time{}, ""},
		{"ok/SK-95-via-248", "eu/tl-SK-seq95.xml", ptr(lotl248, "SK"), time.Time{}, ""},
		{"ok/SK-95-via-341", "eu/tl-SK-seq95.xml", ptr(lotl341, "SK"), time.Time{}, ""},
		{"ok/FI-v6-own-keyinfo-cert", "other/tl-FI-v6-seq49-testsigned.xml", own("other/tl-FI-v6-seq49-testsigned.xml"), time.Time{}, ""},
		{"fail/FI-v6-via-341", "other/tl-FI-v6-seq49-testsigned.xml", ptr(lotl341, "FI"), time.Time{}, trustlist.CodeUntrustedSigner},

		// Third-country (MRA) pilot: pointer-scoped trust.
		{"ok/mra-lotl", mraLOTL, pem("mra/zz-lotl-signer.pem"), time.Time{}, ""},
		{"ok/mra-lotl-tslvalidation", mraLOTLv, pem("mra/zz-lotl-signer.pem"), time.Time{}, ""},
		{"ok/mra-zz-tl-via-xx-pointer", "mra/mra-zz-tl.xml", ptr(mraLOTL, "XX"), time.Time{}, ""},
		{"fail/mra-zz-tl-tslvalidation-via-its-xx-pointer", "mra/mra-zz-tl-tslvalidation.xml", ptr(mraLOTLv, "XX"), time.Time{}, trustlist.CodeUntrustedSigner},
		{"fail/mra-lotl-self-pointer-is-not-the-signer", mraLOTL, ptr(mraLOTL, "EU"), time.Time{}, trustlist.CodeUntrustedSigner},

		// Tampered copies fail closed with a signature reason.
		{"fail/lotl-248-broken-sig", "eu/eu-lotl-248-broken-sig.xml", pem(ojSet), time.Date(2019, 9, 4, 0, 0, 0, 0, time.UTC), trustlist.CodeDigestMismatch},
		{"fail/SE-2025-bad-sig", "eu/tl-SE-seq55-2025-bad-sig.xml", ptr(lotl341, "SE"), time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC), trustlist.CodeDigestMismatch},
		{"fail/SK-95-altered-trust-service", "eu/tl-SK-seq95-altered-trust-service.xml", ptr(lotl248, "SK"), time.Date(2022, 10, 19, 0, 0, 0, 0, time.UTC), trustlist.CodeDigestMismatch},

		// Unsupported and unsigned.
		{"fail/brainpool-unsupported", "other/tl-DE-gematik-ecdsa-brainpool.xml", pem(ojSet), time.Time{}, trustlist.CodeUnsupportedAlgorithm},
		{"fail/EWC-unsigned", "other/EWC-TL.xml", pem(ojSet), time.Time{}, trustlist.CodeNoSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := readFixture(t, tc.file)
			at := tc.at
			if at.IsZero() {
				at = parseFixture(t, tc.file).IssueDate
			}
			l, err := trustlist.VerifyXML(data, trustlist.VerifyOptions{Signers: tc.signers(t), At: at})
			if tc.want != "" {
				if got := trustlist.CodeOf(err); got != tc.want {
					t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
				}
				if l != nil {
					t.Fatal("a failed verification returned a list")
				}
				return
			}
			if err != nil {
				t.Fatalf("VerifyXML: %v", err)
			}
			if l.Signature == nil || l.Signature.Signer == nil || l.Signature.SigningTime.IsZero() {
				t.Fatalf("signature info missing: %+v", l.Signature)
			}
			// The verified model equals the unverified parse of the same (untampered) file.
			p := parseFixture(t, tc.file)
			if p.SequenceNumber != l.SequenceNumber || len(p.Providers) != len(l.Providers) || len(p.Pointers) != len(l.Pointers) || !p.IssueDate.Equal(l.IssueDate) {
				t.Fatalf("verified list differs from parsed list: seq %d/%d providers %d/%d", l.SequenceNumber, p.SequenceNumber, len(l.Providers), len(p.Providers))
			}
		})
	}
}

func TestVerifyXMLArguments(t *testing.T) {
	data := readFixture(t, "eu/tl-CY-seq31.xml")
	signers := pointerSigners(t, lotl248, "CY")
	at := time.Date(2019, 7, 17, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		opts trustlist.VerifyOptions
		want trustlist.Code
	}{
		{"ok/cy", trustlist.VerifyOptions{Signers: signers, At: at}, ""},
		{"fail/no-signers", trustlist.VerifyOptions{At: at}, trustlist.CodeInvalidArgument},
		{"fail/zero-time", trustlist.VerifyOptions{Signers: signers}, trustlist.CodeInvalidArgument},
		{"fail/nil-signer", trustlist.VerifyOptions{Signers: []*x509.Certificate{nil}, At: at}, trustlist.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trustlist.VerifyXML(data, tc.opts)
			if got := trustlist.CodeOf(err); got != tc.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestErrorsIs(t *testing.T) {
	_, err := trustlist.VerifyXML(readFixture(t, "eu/eu-lotl-248-broken-sig.xml"),
		trustlist.VerifyOptions{Signers: loadPEM(t, ojSet), At: time.Date(2019, 9, 4, 0, 0, 0, 0, time.UTC)})
	if !errors.Is(err, trustlist.ErrDigestMismatch) {
		t.Fatalf("errors.Is(%v, ErrDigestMismatch) = false", err)
	}
	if errors.Is(err, trustlist.ErrSignatureInvalid) {
		t.Fatal("digest mismatch also matched ErrSignatureInvalid")
	}
	var e *trustlist.Error
	if !errors.As(err, &e) || e.Code != trustlist.CodeDigestMismatch {
		t.Fatalf("errors.As: %v", err)
	}
}

// TestPivotChain walks the LOTL pivots as DSS does: start from the OJ 2019 set, verify each
// pivot with the set the previous one announced in its EU self-pointer, then verify the 2025
// SE list with the SE pointer of the last pivot. Every set is taken from a verified list.
func TestPivotChain(t *testing.T) {
	signers := loadPEM(t, ojSet)
	var last *trustlist.List
	for _, f := range []string{"eu/eu-lotl-pivot-282.xml", "eu/eu-lotl-pivot-300.xml", "eu/eu-lotl-pivot-335.xml", lotl341} {
		l, err := trustlist.VerifyXML(readFixture(t, f), trustlist.VerifyOptions{Signers: signers, At: parseFixture(t, f).IssueDate})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		self := l.XMLPointersTo("EU")
		if len(self) != 1 || self[0].Type != trustlist.TSLTypeEUListOfLists {
			t.Fatalf("%s: EU self-pointer %+v", f, self)
		}
		signers, last = self[0].Signers, l
	}
	want := loadPEM(t, "eu/lotl-signers/announced-in-pivot-341.pem")
	if len(want) != len(signers) {
		t.Fatalf("341 self-pointer has %d certs, want %d", len(signers), len(want))
	}
	for i := range want {
		if !want[i].Equal(signers[i]) {
			t.Fatalf("341 self-pointer cert %d differs from announced-in-pivot-341.pem", i)
		}
	}
	se := last.XMLPointersTo("SE")
	if len(se) != 1 {
		t.Fatalf("SE pointers: %d", len(se))
	}
	tl, err := trustlist.VerifyXML(readFixture(t, "eu/tl-SE-seq55-2025.xml"), trustlist.VerifyOptions{Signers: se[0].Signers, At: time.Date(2025, 4, 11, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if tl.Territory != se[0].Territory || tl.SequenceNumber != 55 || len(tl.Providers) != 4 {
		t.Fatalf("SE 2025: %s seq %d, %d providers", tl.Territory, tl.SequenceNumber, len(tl.Providers))
	}
}
