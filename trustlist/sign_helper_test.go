package trustlist_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

const (
	nsDS    = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES = "http://uri.etsi.org/01903/v1.3.2#"
)

// testSigner is a self-signed list signer for synthetic lists (keys generated per test).
type testSigner struct {
	key    crypto.Signer
	cert   *x509.Certificate
	method string
	hash   crypto.Hash
	pss    bool
	named  *x509.Certificate // if set, SigningCertificateV2 names this certificate instead
	// bothSigningCertificates adds a (v1) SigningCertificate next to SigningCertificateV2.
	bothSigningCertificates bool
}

func newTestSigner(t testing.TB, key crypto.Signer, method string, hash crypto.Hash, pss bool) *testSigner {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hashi test TL signer"},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testSigner{key: key, cert: c, method: method, hash: hash, pss: pss}
}

func canon(t testing.TB, el *etree.Element) []byte {
	t.Helper()
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		t.Fatal(err)
	}
	det, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(det)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func digest(b []byte) string {
	h := crypto.SHA256.New()
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// certFor returns the certificate named in SigningCertificateV2 (the signer's own, unless a
// test swaps it).
func (s *testSigner) certFor() *x509.Certificate {
	if s.named != nil {
		return s.named
	}
	return s.cert
}

// sign returns the list xml with an enveloped XAdES-B-style signature appended to its root.
// rootURI is the root reference URI ("" or "#id").
func (s *testSigner) sign(t testing.TB, xml, rootURI string) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(xml); err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	rootDigest := digest(canon(t, root)) // before the signature is added

	sig := root.CreateElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", nsDS)
	sig.CreateAttr("Id", "sig-1")
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/10/xml-exc-c14n#")
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", s.method)
	r1 := si.CreateElement("ds:Reference")
	r1.CreateAttr("URI", rootURI)
	tr := r1.CreateElement("ds:Transforms")
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", "http://www.w3.org/2000/09/xmldsig#enveloped-signature")
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", "http://www.w3.org/2001/10/xml-exc-c14n#")
	r1.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")
	r1.CreateElement("ds:DigestValue").SetText(rootDigest)
	r2 := si.CreateElement("ds:Reference")
	r2.CreateAttr("Type", "http://uri.etsi.org/01903#SignedProperties")
	r2.CreateAttr("URI", "#sp-1")
	r2.CreateElement("ds:Transforms").CreateElement("ds:Transform").CreateAttr("Algorithm", "http://www.w3.org/2001/10/xml-exc-c14n#")
	r2.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")
	dv2 := r2.CreateElement("ds:DigestValue")
	sv := sig.CreateElement("ds:SignatureValue")
	sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(s.cert.Raw))
	qp := sig.CreateElement("ds:Object").CreateElement("xades:QualifyingProperties")
	qp.CreateAttr("xmlns:xades", nsXAdES)
	qp.CreateAttr("Target", "#sig-1")
	sp := qp.CreateElement("xades:SignedProperties")
	sp.CreateAttr("Id", "sp-1")
	ssp := sp.CreateElement("xades:SignedSignatureProperties")
	ssp.CreateElement("xades:SigningTime").SetText("2026-01-01T00:00:00Z")
	cd := ssp.CreateElement("xades:SigningCertificateV2").CreateElement("xades:Cert").CreateElement("xades:CertDigest")
	cd.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", "http://www.w3.org/2001/04/xmlenc#sha256")
	cd.CreateElement("ds:DigestValue").SetText(digest(s.certFor().Raw))
	if s.bothSigningCertificates {
		ssp.AddChild(cd.Parent().Parent().Copy())
		ssp.ChildElements()[2].Tag = "SigningCertificate"
	}
	dv2.SetText(digest(canon(t, sp)))

	h := s.hash.New()
	h.Write(canon(t, si))
	var opts crypto.SignerOpts = s.hash
	if s.pss {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: s.hash}
	}
	raw, err := s.key.Sign(rand.Reader, h.Sum(nil), opts)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := s.key.(*ecdsa.PrivateKey); ok {
		// XMLDSig ECDSA is r||s, each left-padded to the curve size.
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(raw, &rs); err != nil {
			t.Fatal(err)
		}
		n := (k.Curve.Params().BitSize + 7) / 8
		raw = append(rs.R.FillBytes(make([]byte, n)), rs.S.FillBytes(make([]byte, n))...)
	}
	sv.SetText(base64.StdEncoding.EncodeToString(raw))
	out, err := doc.WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return []byte(out)
}

func genRSA(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func genEC(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func withID(xml, id string) string {
	return strings.Replace(xml, `TSLTag=`, `Id="`+id+`" TSLTag=`, 1)
}
