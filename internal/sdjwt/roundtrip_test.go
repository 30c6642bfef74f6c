package sdjwt_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

func TestIssueShape(t *testing.T) {
	holder := newKey(t)
	key := newKey(t)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	is, err := sdjwt.NewVCIssuer(key, jose.SignHeader{Kid: "k"}, sdjwt.WithDecoys(3))
	if err != nil {
		t.Fatal(err)
	}
	issued, err := is.Issue(diplomaClaims(t, holder, now), diplomaPaths)
	if err != nil {
		t.Fatal(err)
	}
	if str := fmt.Sprint(is); !strings.Contains(str, "redacted") || strings.Contains(str, "0x") {
		t.Fatalf("Issuer prints as %q", str)
	}
	if !strings.HasSuffix(issued, "~") {
		t.Fatal("an issued SD-JWT must end with ~")
	}
	in, err := sdjwt.Peek(issued)
	if err != nil {
		t.Fatal(err)
	}
	if in.Header["typ"] != "dc+sd-jwt" || in.Header["kid"] != "k" || in.Payload["_sd_alg"] != "sha-256" {
		t.Fatalf("header %v payload %v", in.Header, in.Payload)
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	top := strs(in.Payload["_sd"])
	var addr []string
	for _, d := range in.Disclosures {
		if d.Name == "address" {
			addr = strs(d.Value.(map[string]any)["_sd"]) // recursive: the address disclosure holds digests
		}
	}
	// given_name, family_name, birthdate, address + 3 decoys; street_address, locality + 3 decoys
	if len(top) != 7 || len(addr) != 5 {
		t.Fatalf("_sd sizes %d and %d", len(top), len(addr))
	}
	if !slices.IsSorted(top) || !slices.IsSorted(addr) {
		t.Fatal("_sd arrays are not sorted")
	}
	if _, ok := in.Payload["given_name"]; ok {
		t.Fatal("a selectively disclosable claim is in plain text")
	}
	for _, d := range in.Disclosures {
		salt, err := base64.RawURLEncoding.DecodeString(d.Salt)
		if err != nil || len(salt) != 16 {
			t.Fatalf("salt %q is not 128 random bits", d.Salt)
		}
	}
	degrees := in.Payload["degrees"].([]any)
	if len(degrees) != 2 || len(degrees[0].(map[string]any)) != 1 {
		t.Fatalf("degrees %v: each element must be a lone {\"...\": digest}", degrees)
	}
	// Nothing selectively disclosable: no _sd, no _sd_alg, no disclosures.
	plain, err := is.Issue(diplomaClaims(t, holder, now), nil)
	if err != nil {
		t.Fatal(err)
	}
	in, err = sdjwt.Peek(plain)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := in.Payload["_sd"]; ok || in.Payload["_sd_alg"] != nil || len(in.Disclosures) != 0 || strings.Count(plain, "~") != 1 {
		t.Fatalf("plain credential %v", in.Payload)
	}
}

func TestIssueDeterministicWithInjectedRandom(t *testing.T) {
	holder, key := newKey(t), newKey(t)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	seed := bytes.Repeat([]byte{0x42, 0x17, 0x99}, 1000)
	issue := func() []sdjwt.Disclosure {
		is, err := sdjwt.NewVCIssuer(key, jose.SignHeader{}, sdjwt.WithRandom(bytes.NewReader(seed)), sdjwt.WithDecoys(1))
		if err != nil {
			t.Fatal(err)
		}
		s, err := is.Issue(diplomaClaims(t, holder, now), diplomaPaths)
		if err != nil {
			t.Fatal(err)
		}
		return mustParse(t, s).Disclosures()
	}
	a, b := issue(), issue()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatal(len(a), len(b))
	}
	for i := range a {
		if a[i].Raw != b[i].Raw {
			t.Fatalf("disclosure %d differs", i)
		}
	}
	// A short random source is an error, not weak salts.
	is, _ := sdjwt.NewVCIssuer(key, jose.SignHeader{}, sdjwt.WithRandom(bytes.NewReader(seed[:10])))
	_, err := is.Issue(diplomaClaims(t, holder, now), diplomaPaths)
	wantCode(t, err, sdjwt.CodeInvalidPolicy)
}

