package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
)

// pilotTrustDir makes a pilot PKI (fixed at 2026-11-01) with the pilot list descriptions of
// testdata/pilot at its root, as an operator would lay them out.
func pilotTrustDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := pki.Init(dir, pki.DefaultConfig("https://127.0.0.1:8443/issuer"), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"eu-lotl.yaml", "tl-nl.yaml", "jp-lote.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pilot", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const signAt = "2026-11-02T00:00:00Z"

func signList(t *testing.T, dir, in, signer, format, out string) string {
	t.Helper()
	p := func(s string) string { return filepath.Join(dir, s) }
	code, _, stderr := runHashi(t, "", "trustlist", "sign", "--in", p(in), "--key", p(signer+"/key.pem"), "--cert", p(signer+"/cert.pem"),
		"--format", format, "--out", p(out), "--at", signAt)
	if code != 0 {
		t.Fatalf("sign %s: exit %d: %s", in, code, stderr)
	}
	return p(out)
}

func TestTrustlistCommands(t *testing.T) {
	dir := pilotTrustDir(t)
	p := func(s string) string { return filepath.Join(dir, s) }
	lotl := signList(t, dir, "eu-lotl.yaml", "eu/lotl-signer", "xml", "eu-lotl.xml")
	nl := signList(t, dir, "tl-nl.yaml", "eu/tl-signer", "xml", "tl-nl.xml")
	jp := signList(t, dir, "jp-lote.yaml", "jp/tl-signer", "lote", "jp-lote.jwt")
	jpXML := signList(t, dir, "jp-lote.yaml", "jp/tl-signer", "xml", "jp.xml")

	t.Run("verify", func(t *testing.T) {
		tests := []struct {
			name, file, signer, at string
			code                   int
			want                   string
		}{
			{"ok/lotl", lotl, "eu/lotl-signer/cert.pem", "2026-12-01T00:00:00Z", 0, "fresh at 2026-12-01T00:00:00Z: next update 2027-05-01T00:00:00Z"},
			{"ok/nl", nl, "eu/tl-signer/cert.pem", "2026-12-01T00:00:00Z", 0, "authentic: ts119612-xml list, territory NL, sequence 1"},
			{"ok/jp-lote", jp, "jp/tl-signer/cert.pem", "2026-12-01T00:00:00Z", 0, "authentic: ts119602-json list, territory JP"},
			{"ok/jp-xml", jpXML, "jp/tl-signer/cert.pem", "2026-12-01T00:00:00Z", 0, "territory JP"},
			{"fail/stale", nl, "eu/tl-signer/cert.pem", "2027-05-01T00:00:00Z", 1, "stale_list"},
			{"fail/wrong-signer", nl, "eu/lotl-signer/cert.pem", "2026-12-01T00:00:00Z", 1, "untrusted_signer"},
			{"fail/jp-wrong-signer", jp, "eu/tl-signer/cert.pem", "2026-12-01T00:00:00Z", 1, "untrusted_signer"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				code, out, stderr := runHashi(t, "", "trustlist", "verify", tc.file, "--signer-cert", p(tc.signer), "--at", tc.at)
				if code != tc.code || !strings.Contains(out+stderr, tc.want) {
					t.Fatalf("exit %d (want %d), output lacks %q:\n%s%s", code, tc.code, tc.want, out, stderr)
				}
			})
		}
		// A PEM file with several accepted certificates: any of them may have signed.
		both := append(readFile(t, p("eu/lotl-signer/cert.pem")), readFile(t, p("eu/tl-signer/cert.pem"))...)
		if err := os.WriteFile(p("both.pem"), both, 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := runHashi(t, "", "trustlist", "verify", nl, "--signer-cert", p("both.pem"), "--at", "2026-12-01T00:00:00Z"); code != 0 {
			t.Fatalf("several signers: exit %d: %s", code, stderr)
		}
		tampered := bytes.Replace(readFile(t, nl), []byte("Rapenburg"), []byte("Breestraat"), 1)
		if err := os.WriteFile(p("tampered.xml"), tampered, 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := runHashi(t, "", "trustlist", "verify", p("tampered.xml"), "--signer-cert", p("eu/tl-signer/cert.pem"), "--at", "2026-12-01T00:00:00Z"); code != 1 || !strings.Contains(stderr, "digest_mismatch") {
			t.Fatalf("tampered: exit %d: %s", code, stderr)
		}
	})

	t.Run("show", func(t *testing.T) {
		code, out, stderr := runHashi(t, "", "trustlist", "show", jp)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		flat := strings.Join(strings.Fields(out), " ")
		for _, want := range []string{"NOT VERIFIED", "territory JP", "sequence 1", "next update 2027-05-01T00:00:00Z",
			"Sakuragaoka University [en] / 桜ヶ丘大学 [ja]", "granted since 2026-09-01"} {
			if !strings.Contains(flat, want) {
				t.Errorf("show lacks %q:\n%s", want, out)
			}
		}
		if _, out, _ := runHashi(t, "", "trustlist", "show", lotl); !strings.Contains(out, "NL  vnd.etsi.tsl+xml  http://127.0.0.1:8080/trust/tl-nl.xml  (1 signer certificates)") {
			t.Errorf("LOTL pointers:\n%s", out)
		}
	})

	t.Run("lookup", func(t *testing.T) {
		lists := []string{"--lotl", lotl, "--lotl-signers", p("eu/lotl-signer/cert.pem"), "--list", nl, "--list", jp + "=" + p("jp/tl-signer/cert.pem")}
		tests := []struct {
			name, chain, issued, at string
			extra                   []string
			code                    int
			reason, path            string
		}{
			{"ok/eu-university", "eu/universities/oostland/chain.pem", "2026-11-15T00:00:00Z", "2026-12-01T00:00:00Z", nil, 0, "",
				"LOTL → NL trusted list → NL → Oostland University [en] / Universiteit Oostland [nl] → Oostland University seal CA [en]"},
			{"ok/jp-university", "jp/universities/sakuragaoka/chain.pem", "2026-11-15T00:00:00Z", "2026-12-01T00:00:00Z", nil, 0, "",
				"jp-lote.jwt → JP → Sakuragaoka University [en] / 桜ヶ丘大学 [ja]"},
			{"fail/stale", "eu/universities/oostland/chain.pem", "2026-11-15T00:00:00Z", "2027-06-01T00:00:00Z", nil, 1, "stale_list", ""},
			{"fail/wrong-service-type", "eu/universities/oostland/chain.pem", "2026-11-15T00:00:00Z", "2026-12-01T00:00:00Z",
				[]string{"--service-type", "http://uri.etsi.org/TrstSvc/Svctype/EAA/Q"}, 1, "wrong_service_type", ""},
			{"fail/unlisted", "eu/access-ca/cert.pem", "2026-11-15T00:00:00Z", "2026-12-01T00:00:00Z", nil, 1, "no_anchor", ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				args := append([]string{"trustlist", "lookup"}, lists...)
				args = append(args, tc.extra...)
				args = append(args, "--issued", tc.issued, "--at", tc.at, p(tc.chain))
				code, out, stderr := runHashi(t, "", args...)
				if code != tc.code {
					t.Fatalf("exit %d, want %d: %s\n%s", code, tc.code, stderr, out)
				}
				var rep lookupReport
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				if rep.Reason != tc.reason || !strings.Contains(rep.Path, tc.path) || rep.Trusted != (tc.code == 0) {
					t.Fatalf("reason %q path %q, want %q %q", rep.Reason, rep.Path, tc.reason, tc.path)
				}
				if len(rep.Lists) != 3 {
					t.Fatalf("lists: %+v", rep.Lists)
				}
				for _, l := range rep.Lists {
					if l.Error != "" {
						t.Errorf("list %s: %s", l.File, l.Error)
					}
				}
			})
		}
		// A national list signed by a key its LOTL pointer does not announce contributes nothing.
		forged := signList(t, dir, "tl-nl.yaml", "jp/tl-signer", "xml", "forged-nl.xml")
		code, out, _ := runHashi(t, "", "trustlist", "lookup", "--lotl", lotl, "--lotl-signers", p("eu/lotl-signer/cert.pem"),
			"--list", forged, "--issued", "2026-11-15T00:00:00Z", "--at", "2026-12-01T00:00:00Z", p("eu/universities/oostland/chain.pem"))
		var rep lookupReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || rep.Reason != "no_anchor" || !strings.Contains(rep.Lists[1].Error, "untrusted_signer") {
			t.Fatalf("forged NL list: exit %d %+v (%v)", code, rep, err)
		}
	})
}

func TestTrustlistUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"trustlist", "sign"},
		{"trustlist", "sign", "--in", "x", "--key", "k", "--cert", "c", "--format", "json"},
		{"trustlist", "verify", "x"},
		{"trustlist", "verify", "x", "--signer-cert", "c", "--at", "tomorrow"},
		{"trustlist", "verify", "x", "--signer-cert", "c", "--grace", "-1h"},
		{"trustlist", "show"},
		{"trustlist", "lookup", "chain.pem"},
		{"trustlist", "lookup", "--list", "a", "--lotl", "l", "chain.pem"},
	} {
		if code, _, stderr := runHashi(t, "", args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
