package trustlist

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"math/big"
	"strings"
	"time"

	_ "crypto/sha1"   //nolint:gosec // SHA-1 only compares XAdES CertDigest values of pinned certificates
	_ "crypto/sha256" // register SHA-256 for crypto.Hash
	_ "crypto/sha512" // register SHA-384 and SHA-512 for crypto.Hash

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Algorithm URIs.
const (
	algExcC14N      = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algC14N10       = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	algEnveloped    = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	typeSignedProps = "http://uri.etsi.org/01903#SignedProperties"
	minRSAKeyBits   = 2048
	signedPropsTag  = "SignedProperties"
	signatureTag    = "Signature"
	rootTag         = "TrustServiceStatusList"
)

// sigMethod describes a supported SignatureMethod.
type sigMethod struct {
	hash crypto.Hash
	kind string // "rsa", "rsa-pss", "ecdsa"
}

var sigMethods = map[string]sigMethod{
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":      {crypto.SHA256, "rsa"},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":      {crypto.SHA384, "rsa"},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":      {crypto.SHA512, "rsa"},
	"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": {crypto.SHA256, "rsa-pss"},
	"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1": {crypto.SHA384, "rsa-pss"},
	"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1": {crypto.SHA512, "rsa-pss"},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":    {crypto.SHA256, "ecdsa"},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384":    {crypto.SHA384, "ecdsa"},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512":    {crypto.SHA512, "ecdsa"},
}

var digestMethods = map[string]crypto.Hash{
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

// VerifyOptions are the inputs of VerifyXML and VerifyLoTE.
type VerifyOptions struct {
	// Signers are the accepted signer certificates: the configured Official Journal set for
	// the EU LOTL, the certificates a LOTL pointer announces for a national list, or the
	// pinned signer of a LoTE. The KeyInfo certificate (XML) or x5c leaf (LoTE JWS) must equal
	// one of them byte for byte (no path building).
	Signers []*x509.Certificate
	// At is the verification time; the signer certificate must be valid at At. Required.
	// Callers usually pass the current time, or a pinned time for archived lists.
	At time.Time
}

// VerifyXML verifies the enveloped XAdES signature of an ETSI TS 119 612 XML list and
// returns the list parsed from exactly the bytes the signature covers.
//
// It checks: the input passes ParseXML's structural limits (size, depth, element count, no
// DTD or entity declarations or processing instructions); there is exactly one ds:Signature
// and it is a child of the TrustServiceStatusList root; SignedInfo is canonicalized with
// exclusive C14N and the SignatureValue verifies with the KeyInfo certificate (RSA PKCS#1 v1.5
// or RSA-PSS with SHA-256/384/512, ECDSA P-256/P-384/P-521 with the XMLDSig r||s encoding);
// EVERY ds:Reference digest matches (SHA-256/384/512, transforms limited to
// enveloped-signature and exclusive or inclusive C14N 1.0); exactly one reference covers the
// document root (URI="" or "#<root Id>", with every Id in the document unique) and exactly
// one is the XAdES SignedProperties of this signature; the signed XAdES SigningCertificate
// (or SigningCertificateV2) names the KeyInfo certificate by digest; the KeyInfo certificate
// equals one of opts.Signers and is within its validity period at opts.At. The returned List is decoded
// from the canonical form of the signed root, not from the input bytes.
//
// It does NOT check: the list's freshness (NextUpdate), its sequence number against a cached
// one, its territory against a LOTL pointer, which SigningCertificate form the list's version
// requires (DSS's v5/v6 structure rules), revocation of the signer, or the XSD beyond what the
// model needs.
func VerifyXML(data []byte, opts VerifyOptions) (*List, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	b, err := preflight(data)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, errorf(CodeMalformed, err, "not well-formed XML")
	}
	root := doc.Root()
	if root == nil || root.Tag != rootTag || root.NamespaceURI() != nsTSL {
		return nil, errorf(CodeMalformed, nil, "root is not a TS 119 612 TrustServiceStatusList")
	}

	sig, ids, err := scan(root)
	if err != nil {
		return nil, err
	}
	v := &sigVerifier{root: root, sig: sig, ids: ids}
	signed, info, err := v.verify()
	if err != nil {
		return nil, err
	}
	if err := checkSigner(info.Signer, opts); err != nil {
		return nil, err
	}
	pb, err := preflight(signed)
	if err != nil {
		return nil, err
	}
	l, err := decodeList(pb)
	if err != nil {
		return nil, err
	}
	l.Signature = info
	return l, nil
}

