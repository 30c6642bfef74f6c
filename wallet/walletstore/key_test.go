package walletstore_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashi-vc/hashi/wallet/walletstore"
)

func writeKey(t *testing.T, content []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "wallet.key")
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadKeyFile(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0xa5}, 32)
	key[0], key[31] = '\n', ' ' // raw keys are taken as they are, white space included
	cases := []struct {
		name    string
		content []byte
		mode    os.FileMode
		want    []byte
	}{
		{"ok/raw", key, 0o600, key},
		{"ok/raw read-only", key, 0o400, key},
		{"ok/hex", []byte(hex.EncodeToString(key) + "\n"), 0o600, key},
		{"ok/hex upper", bytes.ToUpper([]byte(hex.EncodeToString(key))), 0o600, key},
		{"ok/base64", []byte(base64.StdEncoding.EncodeToString(key) + "\n"), 0o600, key},
		{"ok/base64 raw url", []byte("  " + base64.RawURLEncoding.EncodeToString(key) + "\r\n"), 0o600, key},
		{"fail/group readable", key, 0o640, nil},
		{"fail/world readable", key, 0o604, nil},
		{"fail/group writable", key, 0o620, nil},
		{"fail/short raw", key[:31], 0o600, nil},
		{"fail/long raw", append(bytes.Clone(key), 0), 0o600, nil},
		{"fail/short hex", []byte(hex.EncodeToString(key[:16])), 0o600, nil},
		{"fail/base64 of 24 bytes", []byte(base64.StdEncoding.EncodeToString(key[:24])), 0o600, nil},
		{"fail/empty", nil, 0o600, nil},
		{"fail/too large", bytes.Repeat([]byte("a"), walletstore.MaxKeyFileSize+1), 0o600, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := walletstore.LoadKey(writeKey(t, c.content, c.mode), "")
			if c.want == nil {
				if !errors.Is(err, walletstore.ErrKeySource) {
					t.Fatalf("%v; want ErrKeySource", err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, c.want) {
				t.Fatalf("%x, %v", got, err)
			}
		})
	}
	if _, err := walletstore.LoadKey(filepath.Join(t.TempDir(), "missing"), ""); !errors.Is(err, walletstore.ErrKeySource) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := walletstore.LoadKey(t.TempDir(), ""); !errors.Is(err, walletstore.ErrKeySource) {
		t.Fatalf("directory: %v", err)
	}
}

// TestLoadKeyEnv sets environment variables, so it does not run in parallel.
func TestLoadKeyEnv(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	const name = "HASHI_TEST_WALLET_KEY"
	cases := []struct {
		name, value string
		want        []byte
	}{
		{"ok/hex", hex.EncodeToString(key), key},
		{"ok/base64", base64.StdEncoding.EncodeToString(key), key},
		{"fail/raw bytes", string(key), nil},
		{"fail/short", hex.EncodeToString(key[:31]), nil},
		{"fail/empty", "", nil},
	}
	for _, c := range cases {
		t.Setenv(name, c.value)
		got, err := walletstore.LoadKey("", name)
		if c.want == nil {
			if !errors.Is(err, walletstore.ErrKeySource) {
				t.Fatalf("%s: %v; want ErrKeySource", c.name, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, c.want) {
			t.Fatalf("%s: %x, %v", c.name, got, err)
		}
	}
	if _, err := walletstore.LoadKey("", "HASHI_TEST_WALLET_KEY_UNSET_FOR_SURE"); !errors.Is(err, walletstore.ErrKeySource) {
		t.Fatalf("unset variable: %v", err)
	}
	if _, err := walletstore.LoadKey("", ""); !errors.Is(err, walletstore.ErrKeySource) {
		t.Fatalf("no source: %v", err)
	}
	if _, err := walletstore.LoadKey("wallet.key", name); !errors.Is(err, walletstore.ErrKeySource) {
		t.Fatalf("both sources: %v", err)
	}
}
