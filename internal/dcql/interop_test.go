package dcql_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

// TestSDJWTInterop runs a query through real SD-JWT VCs: the wallet matches its verified
// diploma, presents exactly the matched paths with sdjwt.Holder.Present, and the verifier
// checks the verified presentation with CheckResponse.
func TestSDJWTInterop(t *testing.T) {
	if dcql.MaxPathLength > sdjwt.MaxPathLength {
		t.Fatalf("dcql.MaxPathLength %d exceeds sdjwt.MaxPathLength %d", dcql.MaxPathLength, sdjwt.MaxPathLength)
	}
	issuerKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	holderKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	holderJWK, err := jose.PublicJWK(&holderKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := academic.SampleEUMaster().HashiDiplomaClaims()
	if err != nil {
		t.Fatal(err)
	}
	claims := maps.Clone(cs.Claims)
	claims["iss"] = "https://registrar.voorbeeld.example"
	claims["vct"] = cs.VCT
	claims["iat"] = 1772323200
	claims["cnf"] = map[string]any{"jwk": holderJWK}
	disclosable := make([]sdjwt.Path, len(cs.Disclosable))
	for i, p := range cs.Disclosable {
		disclosable[i] = sdjwt.Path(p)
	}
	issuer, err := sdjwt.NewVCIssuer(issuerKey, jose.SignHeader{Kid: "seal"})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := issuer.Issue(claims, disclosable)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1772323800, 0)

	// Wallet: verify on receipt (no KB), then match.
	u, err := sdjwt.ParseUnverified(issued)
	if err != nil {
		t.Fatal(err)
	}
	held, err := u.Verify(&issuerKey.PublicKey, sdjwt.Policy{Type: "dc+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	q := mustParse(t, `{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["urn:hashi:diploma:1"]},
		"claims":[{"id":"fn","path":["family_name"]},{"id":"eqf","path":["degree","level"]},{"id":"lang","path":["degree","languages",null],"values":["en"]},
		          {"id":"nope","path":["degree","thesis"]},{"id":"title","path":["degree","title","value"]}],
		"claim_sets":[["fn","nope"],["fn","eqf","lang","title"]]}]}`)
	r, err := q.Match([]dcql.Credential{{Format: dcql.FormatSDJWTVC, VCT: held.Claims["vct"].(string), Claims: held.Claims, HolderBinding: held.Confirmation != nil}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Satisfiable || len(r.Queries[0].Candidates) != 1 {
		t.Fatalf("not satisfiable: %s", summary(r))
	}
	m := r.Queries[0].Candidates[0]
	if m.ClaimSet != 1 {
		t.Fatalf("claim set %d, want 1", m.ClaimSet)
	}
	var paths []sdjwt.Path
	for _, p := range m.Paths() {
		paths = append(paths, sdjwt.Path(p))
	}
	holder, err := sdjwt.NewHolder(holderKey)
	if err != nil {
		t.Fatal(err)
	}
	const nonce, aud = "n-0S6_WzA2Mj", "x509_hash:Sxm9WwB7zSz9dz36nI4wJtRUAQ_kcGqRK6Dq2PHt4t4"
	vp, err := holder.Present(issued, paths, sdjwt.KBClaims{Nonce: nonce, Audience: aud, IssuedAt: now})
	if err != nil {
		t.Fatal(err)
	}

	// Verifier: verify the presentation, then check it against the query.
	u, err = sdjwt.ParseUnverified(vp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := u.Verify(&issuerKey.PublicKey, sdjwt.Policy{Type: "dc+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, Nonce: nonce, Audience: aud, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	res, err := q.CheckResponse(map[string][]dcql.Credential{"diploma": {{
		Format: dcql.FormatSDJWTVC, VCT: got.Claims["vct"].(string), Claims: got.Claims, HolderBinding: got.KeyBinding != nil,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Presentations[0]; p.Err != nil || p.ClaimSet != 1 {
		t.Fatalf("presentation: %+v", p)
	}
	// Only what was selected (and what is never selectively disclosable) reached the verifier.
	top := slices.Sorted(maps.Keys(got.Claims))
	if want := []string{"awarding_body", "cnf", "degree", "family_name", "iat", "iss", "vct"}; !reflect.DeepEqual(top, want) {
		t.Fatalf("top-level claims %v, want %v", top, want)
	}
	deg := slices.Sorted(maps.Keys(got.Claims["degree"].(map[string]any)))
	if want := []string{"languages", "level", "title"}; !reflect.DeepEqual(deg, want) {
		t.Fatalf("degree claims %v, want %v", deg, want)
	}
}
