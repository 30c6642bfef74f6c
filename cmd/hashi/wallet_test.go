package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// TestWalletCLIReceive: `hashi wallet receive` takes an offer from `hashi issuer serve` over
// TLS (PIN included), stores it encrypted, and list/show/delete work on the local store.
func TestWalletCLIReceive(t *testing.T) {
	r := startIssuer(t, sqldbtest.SQLiteDSN(t))
	store := filepath.Join(t.TempDir(), "wallet")
	holder := func(args ...string) (int, string, string) {
		return runHashi(t, "", append([]string{"wallet", "--store", store, "--tls-ca", r.tlsCA}, args...)...)
	}
	res := r.offer(t, "sakuragaoka", "hashi_diploma_sd_jwt", true)
	offer, pin := res["offer"].(string), res["tx_code"].(string)

	if code, _, stderr := holder("receive", offer); code != 2 || !strings.Contains(stderr, "--tx-code") {
		t.Fatalf("receive without PIN: exit %d %s", code, stderr)
	}
	if code, _, stderr := holder("--lang", "ja", "receive", "--tx-code", wrongPIN(pin), offer); code != 1 || stderr == "" {
		t.Fatalf("receive with a wrong PIN: exit %d %s", code, stderr)
	}
	code, out, stderr := holder("receive", "--tx-code", pin, offer)
	if code != 0 {
		t.Fatalf("receive: exit %d %s", code, stderr)
	}
	var got struct {
		Credentials []credentialSummary `json:"credentials"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Credentials) != 1 {
		t.Fatalf("receive output %s (%v)", out, err)
	}
	c := got.Credentials[0]
	if c.Type != "urn:hashi:diploma:1" || c.Issuer != r.base+"/sakuragaoka" {
		t.Fatalf("received %+v", c)
	}
	// The key file is private and the database holds no plaintext credential.
	if fi, err := os.Stat(filepath.Join(store, "wallet.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(store, "wallet.db*")) // the database and its WAL
	if err != nil || len(files) == 0 {
		t.Fatalf("store files: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "eyJ") {
			t.Fatalf("%s holds a JWT in plain text", filepath.Base(f))
		}
	}
	if code, out, _ := holder("list"); code != 0 || !strings.Contains(out, c.ID) {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, out, _ := holder("show", c.ID); code != 0 || !strings.Contains(out, "degree") {
		t.Fatalf("show: %d %.300s", code, out)
	}
	if code, _, stderr := holder("delete", c.ID); code != 0 {
		t.Fatalf("delete: %d %s", code, stderr)
	}
	if code, out, _ := holder("list"); code != 0 || strings.Contains(out, c.ID) {
		t.Fatalf("list after delete: %d %s", code, out)
	}
	if code, _, _ := holder("show", c.ID); code != 1 {
		t.Fatalf("show deleted: exit %d", code)
	}
}

func wrongPIN(pin string) string {
	b := []byte(pin)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
