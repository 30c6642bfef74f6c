package jose

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"testing"
	"time"
)

func selfSigned(t *testing.T, n int64) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: "cache test"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func TestX5CCache(t *testing.T) {
	a := selfSigned(t, 1)
	first, err := ParseX5C([]string{a})
	if err != nil {
		t.Fatal(err)
	}
	second, err := ParseX5C([]string{a})
	if err != nil || second[0] != first[0] {
		t.Fatalf("second parse not served from the cache: %v", err)
	}
	// Invalid input is never cached and keeps failing.
	der, _ := base64.StdEncoding.DecodeString(a)
	truncated := base64.StdEncoding.EncodeToString(der[:len(der)-10])
	for range 2 {
		if _, err := ParseX5C([]string{truncated}); err == nil {
			t.Fatal("truncated certificate accepted")
		}
	}
	x5cCache.mu.RLock()
	_, cached := x5cCache.m[truncated]
	x5cCache.mu.RUnlock()
	if cached {
		t.Fatal("a certificate that failed to parse was cached")
	}
	// The cache stays bounded.
	for i := range maxCachedCerts + 10 {
		x5cCache.put(string(rune(i))+"x", first[0])
	}
	x5cCache.mu.RLock()
	n := len(x5cCache.m)
	x5cCache.mu.RUnlock()
	if n > maxCachedCerts {
		t.Fatalf("cache holds %d entries, bound %d", n, maxCachedCerts)
	}
}
