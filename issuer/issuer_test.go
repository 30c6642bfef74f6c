package issuer_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/vcjwt"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerstore"
)

const (
	base       = "https://127.0.0.1:8443/issuer"
	adminToken = "registrar-secret-oostland"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	pkiOnce sync.Once
	pkiDir  string
	errPKI  error
)

// pilotPKI generates the pilot PKI once per test binary (keys take a moment).
func pilotPKI(t testing.TB) *pki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		pkiDir, errPKI = tempDir()
		if errPKI == nil {
			_, errPKI = pki.Init(pkiDir, pki.DefaultConfig(base), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		}
	})
	if errPKI != nil {
		t.Fatal(errPKI)
	}
	p, err := pki.Load(pkiDir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type fixture struct {
	is    *issuer.Issuer
	st    *issuerstore.Store
	clock *clock
	seal  *pki.Entity
	ci    string // credential issuer id of oostland
}

func newFixture(t *testing.T, mutate ...func(*issuer.Config)) *fixture {
	t.Helper()
	p := pilotPKI(t)
	ctx := t.Context()
	db := sqldbtest.Open(t, sqldbtest.SQLiteDSN(t))
	st, err := issuerstore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var tenants []issuer.Tenant
	for _, u := range []struct{ id, en, ja, country string }{
		{"oostland", "Oostland University", "オーストランド大学", "NL"},
		{"sakuragaoka", "Sakuragaoka University", "桜ヶ丘大学", "JP"},
	} {
		e, err := p.Entity(pki.RoleSeal, u.id)
		if err != nil {
			t.Fatal(err)
		}
		tenants = append(tenants, issuer.Tenant{ID: u.id, NameEN: u.en, NameJA: u.ja, Country: u.country,
			Seal: e.Signer(), Chain: e.Chain, AdminTokenSHA256: sha256.Sum256([]byte("registrar-secret-" + u.id))})
	}
	c := &clock{t: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	cfg := issuer.Config{BaseURL: base, Tenants: tenants, Clock: c.Now, StatusListSize: 1024}
	for _, m := range mutate {
		m(&cfg)
	}
	is, err := issuer.New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	seal, _ := p.Entity(pki.RoleSeal, "oostland")
	return &fixture{is: is, st: st, clock: c, seal: seal, ci: base + "/oostland"}
}

// wallet is a minimal OpenID4VCI client for the tests.
type wallet struct {
	t      *testing.T
	f      *fixture
	dpop   *dpop.Prover
	tenant string
}

func newWallet(t *testing.T, f *fixture, tenant string) *wallet {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dpop.NewProver(k)
	if err != nil {
		t.Fatal(err)
	}
	return &wallet{t: t, f: f, dpop: p, tenant: tenant}
}

func (w *wallet) ci() string { return base + "/" + w.tenant }

func (w *wallet) dpopProof(path, token string) string {
	w.t.Helper()
	p, err := w.dpop.Proof("POST", w.ci()+path, dpop.ProofOptions{IssuedAt: w.f.clock.Now(), AccessToken: token})
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *wallet) token(code, txCode string, withDPoP bool) (*issuer.TokenResponse, error) {
	form := url.Values{"grant_type": {issuer.GrantPreAuthorizedCode}, "pre-authorized_code": {code}, "unknown_param": {"ignored"}}
	if txCode != "" {
		form.Set("tx_code", txCode)
	}
	req := issuer.TokenRequest{Form: form}
	if withDPoP {
		req.DPoP = []string{w.dpopProof(issuer.PathToken, "")}
	}
	return w.f.is.Token(w.t.Context(), w.tenant, req)
}

func (w *wallet) nonce() string {
	w.t.Helper()
	n, err := w.f.is.Nonce(w.t.Context(), w.tenant)
	if err != nil {
		w.t.Fatal(err)
	}
	return n.CNonce
}

type holderKey struct {
	key *ecdsa.PrivateKey
}

func newHolderKey(t *testing.T) holderKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return holderKey{key: k}
}

// proof builds an openid4vci-proof+jwt; mutate may change header or claims.
func (w *wallet) proof(k holderKey, nonce string, mutate func(h *jose.SignHeader, claims map[string]any)) string {
	w.t.Helper()
	h := jose.SignHeader{Typ: issuer.ProofType, JWK: k.key.Public()}
	claims := map[string]any{"aud": w.ci(), "iat": w.f.clock.Now().Unix(), "nonce": nonce}
	if mutate != nil {
		mutate(&h, claims)
	}
	b, _ := json.Marshal(claims)
	s, err := jose.Sign(k.key, h, b)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *wallet) credential(tok *issuer.TokenResponse, body any) (*issuer.CredentialResponse, error) {
	b, _ := json.Marshal(body)
	return w.f.is.Credential(w.t.Context(), w.tenant, w.auth(tok, issuer.PathCredential), b)
}

func (w *wallet) auth(tok *issuer.TokenResponse, path string) issuer.Authorization {
	a := issuer.Authorization{Scheme: tok.TokenType, Token: tok.AccessToken}
	if tok.TokenType == "DPoP" {
		a.DPoP = []string{w.dpopProof(path, tok.AccessToken)}
	}
	return a
}

func offerCode(t *testing.T, f *fixture, tenant string, res *issuer.OfferResult) string {
	t.Helper()
	o, err := f.is.CredentialOffer(t.Context(), tenant, res.OfferID)
	if err != nil {
		t.Fatal(err)
	}
	g := o.Grants[issuer.GrantPreAuthorizedCode].(map[string]any)
	return g["pre-authorized_code"].(string)
}

func diplomaJSON(t testing.TB) json.RawMessage {
	b, err := json.Marshal(academic.SampleEUMaster())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantCode(t *testing.T, err error, code issuer.Code) {
	t.Helper()
	if issuer.CodeOf(err) != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
}

func TestPreAuthorizedFlow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		config   string
		txCode   bool
		withDPoP bool
		batch    int
	}{
		{"ok/diploma-sd-jwt-tx-dpop", issuer.ConfigDiplomaSDJWT, true, true, 1},
		{"ok/learning-sd-jwt-bearer", issuer.ConfigLearningSDJWT, false, false, 1},
		{"ok/jwt-vc-json-batch", issuer.ConfigDiplomaJWTVC, true, true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := t.Context()
			tx := tc.txCode
			res, err := f.is.CreateOffer(ctx, "oostland", issuer.OfferRequest{CredentialConfigurationID: tc.config, Claims: diplomaJSON(t), TxCode: &tx})
			if err != nil {
				t.Fatal(err)
			}
			if (res.TxCode != "") != tc.txCode || !strings.HasPrefix(res.Offer, "openid-credential-offer://?credential_offer_uri=") {
				t.Fatalf("offer %+v", res)
			}
			w := newWallet(t, f, "oostland")
			code := offerCode(t, f, "oostland", res)
			offerCode(t, f, "oostland", res) // wallets may fetch twice
			tok, err := w.token(code, res.TxCode, tc.withDPoP)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{true: "DPoP", false: "Bearer"}[tc.withDPoP]; tok.TokenType != want {
				t.Fatalf("token type %s", tok.TokenType)
			}
			if _, err := f.is.CredentialOffer(ctx, "oostland", res.OfferID); issuer.CodeOf(err) != issuer.CodeNotFound {
				t.Fatalf("offer still served after redemption: %v", err)
			}
			nonce := w.nonce()
			var keys []holderKey
			var proofs []any
			for range tc.batch {
				k := newHolderKey(t)
				keys = append(keys, k)
				proofs = append(proofs, w.proof(k, nonce, nil))
			}
			cr, err := w.credential(tok, map[string]any{"credential_configuration_id": tc.config, "proofs": map[string]any{"jwt": proofs}})
			if err != nil {
				t.Fatal(err)
			}
			if cr.Deferred() || len(cr.Credentials) != tc.batch || cr.NotificationID == "" {
				t.Fatalf("response %+v", cr)
			}
			for i, c := range cr.Credentials {
				ref, holder := verifyCredential(t, f, tc.config, c.Credential)
				if !keys[i].key.PublicKey.Equal(holder) {
					t.Fatalf("credential %d bound to another key", i)
				}
				if got := statusOf(t, f, "oostland", ref); got != statuslist.Valid {
					t.Fatalf("status %v", got)
				}
			}
			// The same token cannot obtain the configuration twice.
			_, err = w.credential(tok, map[string]any{"credential_configuration_id": tc.config, "proofs": map[string]any{"jwt": []any{w.proof(newHolderKey(t), w.nonce(), nil)}}})
			wantCode(t, err, issuer.CodeCredentialRequestDenied)
			// Another student's token cannot notify for this credential.
			{
				other := newWallet(t, f, "oostland")
				_, otherCode := newOffer(t, f, "oostland", false)
				otherTok, err := other.token(otherCode, "", true)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(map[string]string{"notification_id": cr.NotificationID, "event": "credential_deleted"})
				wantCode(t, f.is.Notification(ctx, "oostland", other.auth(otherTok, issuer.PathNotification), b), issuer.CodeInvalidNotificationID)
			}
			// Notification, twice (idempotent).
			for range 2 {
				b, _ := json.Marshal(map[string]string{"notification_id": cr.NotificationID, "event": "credential_accepted"})
				if err := f.is.Notification(ctx, "oostland", w.auth(tok, issuer.PathNotification), b); err != nil {
					t.Fatal(err)
				}
			}
			// Revocation reaches the status list.
			recs, err := f.is.ListIssuances(ctx, "oostland", res.OfferID, time.Time{}, 0)
			if err != nil || len(recs) != tc.batch || recs[0].WalletEvent != "credential_accepted" {
				t.Fatalf("issuances %+v %v", recs, err)
			}
			if _, err := f.is.SetCredentialStatus(ctx, "oostland", recs[0].ID, "revoked"); err != nil {
				t.Fatal(err)
			}
			ref := statuslist.Reference{Idx: recs[0].StatusIndex, URI: recs[0].StatusList}
			if got := statusOf(t, f, "oostland", ref); got != statuslist.Invalid {
				t.Fatalf("after revocation: %v", got)
			}
			_, err = f.is.SetCredentialStatus(ctx, "oostland", recs[0].ID, "valid")
			wantCode(t, err, issuer.CodeConflict)
		})
	}
}