// checkOptions rejects unusable VerifyOptions.
func checkOptions(opts VerifyOptions) error {
	if len(opts.Signers) == 0 {
		return errorf(CodeInvalidArgument, nil, "no accepted signer certificates")
	}
	if opts.At.IsZero() {
		return errorf(CodeInvalidArgument, nil, "zero verification time")
	}
	for _, s := range opts.Signers {
		if s == nil {
			return errorf(CodeInvalidArgument, nil, "nil signer certificate")
		}
	}
	return nil
}

// checkSigner requires signer to equal one of opts.Signers byte for byte and to be within its
// validity period at opts.At.
func checkSigner(signer *x509.Certificate, opts VerifyOptions) error {
	trusted := false
	for _, s := range opts.Signers {
		if bytes.Equal(s.Raw, signer.Raw) {
			trusted = true
			break
		}
	}
	if !trusted {
		return errorf(CodeUntrustedSigner, nil, "signer %q is not an accepted signer", signer.Subject.String())
	}
	if opts.At.Before(signer.NotBefore) || opts.At.After(signer.NotAfter) {
		return errorf(CodeUntrustedSigner, nil, "signer certificate not valid at %s", opts.At.UTC().Format(time.RFC3339))
	}
	return nil
}

// scan finds the single ds:Signature (which must be a child of root) and indexes Id
// attributes, counting duplicates.
func scan(root *etree.Element) (*etree.Element, map[string][]*etree.Element, error) {
	var sigs []*etree.Element
	ids := map[string][]*etree.Element{}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		for _, a := range e.Attr {
			if a.Space == "" && (a.Key == "Id" || a.Key == "ID" || a.Key == "id") {
				ids[a.Value] = append(ids[a.Value], e)
			}
		}
		if e.Tag == signatureTag && e.NamespaceURI() == nsDS {
			sigs = append(sigs, e)
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(root)
	switch {
	case len(sigs) == 0:
		return nil, nil, errorf(CodeNoSignature, nil, "the list carries no ds:Signature")
	case len(sigs) > 1:
		return nil, nil, errorf(CodeWrappedSignature, nil, "%d ds:Signature elements; exactly one is allowed", len(sigs))
	case sigs[0].Parent() != root:
		return nil, nil, errorf(CodeWrappedSignature, nil, "ds:Signature is not a child of the list root")
	}
	return sigs[0], ids, nil
}

type sigVerifier struct {
	root *etree.Element
	sig  *etree.Element
	ids  map[string][]*etree.Element
}

// dsChildren returns the children of e in namespace ns with the given tag.
func nsChildren(e *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range e.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func oneChild(e *etree.Element, ns, tag string) (*etree.Element, error) {
	cs := nsChildren(e, ns, tag)
	if len(cs) != 1 {
		return nil, errorf(CodeSignatureInvalid, nil, "%s: want exactly one %s, have %d", e.Tag, tag, len(cs))
	}
	return cs[0], nil
}

// canonicalize applies exclusive (or inclusive 1.0) C14N to a detached copy of el, so
// namespaces declared on its ancestors are in scope. If enveloped, the signature element is
// removed first.
func (v *sigVerifier) canonicalize(el *etree.Element, c14n, prefixList string, enveloped bool) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "namespace context")
	}
	path := []int(nil)
	if enveloped {
		for e := v.sig; e != el; e = e.Parent() {
			if e == nil {
				return nil, errorf(CodeWrappedSignature, nil, "enveloped-signature transform on an element that does not contain the signature")
			}
			path = append([]int{e.Index()}, path...)
		}
	}
	var det *etree.Element
	if el == v.root {
		det = el.Copy() // the root has no ancestors whose namespaces could be in scope
	} else if det, err = etreeutils.NSDetatch(ctx, el); err != nil {
		return nil, errorf(CodeMalformed, err, "namespace context")
	}
	if enveloped {
		parent := det
		for _, i := range path[:len(path)-1] {
			t, ok := parent.Child[i].(*etree.Element)
			if !ok {
				return nil, errorf(CodeMalformed, nil, "enveloped-signature path")
			}
			parent = t
		}
		if parent.RemoveChildAt(path[len(path)-1]) == nil {
			return nil, errorf(CodeMalformed, nil, "enveloped-signature path")
		}
	}
	var c dsig.Canonicalizer
	switch c14n {
	case algExcC14N:
		c = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixList)
	case algC14N10:
		c = dsig.MakeC14N10RecCanonicalizer()
	default:
		return nil, errorf(CodeUnsupportedAlgorithm, nil, "canonicalization %q", c14n)
	}
	out, err := c.Canonicalize(det)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "canonicalization")
	}
	return out, nil
}

