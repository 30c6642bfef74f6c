package trustlist_test

import (
	"bytes"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/hashi-vc/hashi/trustlist"
)

// FuzzLoadBody serves arbitrary bytes as a national list. Properties: no panic, and a list
// is used only if exactly those bytes verify against the pointer's signer.
func FuzzLoadBody(f *testing.F) {
	pki := newSynthPKI(f)
	lotl := pki.lotl(f, 1)
	good := pki.xa.sign(f, synthTL("XA", 8), "")
	f.Add(good)
	f.Add(pki.xa.sign(f, synthTL("XB", 8), ""))
	f.Add(bytes.Replace(good, []byte(">8<"), []byte(">9<"), 1))
	f.Add([]byte(minimalList("", "")))
	f.Add([]byte("not a list"))
	f.Fuzz(func(t *testing.T, body []byte) {
		files := memTransport{synthLOTLURL: lotl, synthXAURL: body}
		l, err := trustlist.NewLoader(&http.Client{Transport: files}, trustlist.WithLOTL(trustlist.LOTLConfig{URL: synthLOTLURL, Signers: []*x509.Certificate{pki.oj.cert}, Territories: []string{"XA"}}))
		if err != nil {
			t.Fatal(err)
		}
		s, err := l.Load(t.Context(), synthNow)
		if err != nil {
			t.Fatal(err)
		}
		st, ok := s.State(synthXAURL)
		if !ok {
			t.Fatal("no XA state")
		}
		if st.List == nil {
			if st.Err == nil || st.Code() == "" {
				t.Fatalf("unused list without a coded error: %v", st.Err)
			}
			return
		}
		v, err := trustlist.VerifyXML(body, trustlist.VerifyOptions{Signers: []*x509.Certificate{pki.xa.cert}, At: synthNow})
		if err != nil || v.Territory != "XA" || st.Origin != trustlist.OriginNetwork {
			t.Fatalf("list used although VerifyXML says %v (territory %q, origin %q)", err, st.Territory, st.Origin)
		}
	})
}