func TestSelect(t *testing.T) {
	f := newVCFixture(t)
	all := mustParse(t, f.issued).Disclosures()
	name := func(d sdjwt.Disclosure) string {
		if d.Element {
			return fmt.Sprint(d.Value)
		}
		return d.Name
	}
	tests := []struct {
		name  string
		paths []sdjwt.Path
		want  []string // names (or element values) of the disclosures expected
		code  sdjwt.Code
	}{
		{name: "ok/one-claim", paths: []sdjwt.Path{{"given_name"}}, want: []string{"given_name"}},
		{name: "ok/child-needs-parent", paths: []sdjwt.Path{{"address", "street_address"}}, want: []string{"address", "street_address"}},
		{name: "ok/parent-brings-children", paths: []sdjwt.Path{{"address"}}, want: []string{"address", "street_address", "locality"}},
		{name: "ok/array-element", paths: []sdjwt.Path{{"nationalities", 1}}, want: []string{"FR"}},
		{name: "ok/all-elements-one-member", paths: []sdjwt.Path{{"degrees", nil, "type"}}, want: []string{"type", "type", "map[_sd:", "map[_sd:"}},
		{name: "ok/plain-claim-needs-nothing", paths: []sdjwt.Path{{"vct"}}, want: nil},
		{name: "ok/no-paths", paths: nil, want: nil},
		{name: "ok/missing-member-dropped", paths: []sdjwt.Path{{"degrees", nil, "honours"}}, want: []string{"map[_sd:"}},
		{name: "fail/selects-nothing", paths: []sdjwt.Path{{"no_such_claim"}}, code: sdjwt.CodeInvalidPath},
		{name: "fail/index-out-of-range", paths: []sdjwt.Path{{"nationalities", 5}}, code: sdjwt.CodeInvalidPath},
		{name: "fail/string-on-array", paths: []sdjwt.Path{{"nationalities", "x"}}, code: sdjwt.CodeInvalidPath},
		{name: "fail/null-on-object", paths: []sdjwt.Path{{"address", nil}}, code: sdjwt.CodeInvalidPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sdjwt.Select(f.issued, tt.paths)
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(s, "~") || !strings.HasPrefix(f.issued, s[:strings.IndexByte(s, '~')+1]) {
				t.Fatal("not <issuer JWT>~...~")
			}
			got := mustParse(t, s).Disclosures()
			var names []string
			for _, d := range got {
				names = append(names, name(d))
			}
			if len(names) != len(tt.want) {
				t.Fatalf("disclosed %q, want %q", names, tt.want)
			}
			for _, w := range tt.want {
				i := slices.IndexFunc(names, func(n string) bool { return strings.HasPrefix(n, w) })
				if i < 0 {
					t.Fatalf("disclosed %q, want %q", names, tt.want)
				}
				names = slices.Delete(names, i, i+1)
			}
			// every presented disclosure is verbatim from the issued credential, in order
			j := 0
			for _, d := range got {
				for j < len(all) && all[j].Raw != d.Raw {
					j++
				}
				if j == len(all) {
					t.Fatal("a presented disclosure is not from the credential, or out of order")
				}
			}
		})
	}
	t.Run("fail/input-has-kb-jwt", func(t *testing.T) {
		_, err := sdjwt.Select(f.present(t, sdjwt.Path{"given_name"}), []sdjwt.Path{{"given_name"}})
		wantCode(t, err, sdjwt.CodeUnexpectedKeyBinding)
	})
}