// prefixList returns the PrefixList of an ec:InclusiveNamespaces child, if any.
func prefixList(e *etree.Element) string {
	for _, c := range e.ChildElements() {
		if c.Tag == "InclusiveNamespaces" && c.NamespaceURI() == algExcC14N {
			return c.SelectAttrValue("PrefixList", "")
		}
	}
	return ""
}

func (v *sigVerifier) verify() ([]byte, *Signature, error) {
	si, err := oneChild(v.sig, nsDS, "SignedInfo")
	if err != nil {
		return nil, nil, err
	}
	sv, err := oneChild(v.sig, nsDS, "SignatureValue")
	if err != nil {
		return nil, nil, err
	}
	ki, err := oneChild(v.sig, nsDS, "KeyInfo")
	if err != nil {
		return nil, nil, err
	}
	cm, err := oneChild(si, nsDS, "CanonicalizationMethod")
	if err != nil {
		return nil, nil, err
	}
	sm, err := oneChild(si, nsDS, "SignatureMethod")
	if err != nil {
		return nil, nil, err
	}
	cmAlg := cm.SelectAttrValue("Algorithm", "")
	if cmAlg != algExcC14N {
		return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "SignedInfo canonicalization %q (want exclusive C14N)", cmAlg)
	}
	smAlg := sm.SelectAttrValue("Algorithm", "")
	method, ok := sigMethods[smAlg]
	if !ok {
		return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "signature method %q", smAlg)
	}
	signer, err := keyInfoCert(ki)
	if err != nil {
		return nil, nil, err
	}
	canonSI, err := v.canonicalize(si, algExcC14N, prefixList(cm), false)
	if err != nil {
		return nil, nil, err
	}
	sigBytes, err := decodeBase64(sv.Text())
	if err != nil {
		return nil, nil, errorf(CodeSignatureInvalid, err, "SignatureValue is not base64")
	}
	if err := checkSignature(method, signer, canonSI, sigBytes); err != nil {
		return nil, nil, err
	}

	refs := nsChildren(si, nsDS, "Reference")
	if len(refs) == 0 || len(refs) > MaxReferences {
		return nil, nil, errorf(CodeSignatureInvalid, nil, "%d references (want 1..%d)", len(refs), MaxReferences)
	}
	var signedRoot []byte
	var signedProps *etree.Element
	rootRefs, propRefs := 0, 0
	for i, ref := range refs {
		target, canon, err := v.reference(ref)
		if err != nil {
			return nil, nil, prefixed(err, fmt.Sprintf("reference %d", i+1))
		}
		switch {
		case target == v.root:
			rootRefs++
			signedRoot = canon
		case ref.SelectAttrValue("Type", "") == typeSignedProps:
			propRefs++
			signedProps = target
		}
	}
	if rootRefs != 1 {
		return nil, nil, errorf(CodeWrappedSignature, nil, "%d references cover the list root (want exactly 1)", rootRefs)
	}
	if propRefs != 1 {
		return nil, nil, errorf(CodeSignatureInvalid, nil, "%d XAdES SignedProperties references (want exactly 1)", propRefs)
	}
	if err := checkSigningCertificate(signedProps, signer); err != nil {
		return nil, nil, err
	}
	info := &Signature{Signer: signer, Method: smAlg}
	if st := findDesc(signedProps, nsXAdES, "SigningTime"); st != nil {
		if t, err := parseTime(st.Text()); err == nil {
			info.SigningTime = t
		} else {
			return nil, nil, errorf(CodeMalformed, err, "bad XAdES SigningTime")
		}
	}
	return signedRoot, info, nil
}