// verifyCredential verifies an issued credential as a verifier would (x5c) and returns its
// status reference and holder key.
func verifyCredential(t *testing.T, f *fixture, config, c string) (statuslist.Reference, crypto.PublicKey) {
	t.Helper()
	now := f.clock.Now().Add(time.Second)
	if config == issuer.ConfigDiplomaJWTVC {
		res, err := vcjwt.Verify(c, vcjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.ES256}, AllowX5C: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Issuer != f.ci || !res.Chain[0].Equal(f.seal.Certificate) || res.Status == nil {
			t.Fatalf("jwt_vc_json: iss %s status %v", res.Issuer, res.Status)
		}
		return *res.Status, res.HolderKey
	}
	u, err := sdjwt.ParseUnverified(c)
	if err != nil {
		t.Fatal(err)
	}
	v, err := u.VerifyVC(t.Context(), sdjwt.VCPolicy{
		Policy:     sdjwt.Policy{Now: now, Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.Issuer != f.ci || v.Status == nil || len(v.Disclosures) == 0 {
		t.Fatalf("sd-jwt: %+v", v)
	}
	wantVCT := map[string]string{issuer.ConfigDiplomaSDJWT: academic.VCTHashiDiploma, issuer.ConfigLearningSDJWT: academic.VCTLearningCredential}[config]
	if v.VCT != wantVCT {
		t.Fatalf("vct %s", v.VCT)
	}
	return statuslist.Reference{Idx: int(v.Status.Index), URI: v.Status.URI}, v.Confirmation
}

// statusOf fetches and verifies the status list token the reference names.
func statusOf(t *testing.T, f *fixture, tenant string, ref statuslist.Reference) statuslist.Status {
	t.Helper()
	id, err := strconv.Atoi(ref.URI[strings.LastIndexByte(ref.URI, '/')+1:])
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.is.StatusList(t.Context(), tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	u, err := statuslist.ParseToken(tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	v, err := u.Verify(f.seal.Certificate.PublicKey, statuslist.Policy{URI: ref.URI, Algorithms: []jose.Algorithm{jose.ES256}, Now: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.Status(ref)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tempDir makes a directory that outlives single tests (the shared PKI); TestMain removes it.
func tempDir() (string, error) {
	d, err := os.MkdirTemp("", "hashi-issuer-pki-")
	if err != nil {
		return "", err
	}
	cleanups = append(cleanups, func() { _ = os.RemoveAll(d) })
	return d, nil
}

var cleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}
