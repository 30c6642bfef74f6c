package verifier_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierstore"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// desk is a JP verifier desk with its flow over a real store.
type desk struct {
	flow   *verifier.Flow
	store  *verifierstore.Store
	clock  *clock
	access *pki.Entity
	base   string
	lists  *memStatus // the status lists the desk fetches
}

const jpDeskBase = "https://jp-desk.localhost"

// deskPolicies: "default" recognises EU and JP diplomas; "unbound" also accepts credentials
// without holder binding (for the replay test).
func deskPolicies() map[string]verifier.DeskPolicy {
	unbound := euRule()
	unbound.HolderBinding = verifier.HolderBindingNotRequiredUnsafe
	unboundVCDM := jwtVCPolicy(true)(getPilot()).Recognition.Rules[0]
	learnEU, learnJP := euRule(), jpRule()
	learnEU.RequiredClaims = []dcql.Path{{"achievement_title"}}
	learnJP.RequiredClaims = learnEU.RequiredClaims
	return map[string]verifier.DeskPolicy{
		"learning": {Recognition: verifier.Recognition{Rules: []verifier.Rule{learnEU, learnJP}}, Jurisdiction: "EU"},
		"default":  {Recognition: verifier.Recognition{Rules: []verifier.Rule{euRule(), jpRule()}}, Jurisdiction: "JP"},
		"unbound":  {Recognition: verifier.Recognition{Rules: []verifier.Rule{unbound}}, Jurisdiction: "JP"},
		// jwt_vc_json without holder binding, JP diplomas (for the replay test).
		"unbound-vcdm": {Recognition: verifier.Recognition{Rules: []verifier.Rule{unboundVCDM}}, Jurisdiction: "EU"},
	}
}