// within reports whether e is anc or a descendant of anc.
func within(e, anc *etree.Element) bool {
	for ; e != nil; e = e.Parent() {
		if e == anc {
			return true
		}
	}
	return false
}

func findDesc(e *etree.Element, ns, tag string) *etree.Element {
	for _, c := range e.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
		if f := findDesc(c, ns, tag); f != nil {
			return f
		}
	}
	return nil
}

// reference resolves one ds:Reference, applies its transforms, checks its digest and
// returns the referenced element and its canonical bytes.
func (v *sigVerifier) reference(ref *etree.Element) (*etree.Element, []byte, error) {
	uriAttr := ref.SelectAttr("URI")
	if uriAttr == nil {
		return nil, nil, errorf(CodeWrappedSignature, nil, "reference without URI")
	}
	var target *etree.Element
	switch uri := uriAttr.Value; {
	case uri == "":
		target = v.root
	case strings.HasPrefix(uri, "#") && len(uri) > 1 && !strings.ContainsAny(uri, "() "):
		els := v.ids[uri[1:]]
		if len(els) != 1 {
			return nil, nil, errorf(CodeWrappedSignature, nil, "Id %q is defined %d times", uri[1:], len(els))
		}
		target = els[0]
	default:
		return nil, nil, errorf(CodeWrappedSignature, nil, "reference URI %q does not point into the document", uri)
	}
	// Classify before any transform: only the list root, this signature's SignedProperties
	// and other parts of this signature may be referenced.
	switch {
	case target == v.root:
	case ref.SelectAttrValue("Type", "") == typeSignedProps:
		if target.Tag != signedPropsTag || target.NamespaceURI() != nsXAdES || !within(target, v.sig) {
			return nil, nil, errorf(CodeWrappedSignature, nil, "SignedProperties reference does not point into this signature")
		}
	case within(target, v.sig):
		// e.g. a reference to KeyInfo
	default:
		return nil, nil, errorf(CodeWrappedSignature, nil, "reference covers an element that is neither the list root nor part of the signature")
	}
	c14n, pl, enveloped := algC14N10, "", false
	if ts := nsChildren(ref, nsDS, "Transforms"); len(ts) > 1 {
		return nil, nil, errorf(CodeSignatureInvalid, nil, "several Transforms elements")
	} else if len(ts) == 1 {
		tr := nsChildren(ts[0], nsDS, "Transform")
		if len(tr) > 2 {
			return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "%d transforms", len(tr))
		}
		for i, t := range tr {
			switch alg := t.SelectAttrValue("Algorithm", ""); alg {
			case algEnveloped:
				if i != 0 || enveloped {
					return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "enveloped-signature transform must come first")
				}
				enveloped = true
			case algExcC14N:
				if i != len(tr)-1 {
					return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "canonicalization must be the last transform")
				}
				c14n, pl = alg, prefixList(t)
			case algC14N10:
				if i != len(tr)-1 {
					return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "canonicalization must be the last transform")
				}
				c14n = alg
			default:
				return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "transform %q", alg)
			}
		}
	}
	dm, err := oneChild(ref, nsDS, "DigestMethod")
	if err != nil {
		return nil, nil, err
	}
	dv, err := oneChild(ref, nsDS, "DigestValue")
	if err != nil {
		return nil, nil, err
	}
	h, ok := digestMethods[dm.SelectAttrValue("Algorithm", "")]
	if !ok {
		return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "digest method %q", dm.SelectAttrValue("Algorithm", ""))
	}
	want, err := decodeBase64(dv.Text())
	if err != nil {
		return nil, nil, errorf(CodeSignatureInvalid, err, "DigestValue is not base64")
	}
	canon, err := v.canonicalize(target, c14n, pl, enveloped)
	if err != nil {
		return nil, nil, err
	}
	hh := h.New()
	hh.Write(canon)
	if !bytes.Equal(hh.Sum(nil), want) {
		return nil, nil, errorf(CodeDigestMismatch, nil, "digest of %q does not match", uriAttr.Value)
	}
	return target, canon, nil
}

