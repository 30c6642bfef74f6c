package sdjwt

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// The issuance fast paths must decide exactly as the slow paths they shortcut.

func TestPlainPrefixAgreesWithByteScan(t *testing.T) {
	naive := func(s string) int {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
				return i
			}
		}
		return len(s)
	}
	// Every byte value at every position of a 24-byte plain string.
	base := strings.Repeat("abcdefgh", 3)
	for pos := range len(base) {
		for c := range 256 {
			s := base[:pos] + string([]byte{byte(c)}) + base[pos+1:]
			if got, want := plainPrefix(s), naive(s); got != want {
				t.Fatalf("plainPrefix(%q) = %d, want %d", s, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\"\\\x00\x1f\x20\x7e\x7f\x80\xffé日")
	for range 200000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		if got, want := plainPrefix(string(b)), naive(string(b)); got != want {
			t.Fatalf("plainPrefix(%q) = %d, want %d", b, got, want)
		}
	}
}

func TestIsHTTPSURLAgreesWithURLParse(t *testing.T) {
	slow := func(s string) bool {
		u, err := url.Parse(s)
		return err == nil && u.Scheme == "https" && u.Host != ""
	}
	cases := []string{
		"https://issuer.example", "https://issuer.example/", "https://issuer.example/a/b-c_d.e~f",
		"https://127.0.0.1:8443/issuer/sakuragaoka", "https://[::1]/x", "https://a.example/p?q=1", "https://a.example/#f",
		"https://", "https:///path", "http://issuer.example", "HTTPS://issuer.example", "https://user@host/",
		"https://host/%zz", "https://ho st/", "https://host/\x00", "https://ex ample.com", " https://a.example",
		"https://a.example/日本", "", "issuer.example", "https:issuer.example",
	}
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := "ab.-_~/:%@?#[]1 日\x00"
	for range 100000 {
		b := []byte("https://")
		for range r.IntN(24) {
			b = append(b, alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		got, _ := isHTTPSURL(s)
		if want := slow(s); got != want {
			t.Fatalf("isHTTPSURL(%q) = %v, url.Parse says %v", s, got, want)
		}
	}
}
