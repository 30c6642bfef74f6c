package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWalletServe starts `hashi wallet serve` on a fresh folder: readiness passes, the
// sign-up page renders in Japanese, and the wallet key must not be readable by others.
func TestWalletServe(t *testing.T) {
	dir := t.TempDir()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wallet.key"), []byte(hex.EncodeToString(key)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "wallet.yaml")
	if err := os.WriteFile(cfgPath, []byte("key_file: wallet.key\ninsecure_development: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadWalletConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	app, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveWallet(ctx, c, discardLogger(io.Discard), app, ops) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	get := func(url string) (int, string) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := http.Get(url) //nolint:noctx // test polling
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				return resp.StatusCode, string(b)
			}
			if time.Now().After(deadline) {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if code, _ := get("http://" + ops.Addr().String() + "/readyz"); code != http.StatusOK {
		t.Fatalf("readyz: %d", code)
	}
	if code, body := get("http://" + app.Addr().String() + "/wallet/sign-up?lang=ja"); code != http.StatusOK || !strings.Contains(body, `lang="ja"`) {
		t.Fatalf("sign-up page: %d %.200s", code, body)
	}
	// A key file others can read is refused.
	if err := os.Chmod(filepath.Join(dir, "wallet.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	a2, _ := net.Listen("tcp", "127.0.0.1:0")
	o2, _ := net.Listen("tcp", "127.0.0.1:0")
	if err := serveWallet(t.Context(), c, discardLogger(io.Discard), a2, o2); err == nil {
		t.Fatal("served with a world-readable wallet key")
	}
}