func TestPresentRejections(t *testing.T) {
	f := newVCFixture(t)
	kb := sdjwt.KBClaims{Nonce: fNonce, Audience: fAudience, IssuedAt: f.now}
	t.Run("fail/not-the-bound-holder", func(t *testing.T) {
		h, _ := sdjwt.NewHolder(newKey(t))
		_, err := h.Present(f.issued, []sdjwt.Path{{"given_name"}}, kb)
		wantCode(t, err, sdjwt.CodeKeyMismatch)
	})
	t.Run("fail/no-nonce", func(t *testing.T) {
		_, err := f.holder.Present(f.issued, nil, sdjwt.KBClaims{Audience: fAudience, IssuedAt: f.now})
		wantCode(t, err, sdjwt.CodeInvalidPolicy)
	})
	t.Run("fail/zero-iat", func(t *testing.T) {
		_, err := f.holder.Present(f.issued, nil, sdjwt.KBClaims{Nonce: fNonce, Audience: fAudience})
		wantCode(t, err, sdjwt.CodeInvalidPolicy)
	})
	t.Run("fail/unbound-credential", func(t *testing.T) {
		is, _ := sdjwt.NewIssuer(newKey(t), jose.SignHeader{Typ: fTyp})
		s, err := is.Issue(map[string]any{"a": 1}, []sdjwt.Path{{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.holder.Present(s, nil, kb)
		wantCode(t, err, sdjwt.CodeKeyMismatch)
	})
	t.Run("ok/no-claims-selected", func(t *testing.T) {
		s, err := f.holder.Present(f.issued, nil, kb)
		if err != nil {
			t.Fatal(err)
		}
		p := f.policy(sdjwt.KeySourceX5C)
		p.Now = f.now
		c, err := mustParse(t, s).VerifyVC(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Disclosures) != 0 || c.KeyBinding == nil {
			t.Fatal(c.Disclosures)
		}
	})
}

// Property: for random claims, random selectively disclosable parts and a random selection,
// issue → present → verify yields exactly the claims an oracle predicts: a claim is visible
// if and only if every selectively disclosable node on its path was needed by the selection.
func TestRoundTripProperty(t *testing.T) {
	issuerKey, holderKey := newKey(t), newKey(t)
	holder, err := sdjwt.NewHolder(holderKey)
	if err != nil {
		t.Fatal(err)
	}
	cnf, err := jose.PublicJWK(&holderKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(rt *rapid.T) {
		claims := genObject(rt, 0)
		all := allPaths(claims, nil)
		marked := pickPaths(rt, all, "sd")
		selected := pickPaths(rt, all, "sel")
		decoys := rapid.IntRange(0, 3).Draw(rt, "decoys")

		is, err := sdjwt.NewIssuer(issuerKey, jose.SignHeader{Typ: fTyp}, sdjwt.WithDecoys(decoys))
		if err != nil {
			rt.Fatal(err)
		}
		withCnf := cloneObject(claims)
		withCnf["cnf"] = map[string]any{"jwk": cnf}
		issued, err := is.Issue(withCnf, marked)
		if err != nil {
			rt.Fatalf("Issue: %v", err)
		}
		pres, err := holder.Present(issued, selected, sdjwt.KBClaims{Nonce: fNonce, Audience: fAudience, IssuedAt: now})
		if err != nil {
			rt.Fatalf("Present: %v", err)
		}
		v, err := mustParse(rt, pres).Verify(&issuerKey.PublicKey, sdjwt.Policy{
			Type: fTyp, Algorithms: []jose.Algorithm{jose.ES256}, Nonce: fNonce, Audience: fAudience, Now: now,
		})
		if err != nil {
			rt.Fatalf("Verify: %v", err)
		}
		want := expectVisible(claims, nil, marked, selected).(map[string]any)
		want["cnf"] = map[string]any{"jwk": cnf}
		if got, w := canonical(rt, v.Claims), canonical(rt, want); got != w {
			rt.Fatalf("processed payload\n got %s\nwant %s", got, w)
		}
		// The holder presented no disclosure that the selection did not need.
		needed := 0
		for _, m := range marked {
			if neededBy(m, selected) {
				needed++
			}
		}
		if len(v.Disclosures) != needed {
			rt.Fatalf("%d disclosures presented, %d needed", len(v.Disclosures), needed)
		}
	})
}

var genKeys = []string{"a", "b", "c", "名前", "d e"}

func genObject(rt *rapid.T, depth int) map[string]any {
	m := map[string]any{}
	n := rapid.IntRange(0, 4).Draw(rt, "members")
	for range n {
		k := rapid.SampledFrom(genKeys).Draw(rt, "key")
		m[k] = genValue(rt, depth+1)
	}
	return m
}

func genValue(rt *rapid.T, depth int) any {
	kind := rapid.IntRange(0, 5).Draw(rt, "kind")
	if depth >= 3 {
		kind = rapid.IntRange(0, 2).Draw(rt, "leaf")
	}
	switch kind {
	case 0:
		return rapid.StringMatching(`[a-z\x{3000}"\\]{0,6}`).Draw(rt, "s")
	case 1:
		return rapid.Int64Range(-1000, 1000).Draw(rt, "n")
	case 2:
		return rapid.SampledFrom([]any{true, false, nil}).Draw(rt, "lit")
	case 3, 4:
		return genObject(rt, depth)
	default:
		n := rapid.IntRange(0, 3).Draw(rt, "elements")
		a := make([]any, n)
		for i := range a {
			a[i] = genValue(rt, depth+1)
		}
		return a
	}
}

func cloneObject(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// allPaths lists the concrete path of every node below v.
func allPaths(v any, prefix sdjwt.Path) []sdjwt.Path {
	var out []sdjwt.Path
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := append(slices.Clone(prefix), k)
			out = append(out, p)
			out = append(out, allPaths(e, p)...)
		}
	case []any:
		for i, e := range x {
			p := append(slices.Clone(prefix), i)
			out = append(out, p)
			out = append(out, allPaths(e, p)...)
		}
	}
	return out
}

func pickPaths(rt *rapid.T, all []sdjwt.Path, label string) []sdjwt.Path {
	slices.SortFunc(all, func(a, b sdjwt.Path) int { return strings.Compare(a.String(), b.String()) })
	var out []sdjwt.Path
	for _, p := range all {
		if rapid.Bool().Draw(rt, label) {
			out = append(out, p)
		}
	}
	return out
}

func isPrefix(p, q sdjwt.Path) bool {
	return len(p) <= len(q) && slices.Equal(p, q[:len(p)])
}

func neededBy(m sdjwt.Path, selected []sdjwt.Path) bool {
	for _, s := range selected {
		if isPrefix(m, s) || isPrefix(s, m) {
			return true
		}
	}
	return false
}

// expectVisible is the oracle: it drops every node that is selectively disclosable and not
// needed by the selection.
func expectVisible(v any, path sdjwt.Path, marked, selected []sdjwt.Path) any {
	hidden := func(p sdjwt.Path) bool {
		return slices.ContainsFunc(marked, func(m sdjwt.Path) bool { return slices.Equal(m, p) }) && !neededBy(p, selected)
	}
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			p := append(slices.Clone(path), k)
			if !hidden(p) {
				out[k] = expectVisible(e, p, marked, selected)
			}
		}
		return out
	case []any:
		out := []any{}
		for i, e := range x {
			p := append(slices.Clone(path), i)
			if !hidden(p) {
				out = append(out, expectVisible(e, p, marked, selected))
			}
		}
		return out
	}
	return v
}

