package trustlist_test

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

// listServer serves lists by their original URL (host + path) from an httptest.Server; its
// client's Transport rewrites every request to the test server, so lists are fetched from
// the addresses the real LOTLs name.
type listServer struct {
	srv *httptest.Server

	mu     sync.Mutex
	files  map[string][]byte // "host/path" → body
	status map[string]int    // "host/path" → forced status
	reqs   []seenRequest
}

type seenRequest struct {
	key, ifNoneMatch, ifModifiedSince string
}

// listModTime is the Last-Modified of every served list.
var listModTime = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func newListServer(t testing.TB) *listServer {
	t.Helper()
	s := &listServer{files: map[string][]byte{}, status: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.close)
	return s
}

func (s *listServer) close() { s.srv.Close() }

func key(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	return p.Host + p.Path
}

func (s *listServer) put(u string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[key(u)] = body
}

func (s *listServer) setStatus(u string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[key(u)] = code
}

func (s *listServer) requests(u string) []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []seenRequest
	for _, r := range s.reqs {
		if r.key == key(u) {
			out = append(out, r)
		}
	}
	return out
}

func (s *listServer) serve(w http.ResponseWriter, r *http.Request) {
	k := strings.TrimPrefix(r.URL.Path, "/")
	s.mu.Lock()
	s.reqs = append(s.reqs, seenRequest{k, r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")})
	body, ok := s.files[k]
	code := s.status[k]
	s.mu.Unlock()
	if code != 0 {
		http.Error(w, http.StatusText(code), code)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := sha256.Sum256(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(h[:8])+`"`)
	http.ServeContent(w, r, "", listModTime, bytes.NewReader(body))
}

// client returns an HTTP client whose Transport sends every request to the test server,
// with the original host as the first path segment.
func (s *listServer) client() *http.Client {
	base := s.srv.Client().Transport
	return &http.Client{Transport: rewrite{base: base, target: s.srv.URL}}
}

type rewrite struct {
	base   http.RoundTripper
	target string
}

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	u, err := url.Parse(rw.target + "/" + r.URL.Host + r.URL.EscapedPath())
	if err != nil {
		return nil, err
	}
	r2 := r.Clone(r.Context())
	r2.URL = u
	r2.Host = u.Host
	return rw.base.RoundTrip(r2)
}

// pointerURL returns the location of the only XML pointer of the fixture lotl for territory.
func pointerURL(t testing.TB, lotl, territory string) string {
	t.Helper()
	ps := parseFixture(t, lotl).XMLPointersTo(territory)
	if len(ps) != 1 {
		t.Fatalf("%s: %d XML pointers for %s", lotl, len(ps), territory)
	}
	return ps[0].Location
}

// stateOf returns the state of the list loaded from u.
func stateOf(t testing.TB, s *trustlist.Snapshot, u string) trustlist.ListState {
	t.Helper()
	st, ok := s.State(u)
	if !ok {
		t.Fatalf("no state for %s", u)
	}
	return st
}

// Synthetic lists signed with generated keys (sign_helper_test.go), for the cases real
// lists cannot show.

const (
	synthLOTLURL = "https://lotl.example.test/lotl.xml"
	synthXAURL   = "https://tl.example.test/xa.xml"
	synthXBURL   = "https://tl.example.test/xb.xml"
)

// synthNow is inside the validity of the generated signers and before every synthetic
// list's NextUpdate.
var synthNow = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

type synthPointer struct {
	territory, location string
	signer              *x509.Certificate
}

func certB64(c *x509.Certificate) string { return base64.StdEncoding.EncodeToString(c.Raw) }

// synthLOTL returns an unsigned EU list of the lists with the given pointers.
func synthLOTL(seq int, ptrs ...synthPointer) string {
	var p strings.Builder
	for _, ptr := range ptrs {
		fmt.Fprintf(&p, `<OtherTSLPointer><ServiceDigitalIdentities><ServiceDigitalIdentity><DigitalId><X509Certificate>%s</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceDigitalIdentities>`+
			`<TSLLocation>%s</TSLLocation><AdditionalInformation>`+
			`<OtherInformation><TSLType>%s</TSLType></OtherInformation>`+
			`<OtherInformation><SchemeTerritory>%s</SchemeTerritory></OtherInformation>`+
			`<OtherInformation><tslx:MimeType xmlns:tslx="http://uri.etsi.org/02231/v2/additionaltypes#">%s</tslx:MimeType></OtherInformation>`+
			`</AdditionalInformation></OtherTSLPointer>`, certB64(ptr.signer), ptr.location, trustlist.TSLTypeEUGeneric, ptr.territory, trustlist.MimeTypeTSLXML)
	}
	return `<?xml version="1.0" encoding="UTF-8"?><TrustServiceStatusList xmlns="` + nsTSL + `" TSLTag="http://uri.etsi.org/19612/TSLTag">` +
		`<SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>` + fmt.Sprint(seq) + `</TSLSequenceNumber>` +
		`<TSLType>` + trustlist.TSLTypeEUListOfLists + `</TSLType>` +
		`<SchemeOperatorName><Name xml:lang="en">hashi test LOTL operator</Name></SchemeOperatorName>` +
		`<SchemeTerritory>EU</SchemeTerritory>` +
		`<PointersToOtherTSL>` + p.String() + `</PointersToOtherTSL>` +
		`<ListIssueDateTime>2026-01-01T00:00:00Z</ListIssueDateTime><NextUpdate><dateTime>2026-07-01T00:00:00Z</dateTime></NextUpdate>` +
		`</SchemeInformation></TrustServiceStatusList>`
}

// synthTL returns an unsigned national list for territory with sequence number seq.
func synthTL(territory string, seq int) string {
	s := strings.Replace(minimalList("", ""), "<SchemeTerritory>JP</SchemeTerritory>", "<SchemeTerritory>"+territory+"</SchemeTerritory>", 1)
	return strings.Replace(s, "<TSLSequenceNumber>7</TSLSequenceNumber>", fmt.Sprintf("<TSLSequenceNumber>%d</TSLSequenceNumber>", seq), 1)
}

// synthPKI is a LOTL signer (the "Official Journal" set) and one signer per territory.
type synthPKI struct {
	oj, xa, xb *testSigner
}

func newSynthPKI(t testing.TB) synthPKI {
	t.Helper()
	mk := func() *testSigner {
		return newTestSigner(t, genEC(t, elliptic.P256()), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", crypto.SHA256, false)
	}
	return synthPKI{oj: mk(), xa: mk(), xb: mk()}
}

// lotl returns the signed synthetic LOTL pointing XA and XB at their signers.
func (p synthPKI) lotl(t testing.TB, seq int) []byte {
	t.Helper()
	return p.oj.sign(t, synthLOTL(seq,
		synthPointer{"XA", synthXAURL, p.xa.cert},
		synthPointer{"XB", synthXBURL, p.xb.cert}), "")
}

// memTransport serves lists from memory by full URL, without sockets (benchmarks and
// goroutine-leak tests).
type memTransport map[string][]byte

func (m memTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b, ok := m[r.URL.String()]
	code := http.StatusOK
	if !ok {
		code = http.StatusNotFound
	}
	return &http.Response{
		StatusCode:    code,
		Status:        http.StatusText(code),
		Header:        http.Header{},
		Body:          io.NopCloser(bytes.NewReader(b)),
		ContentLength: int64(len(b)),
		Request:       r,
	}, nil
}
