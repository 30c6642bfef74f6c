package sdjwt_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

// TestInteropSDJWTJS checks hashi against the OpenWallet Foundation SD-JWT implementation
// (@sd-jwt/sd-jwt-vc 0.20.0 with @sd-jwt/crypto-nodejs, testdata/interop): an SD-JWT VC
// issued and presented by hashi verifies there (with its KB-JWT), and one issued and
// presented there (disclosures, recursive and array disclosures, decoys, KB-JWT for our nonce
// and audience) verifies here with the same disclosed claims.
//
// It needs node and `npm ci --prefix testdata/interop`. Without them it skips, unless
// HASHI_TEST_INTEROP=1 is set (as in CI), in which case it fails.
func TestInteropSDJWTJS(t *testing.T) {
	dir, err := filepath.Abs(testdata("interop"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	case !exists(filepath.Join(dir, "node_modules", "@sd-jwt", "sd-jwt-vc")):
		missing = "testdata/interop/node_modules is missing"
	}
	if missing != "" {
		if os.Getenv("HASHI_TEST_INTEROP") == "1" {
			t.Fatalf("interop test required (HASHI_TEST_INTEROP=1) but %s; run `npm ci --prefix testdata/interop`", missing)
		}
		t.Skipf("skipping SD-JWT interop: %s (install Node.js >= 20 and run `npm ci --prefix testdata/interop`; set HASHI_TEST_INTEROP=1 to make this a failure)", missing)
	}

	f := newVCFixture(t)
	now := f.now.Add(time.Minute)
	presentation := f.present(t, sdjwt.Path{"given_name"}, sdjwt.Path{"address", "locality"}, sdjwt.Path{"degrees", 1, "type"}, sdjwt.Path{"nationalities", 0})
	issuerJWK, err := jose.PublicJWK(&f.issuerKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	in, err := json.Marshal(map[string]any{
		"now": now.Unix(), "nonce": fNonce, "aud": fAudience,
		"hashi": map[string]any{"issuerJwk": issuerJWK, "issued": f.issued, "presentation": presentation},
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, "interop.mjs") //nolint:gosec // node from PATH running the repository's fixed script
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node interop.mjs: %v\n%s", err, stderr.String())
	}
	var out struct {
		VerifiedIssued       map[string]any `json:"verifiedIssued"`
		VerifiedPresentation map[string]any `json:"verifiedPresentation"`
		KB                   map[string]any `json:"kb"`
		Node                 struct {
			IssuerJWK    json.RawMessage `json:"issuerJwk"`
			Issued       string          `json:"issued"`
			Presentation string          `json:"presentation"`
			Claims       map[string]any  `json:"claims"`
		} `json:"node"`
	}
	dec := json.NewDecoder(&stdout)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decode node output: %v", err)
	}

	// hashi → sd-jwt-js: the verifier there sees what hashi's own verifier sees.
	pol := f.policy(sdjwt.KeySourceX5C)
	pol.Now = now
	ours, err := mustParse(t, presentation).VerifyVC(t.Context(), pol)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := canonical(t, out.VerifiedPresentation), canonical(t, ours.Claims); got != want {
		t.Fatalf("sd-jwt-js disclosed claims differ from hashi's\n sd-jwt-js %s\n     hashi %s", got, want)
	}
	if out.KB["nonce"] != fNonce || out.KB["aud"] != fAudience {
		t.Fatalf("sd-jwt-js KB-JWT %v", out.KB)
	}
	if _, ok := out.VerifiedIssued["family_name"]; !ok {
		t.Fatalf("sd-jwt-js did not see every claim of the issued credential: %v", out.VerifiedIssued)
	}

	// sd-jwt-js → hashi, through the SD-JWT VC layer with the KB-JWT required.
	nodeKey, err := jose.ParsePublicJWK(out.Node.IssuerJWK)
	if err != nil {
		t.Fatal(err)
	}
	vpol := sdjwt.VCPolicy{
		Policy: sdjwt.Policy{
			Algorithms: []jose.Algorithm{jose.ES256}, Nonce: fNonce, Audience: fAudience, Now: now,
		},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata},
		IssuerKeys: staticKeys("https://issuer.node.example", jose.KeyEntry{Key: nodeKey}),
	}
	c, err := mustParse(t, out.Node.Presentation).VerifyVC(t.Context(), vpol)
	if err != nil {
		t.Fatalf("hashi rejects the sd-jwt-js presentation: %v", err)
	}
	if got, want := canonical(t, c.Claims), canonical(t, out.Node.Claims); got != want {
		t.Fatalf("hashi's disclosed claims differ from sd-jwt-js's\n     hashi %s\n sd-jwt-js %s", got, want)
	}
	want := map[string]string{
		"given_name":    `"Erika"`,
		"address":       `{"country":"DE","locality":"Köln"}`,
		"degrees":       `[{"type":"Master","university":"Kyoto"}]`,
		"nationalities": `["DE","JP"]`,
	}
	for k, v := range want {
		if got := canonical(t, c.Claims[k]); got != v {
			t.Fatalf("%s = %s, want %s", k, got, v)
		}
	}
	if _, ok := c.Claims["family_name"]; ok || c.KeyBinding == nil {
		t.Fatalf("family_name disclosed or KB-JWT missing: %v", c.Claims)
	}
	// The issued sd-jwt-js credential is accepted by a hashi holder (no KB-JWT expected) and a
	// hashi holder can re-present it.
	vpol.KeyBinding = sdjwt.KeyBindingForbidden
	if _, err := mustParse(t, out.Node.Issued).VerifyVC(t.Context(), vpol); err != nil {
		t.Fatalf("hashi holder rejects the sd-jwt-js credential: %v", err)
	}
	sel, err := sdjwt.Select(out.Node.Issued, []sdjwt.Path{{"degrees", nil, "type"}})
	if err != nil {
		t.Fatal(err)
	}
	vpol.KeyBinding = sdjwt.KeyBindingOptional
	c, err = mustParse(t, sel).VerifyVC(t.Context(), vpol)
	if err != nil {
		t.Fatal(err)
	}
	if got := canonical(t, c.Claims["degrees"]); got != `[{"type":"Bachelor","university":"Bonn"},{"type":"Master","university":"Kyoto"}]` {
		t.Fatal(got)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