// TestDisclosed: the holder's view of a presentation is exactly what a verifier gets from
// it — Disclosed(issued, paths) equals the claims VerifyVC returns for the presentation
// made with the same paths.
func TestDisclosed(t *testing.T) {
	f := newVCFixture(t)
	for _, paths := range [][]sdjwt.Path{
		nil,
		{{"given_name"}},
		{{"address", "street_address"}},
		{{"address"}},
		{{"nationalities", 1}},
		{{"degrees", nil, "type"}},
		{{"given_name"}, {"address"}, {"nationalities", 0}},
	} {
		t.Run(fmt.Sprint(paths), func(t *testing.T) {
			got, err := sdjwt.Disclosed(f.issued, paths)
			if err != nil {
				t.Fatal(err)
			}
			c, err := mustParse(t, f.present(t, paths...)).VerifyVC(t.Context(), f.policy(sdjwt.KeySourceX5C))
			if err != nil {
				t.Fatal(err)
			}
			if canonical(t, got) != canonical(t, c.Claims) {
				t.Fatalf("holder's view %s\nverifier's view %s", canonical(t, got), canonical(t, c.Claims))
			}
		})
	}
	if _, err := sdjwt.Disclosed(f.issued, []sdjwt.Path{{"no_such_claim"}}); err == nil {
		t.Fatal("a path that selects nothing was accepted")
	}
}
