package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runHashi runs the CLI in-process and returns its exit code, stdout and stderr.
func runHashi(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"nope"},
		{"pki", "init"},
		{"credential", "verify"},
		{"credential", "verify", "a", "b"},
		{"credential", "verify", "--nonce", "n", "x"},
		{"credential", "verify", "--at", "yesterday", "x"},
		{"version", "extra"},
		{"demo", "--bogus"},
	} {
		if code, _, stderr := runHashi(t, "", args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 with a message", args, code, stderr)
		}
	}
}

// sealFixtures runs runSealFixtures on dir and returns its output and error.
func sealFixtures(t *testing.T, dir string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := runSealFixtures(t.Context(), &out, dir, time.Now())
	return out.String(), err
}

// TestSealedCredentialsCLI seals credentials twice on one folder (the first run creates
// everything, the second reuses the PKI and holder keys; both verify every cross-border
// presentation), then checks `credential verify` and `credential inspect` on them.
func TestSealedCredentialsCLI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for i, verb := range []string{"generated", "reused"} {
		out, err := sealFixtures(t, dir)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, out)
		}
		if !strings.Contains(out, "Pilot PKI "+verb) {
			t.Errorf("run %d: output does not say the PKI was %s:\n%s", i, verb, out)
		}
		if n := strings.Count(out, "result: ACCEPTED"); n != 2 {
			t.Errorf("run %d: %d accepted presentations, want 2:\n%s", i, n, out)
		}
		if strings.Contains(out, "FAIL") {
			t.Errorf("run %d: a check failed:\n%s", i, out)
		}
	}
	for _, want := range []string{"ISCED 766, EQF 7", "学士（医学）", "282 ECTS"} {
		out, err := sealFixtures(t, dir)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	key := filepath.Join(dir, "holder", "sakuragaoka.key.jwk.json")
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("holder key %s: %v, mode %v", key, err, fi.Mode())
	}

	// What the demo wrote verifies with the CLI, and inspect decodes it.
	for _, f := range []string{"oostland.diploma.sd-jwt", "sakuragaoka.learning.sd-jwt", "sakuragaoka.diploma.jwt"} {
		path := filepath.Join(dir, "credentials", f)
		code, out, stderr := runHashi(t, "", "credential", "verify", path)
		if code != 0 {
			t.Errorf("verify %s: exit %d %s\n%s", f, code, stderr, out)
		}
		var rep report
		if err := json.Unmarshal([]byte(out), &rep); err != nil || !rep.Valid || len(rep.Checks) == 0 || len(rep.X5C) == 0 {
			t.Errorf("verify %s: report %+v (%v)", f, rep, err)
		}
		code, out, _ = runHashi(t, "", "credential", "inspect", path)
		if code != 0 || !strings.Contains(out, `"note"`) {
			t.Errorf("inspect %s: exit %d\n%s", f, code, out)
		}
	}

	// A presentation needs its nonce and audience, and fails with the wrong ones.
	pres := filepath.Join(dir, "presentations", "sakuragaoka.to.eu-desk.sd-jwt")
	if code, _, stderr := runHashi(t, "", "credential", "verify", pres); code != 1 || !strings.Contains(stderr, "--nonce") {
		t.Errorf("presentation without --nonce: exit %d, %q", code, stderr)
	}
	code, out, _ := runHashi(t, "", "credential", "verify", "--nonce", "wrong", "--aud", "x509_san_dns:eu-desk.localhost", pres)
	if code != 1 || !strings.Contains(out, `"valid": false`) {
		t.Errorf("wrong nonce: exit %d\n%s", code, out)
	}

	// Times are judged at --at: long after issuance the status-bearing diploma is still valid
	// (it has no exp), but before issuance it is not.
	cred := filepath.Join(dir, "credentials", "oostland.diploma.sd-jwt")
	before := time.Now().Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	if code, out, _ := runHashi(t, "", "credential", "verify", "--at", before, cred); code != 1 || !strings.Contains(out, "not_yet_valid") {
		t.Errorf("verify before issuance: exit %d\n%s", code, out)
	}

	// Stdin works, and a tampered credential fails with a one-line reason.
	b, _ := os.ReadFile(cred)
	if code, _, _ := runHashi(t, string(b), "credential", "verify", "-"); code != 0 {
		t.Errorf("verify from stdin: exit %d", code)
	}
	tampered := strings.Replace(string(b), ".", ".X", 1)
	code, _, stderr := runHashi(t, tampered, "credential", "verify", "-")
	if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, "hashi: not valid:") {
		t.Errorf("tampered: exit %d, stderr %q", code, stderr)
	}
}

// TestVerifySpecVectors runs `credential verify` on the published vectors with their keys.
func TestVerifySpecVectors(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "vectors")
	tests := []struct {
		name, file, key, at string
		wantCode            int
	}{
		{"ok/OpenID4VCI dc+sd-jwt", "oid4vci/credential_sd_jwt_vc.txt", "sd-jwt/keys/issuer.public.jwk.json", "2025-01-01T00:00:00Z", 0},
		{"ok/OpenID4VCI jwt_vc_json", "oid4vci/credential_jwt_vc_json.jwt", "oid4vci/issuer_jwks.json", "2025-06-01T00:00:00Z", 0},
		{"fail/jwt_vc_json before nbf", "oid4vci/credential_jwt_vc_json.jwt", "oid4vci/issuer_jwks.json", "2024-06-01T00:00:00Z", 1},
		{"fail/dc+sd-jwt after exp", "oid4vci/credential_sd_jwt_vc.txt", "sd-jwt/keys/issuer.public.jwk.json", "2030-01-01T00:00:00Z", 1},
		{"fail/dc+sd-jwt wrong key", "oid4vci/credential_sd_jwt_vc.txt", "oid4vci/issuer_jwks.json", "2025-01-01T00:00:00Z", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runHashi(t, "", "credential", "verify", "--issuer-jwk", filepath.Join(root, tc.key), "--at", tc.at, filepath.Join(root, tc.file))
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.wantCode, out, stderr)
			}
		})
	}
}

func TestPKIInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	code, out, stderr := runHashi(t, "", "pki", "init", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"tl-signer", "seal-ca", "sakuragaoka", "oostland", "jp-desk.localhost"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "jp", "universities", "sakuragaoka", "key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("seal key: %v", err)
	}
}