// newDesk builds the JP desk over db with the pilot trust set and status lists.
func newDesk(t testing.TB, db *sqldb.DB, prefix string, mod func(*verifier.FlowConfig)) *desk {
	t.Helper()
	f := getPilot()
	st := &memStatus{}
	st.set(statusURI(f.euIssuer), statusToken(f.euSeal, statusURI(f.euIssuer), presentedAt))
	st.set(statusURI(f.jpIssuer), statusToken(f.jpSeal, statusURI(f.jpIssuer), presentedAt))
	v := must1(verifier.New(f.trustSet(granted(), granted()), st))
	store, err := verifierstore.New(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	access := must1(f.p.Entity(pki.RoleAccess, "jp-desk"))
	c := &clock{t: presentedAt}
	cfg := verifier.FlowConfig{
		Key: access.Signer(), Chain: access.Chain, BaseURL: jpDeskBase, ClientIDPrefix: prefix,
		Policies: deskPolicies(), DefaultPolicy: "default", Now: c.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	fl, err := verifier.NewFlow(store, v, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &desk{flow: fl, store: store, clock: c, access: access, base: jpDeskBase, lists: st}
}

func sqliteDB(t testing.TB) *sqldb.DB { return sqldbtest.Open(t, sqldbtest.SQLiteDSN(t)) }

// testWallet is a minimal OpenID4VP 1.0 wallet written from the spec: it opens request
// links, fetches and validates signed request objects (typ, x5c chain to the access CA,
// signature, client_id prefix binding, aud, wallet_nonce, exp), matches its credentials
// against the DCQL query, presents them with a KB-JWT and answers with direct_post or
// direct_post.jwt (ECDH-ES to the request's key). It never imports package wallet.
type testWallet struct {
	creds  []string          // SD-JWT VCs as issued
	anchor *x509.Certificate // the access CA the wallet trusts
	now    time.Time
	encs   []string // enc values the wallet supports, preferred first
}

func newTestWallet(creds ...string) *testWallet {
	f := getPilot()
	access := must1(f.p.Entity(pki.RoleAccess, "jp-desk"))
	return &testWallet{creds: creds, anchor: access.Anchor, now: presentedAt, encs: []string{"A256GCM", "A128GCM"}}
}

// authzRequest is a validated request object.
type authzRequest struct {
	ClientID     string
	ResponseMode string
	ResponseURI  string
	Nonce        string
	State        string
	WalletNonce  string
	Query        *dcql.Query
	Claims       map[string]any
	Leaf         *x509.Certificate
}

// fetch opens link at d: it reads the request_uri and fetches the object with the link's
// method (POST with walletMetadata and a wallet_nonce), then validates it.
func (w *testWallet) fetch(ctx context.Context, d *desk, link, walletMetadata string) (*authzRequest, error) {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "openid4vp" {
		return nil, fmt.Errorf("not an openid4vp link: %q", link)
	}
	q := u.Query()
	clientID, requestURI, method := q.Get("client_id"), q.Get("request_uri"), q.Get("request_uri_method")
	id, ok := strings.CutPrefix(requestURI, d.base+verifier.PathRequestObject)
	if !ok {
		return nil, fmt.Errorf("request_uri %q is not the desk's", requestURI)
	}
	walletNonce := ""
	httpMethod := "GET"
	if method == "post" {
		httpMethod, walletNonce = "POST", "wn-"+id[:8]
	}
	obj, err := d.flow.RequestObject(ctx, id, httpMethod, walletMetadata, walletNonce)
	if err != nil {
		return nil, err
	}
	return w.validate(obj, clientID, walletNonce)
}

func (w *testWallet) validate(obj, clientID, walletNonce string) (*authzRequest, error) {
	if strings.HasPrefix(clientID, verifier.PrefixRedirectURI+":") {
		return w.validateUnsigned(obj, clientID, walletNonce)
	}
	jws, err := jose.Parse(obj)
	if err != nil {
		return nil, err
	}
	if err := jws.CheckType(verifier.RequestObjectType); err != nil {
		return nil, err
	}
	certs, err := jws.Header.Certificates()
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("no x5c: %w", err)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(w.anchor)
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: w.now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, fmt.Errorf("access certificate: %w", err)
	}
	if err := jws.Verify(certs[0].PublicKey, jose.ES256); err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.Payload, &claims); err != nil {
		return nil, err
	}
	r := &authzRequest{Claims: claims, Leaf: certs[0]}
	if err := w.fill(r, claims, clientID, walletNonce); err != nil {
		return nil, err
	}
	prefix, orig, _ := strings.Cut(r.ClientID, ":")
	switch prefix {
	case verifier.PrefixX509Hash:
		sum := sha256.Sum256(certs[0].Raw)
		if orig != base64.RawURLEncoding.EncodeToString(sum[:]) {
			return nil, errors.New("x509_hash does not match the leaf")
		}
	case verifier.PrefixX509SANDNS:
		ru, err := url.Parse(r.ResponseURI)
		if err != nil || !slices.Contains(certs[0].DNSNames, orig) || ru.Hostname() != orig {
			return nil, errors.New("x509_san_dns does not match the leaf or the response_uri")
		}
	default:
		return nil, fmt.Errorf("unsupported client_id prefix %q", prefix)
	}
	return w.finish(r, claims)
}

// validateUnsigned reads an unsecured request object (alg "none", redirect_uri prefix): the
// client_id's original identifier must be the response_uri.
func (w *testWallet) validateUnsigned(obj, clientID, walletNonce string) (*authzRequest, error) {
	parts := strings.Split(obj, ".")
	if len(parts) != 3 || parts[2] != "" {
		return nil, errors.New("not an unsecured JWT")
	}
	var h map[string]any
	if err := json.Unmarshal(must1(base64.RawURLEncoding.DecodeString(parts[0])), &h); err != nil || h["alg"] != "none" || h["typ"] != verifier.RequestObjectType {
		return nil, fmt.Errorf("unsecured JWT header %v", h)
	}
	var claims map[string]any
	if err := json.Unmarshal(must1(base64.RawURLEncoding.DecodeString(parts[1])), &claims); err != nil {
		return nil, err
	}
	r := &authzRequest{Claims: claims}
	if err := w.fill(r, claims, clientID, walletNonce); err != nil {
		return nil, err
	}
	if orig, _ := strings.CutPrefix(r.ClientID, verifier.PrefixRedirectURI+":"); orig != r.ResponseURI {
		return nil, errors.New("redirect_uri client_id is not the response_uri")
	}
	return w.finish(r, claims)
}

func (w *testWallet) finish(r *authzRequest, claims map[string]any) (*authzRequest, error) {
	qb, _ := json.Marshal(claims["dcql_query"])
	var err error
	if r.Query, err = dcql.Parse(qb); err != nil {
		return nil, err
	}
	return r, nil
}

// fill reads and checks the members every request object must have.
func (w *testWallet) fill(r *authzRequest, claims map[string]any, clientID, walletNonce string) error {
	str := func(k string) string { s, _ := claims[k].(string); return s }
	r.ClientID, r.ResponseMode, r.ResponseURI = str("client_id"), str("response_mode"), str("response_uri")
	r.Nonce, r.State, r.WalletNonce = str("nonce"), str("state"), str("wallet_nonce")
	switch {
	case r.ClientID != clientID:
		return fmt.Errorf("client_id %q is not the link's %q", r.ClientID, clientID)
	case str("aud") != verifier.RequestObjectAudience, str("response_type") != "vp_token":
		return errors.New("wrong aud or response_type")
	case r.WalletNonce != walletNonce:
		return fmt.Errorf("wallet_nonce %q; sent %q", r.WalletNonce, walletNonce)
	case len(r.Nonce) < 22 || len(r.State) < 22:
		return errors.New("nonce or state below 128 bits")
	}
	if exp, _ := claims["exp"].(float64); int64(exp) <= w.now.Unix() {
		return errors.New("request object expired")
	}
	return nil
}

// present answers the query: every credential is checked and matched (dcql.Match), the
// default choice presented with a KB-JWT for aud/nonce (the request's unless overridden).
func (w *testWallet) present(r *authzRequest, aud, nonce string) []byte {
	f := getPilot()
	var cands []dcql.Credential
	for _, c := range w.creds {
		u := must1(sdjwt.ParseUnverified(c))
		hdr := u.Header()
		certs := must1(hdr.Certificates())
		v := must1(u.Verify(certs[0].PublicKey, sdjwt.Policy{Type: "dc+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: w.now}))
		vct, _ := v.Claims["vct"].(string)
		cands = append(cands, dcql.Credential{Format: dcql.FormatSDJWTVC, VCT: vct, Claims: v.Claims, HolderBinding: v.Confirmation != nil})
	}
	m := must1(r.Query.Match(cands))
	if aud == "" {
		aud = r.ClientID
	}
	if nonce == "" {
		nonce = r.Nonce
	}
	h := must1(sdjwt.NewHolder(f.holder))
	out := map[string][]string{}
	for id, choice := range m.DefaultChoice() {
		for _, cm := range choice {
			var paths []sdjwt.Path
			for _, p := range cm.Paths() {
				paths = append(paths, sdjwt.Path(p))
			}
			out[id] = append(out[id], must1(h.Present(w.creds[cm.Index], paths, sdjwt.KBClaims{Nonce: nonce, Audience: aud, IssuedAt: w.now})))
		}
	}
	return must1(json.Marshal(out))
}

// form builds the response for r: direct_post (vp_token, state) or direct_post.jwt (the
// payload encrypted to the request's key with the wallet's preferred enc).
func (w *testWallet) form(r *authzRequest, vpToken []byte) url.Values {
	if r.ResponseMode == verifier.ResponseModeDirectPost {
		return url.Values{"vp_token": {string(vpToken)}, "state": {r.State}}
	}
	payload := must1(json.Marshal(map[string]any{"vp_token": json.RawMessage(vpToken), "state": r.State}))
	return url.Values{"response": {w.encrypt(r, payload)}}
}

func (w *testWallet) encrypt(r *authzRequest, payload []byte) string {
	meta := r.Claims["client_metadata"].(map[string]any)
	key := meta["jwks"].(map[string]any)["keys"].([]any)[0].(map[string]any)
	if key["alg"] != "ECDH-ES" || key["use"] != "enc" || key["kid"] == "" {
		panic("unexpected encryption JWK")
	}
	pub := must1(jose.PublicKeyFromMap(key))
	offered := meta["encrypted_response_enc_values_supported"].([]any)
	enc := ""
	for _, e := range w.encs {
		if slices.Contains(offered, any(e)) {
			enc = e
			break
		}
	}
	return must1(jose.EncryptECDHES(payload, pub, jose.ContentEncryption(enc), key["kid"].(string)))
}

// wantCode fails t unless err is a *verifier.Error with code.
func wantCode(t testing.TB, err error, code verifier.Code) {
	t.Helper()
	if got := verifier.CodeOf(err); got != code {
		t.Fatalf("error %v (code %q); want code %q", err, got, code)
	}
}

// status returns the report of id.
func (d *desk) status(t testing.TB, id string) *verifier.Report {
	t.Helper()
	rep, err := d.flow.Status(t.Context(), id)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return rep
}

// create makes a request and returns it with the wallet's validated view.
func (d *desk) create(t testing.TB, w *testWallet, in verifier.RequestInput) (*verifier.Created, *authzRequest) {
	t.Helper()
	c, err := d.flow.CreateRequest(t.Context(), in)
	if err != nil {
		t.Fatalf("create request: %v", err)
	}
	r, err := w.fetch(t.Context(), d, c.Request, "")
	if err != nil {
		t.Fatalf("fetch request object: %v", err)
	}
	return c, r
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return bytes.Equal(must1(json.Marshal(x)), must1(json.Marshal(y)))
}