// keyInfoCert returns the first KeyInfo/X509Data/X509Certificate.
func keyInfoCert(ki *etree.Element) (*x509.Certificate, error) {
	var first *etree.Element
	for _, xd := range nsChildren(ki, nsDS, "X509Data") {
		if xcs := nsChildren(xd, nsDS, "X509Certificate"); len(xcs) > 0 {
			first = xcs[0]
			break
		}
	}
	if first == nil {
		return nil, errorf(CodeSignatureInvalid, nil, "KeyInfo carries no X509Certificate")
	}
	der, err := decodeBase64(first.Text())
	if err != nil || len(der) == 0 {
		return nil, errorf(CodeSignatureInvalid, err, "KeyInfo certificate is not base64")
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		if strings.Contains(err.Error(), "unsupported") {
			return nil, errorf(CodeUnsupportedAlgorithm, err, "signer certificate key")
		}
		return nil, errorf(CodeSignatureInvalid, err, "signer certificate")
	}
	return c, nil
}

func checkSignature(m sigMethod, cert *x509.Certificate, signed, sig []byte) error {
	h := m.hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch m.kind {
	case "rsa", "rsa-pss":
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return errorf(CodeSignatureInvalid, nil, "RSA signature method with a non-RSA key")
		}
		if pub.N.BitLen() < minRSAKeyBits {
			return errorf(CodeUnsupportedAlgorithm, nil, "RSA key of %d bits", pub.N.BitLen())
		}
		var err error
		if m.kind == "rsa" {
			err = rsa.VerifyPKCS1v15(pub, m.hash, digest, sig)
		} else {
			err = rsa.VerifyPSS(pub, m.hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		if err != nil {
			return errorf(CodeSignatureInvalid, err, "SignatureValue does not verify")
		}
	case "ecdsa":
		pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
		if !ok {
			return errorf(CodeSignatureInvalid, nil, "ECDSA signature method with a non-ECDSA key")
		}
		n := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*n {
			return errorf(CodeSignatureInvalid, nil, "ECDSA SignatureValue is %d bytes, want %d (r||s)", len(sig), 2*n)
		}
		r := new(big.Int).SetBytes(sig[:n])
		s := new(big.Int).SetBytes(sig[n:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return errorf(CodeSignatureInvalid, nil, "SignatureValue does not verify")
		}
	}
	return nil
}

// certDigestMethods are the digests accepted in XAdES CertDigest. SHA-1 is accepted here only:
// it identifies a certificate that is also pinned byte for byte, and v5 lists (the 2019 LOTL)
// use it.
var certDigestMethods = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

// checkSigningCertificate requires the signed XAdES SigningCertificate (v5 lists) or
// SigningCertificateV2 (v6 lists) to name the KeyInfo certificate by digest, which binds the
// signer certificate into the signed data.
func checkSigningCertificate(sp *etree.Element, signer *x509.Certificate) error {
	var certs []*etree.Element
	found := 0
	for _, tag := range []string{"SigningCertificate", "SigningCertificateV2"} {
		if sc := findDesc(sp, nsXAdES, tag); sc != nil {
			found++
			certs = append(certs, nsChildren(sc, nsXAdES, "Cert")...)
		}
	}
	if found != 1 {
		return errorf(CodeSignatureInvalid, nil, "want exactly one XAdES SigningCertificate or SigningCertificateV2, have %d", found)
	}
	for _, c := range certs {
		cd := nsChildren(c, nsXAdES, "CertDigest")
		if len(cd) != 1 {
			continue
		}
		dm := nsChildren(cd[0], nsDS, "DigestMethod")
		dv := nsChildren(cd[0], nsDS, "DigestValue")
		if len(dm) != 1 || len(dv) != 1 {
			continue
		}
		h, ok := certDigestMethods[dm[0].SelectAttrValue("Algorithm", "")]
		if !ok {
			continue
		}
		want, err := decodeBase64(dv[0].Text())
		if err != nil {
			continue
		}
		hh := h.New()
		hh.Write(signer.Raw)
		if bytes.Equal(hh.Sum(nil), want) {
			return nil
		}
	}
	return errorf(CodeSignatureInvalid, nil, "XAdES SigningCertificate does not name the KeyInfo certificate")
}
