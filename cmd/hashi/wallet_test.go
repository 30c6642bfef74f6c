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

// TestWalletCLIDeferred: an offer for a graduate the registrar has not approved is deferred;
// `pending` lists it, `collect` leaves it pending until the registrar approves, then stores
// the credential and the pending issuance is gone.
func TestWalletCLIDeferred(t *testing.T) {
	r := startIssuer(t, sqldbtest.SQLiteDSN(t))
	store := filepath.Join(t.TempDir(), "wallet")
	holder := func(args ...string) (int, string, string) {
		return runHashi(t, "", append([]string{"wallet", "--store", store, "--tls-ca", r.tlsCA}, args...)...)
	}
	record, err := os.ReadFile(filepath.Join("..", "..", "internal", "academic", "testdata", "registrar", "eu-master.json"))
	if err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(map[string]any{"graduate_id": "g-1", "record": json.RawMessage(record), "approved": false})
	if code, out := r.do(t, "POST", r.base+"/oostland/admin/graduates", "application/x-ndjson", testRegistrarToken, line); code != 200 {
		t.Fatalf("import: %d %s", code, out)
	}
	body, _ := json.Marshal(map[string]any{"credential_configuration_id": "hashi_diploma_sd_jwt", "graduate_id": "g-1", "tx_code": false})
	code, out := r.do(t, "POST", r.base+"/oostland/admin/offers", "application/json", testRegistrarToken, body)
	var offer struct {
		Offer string `json:"offer"`
	}
	if code != 201 || json.Unmarshal(out, &offer) != nil {
		t.Fatalf("offer: %d %s", code, out)
	}
	type receipt struct {
		Credentials []credentialSummary `json:"credentials"`
		Pending     []pendingSummary    `json:"pending"`
	}
	read := func(what string, args ...string) receipt {
		t.Helper()
		exit, out, stderr := holder(args...)
		var r receipt
		if exit != 0 || json.Unmarshal([]byte(out), &r) != nil {
			t.Fatalf("%s: exit %d %s %s", what, exit, out, stderr)
		}
		return r
	}
	got := read("receive", "receive", offer.Offer)
	if len(got.Credentials) != 0 || len(got.Pending) != 1 || got.Pending[0].IntervalSeconds < 1 || got.Pending[0].Type != "urn:hashi:diploma:1" {
		t.Fatalf("receive of a deferred diploma: %+v", got)
	}
	id := got.Pending[0].ID
	exit, listed, stderr := holder("pending")
	var ps []pendingSummary
	if exit != 0 || json.Unmarshal([]byte(listed), &ps) != nil || len(ps) != 1 || ps[0].ID != id {
		t.Fatalf("pending: exit %d %s %s", exit, listed, stderr)
	}
	if strings.Contains(listed, "token") || strings.Contains(listed, "eyJ") {
		t.Fatalf("pending prints secrets: %s", listed)
	}
	exit, out2, stderr := holder("collect", id)
	var early receipt
	if exit != 0 || json.Unmarshal([]byte(out2), &early) != nil || len(early.Credentials) != 0 || len(early.Pending) != 1 || !strings.Contains(stderr, "not ready") {
		t.Fatalf("collect before approval: exit %d %s %s", exit, out2, stderr)
	}
	if code, out := r.do(t, "POST", r.base+"/oostland/admin/graduates/g-1/approve", "", testRegistrarToken, nil); code/100 != 2 {
		t.Fatalf("approve: %d %s", code, out)
	}
	got = read("collect", "collect", id)
	if len(got.Credentials) != 1 || len(got.Pending) != 0 || got.Credentials[0].Type != "urn:hashi:diploma:1" {
		t.Fatalf("collect after approval: %+v", got)
	}
	if exit, listed, _ := holder("pending"); exit != 0 || strings.TrimSpace(listed) != "[]" {
		t.Fatalf("pending after collect: %d %s", exit, listed)
	}
	if exit, _, stderr := holder("collect", id); exit != 1 || stderr == "" {
		t.Fatalf("collect of a finished issuance: exit %d %s", exit, stderr)
	}
	if exit, listed, _ := holder("list"); exit != 0 || !strings.Contains(listed, got.Credentials[0].ID) {
		t.Fatalf("list after collect: %d %s", exit, listed)
	}
}
