package dpop_test

import (
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/dpop"
)

func TestHTU(t *testing.T) {
	tests := []struct {
		name, in, want string
		fail           bool
	}{
		{name: "ok/already normal", in: "https://issuer.example/token", want: "https://issuer.example/token"},
		{name: "ok/scheme and host case", in: "HTTPS://Issuer.EXAMPLE/Token", want: "https://issuer.example/Token"},
		{name: "ok/default https port", in: "https://issuer.example:443/token", want: "https://issuer.example/token"},
		{name: "ok/default http port", in: "http://127.0.0.1:80/token", want: "http://127.0.0.1/token"},
		{name: "ok/empty port", in: "https://issuer.example:/token", want: "https://issuer.example/token"},
		{name: "ok/other port kept", in: "https://issuer.example:8443/token", want: "https://issuer.example:8443/token"},
		{name: "ok/https port on http kept", in: "http://issuer.example:443/token", want: "http://issuer.example:443/token"},
		{name: "ok/port leading zeros", in: "https://issuer.example:0443/token", want: "https://issuer.example/token"},
		{name: "ok/empty path", in: "https://issuer.example", want: "https://issuer.example/"},
		{name: "ok/query and fragment dropped", in: "https://issuer.example/token?a=b#c", want: "https://issuer.example/token"},
		{name: "ok/fragment only", in: "https://issuer.example/token#c?d", want: "https://issuer.example/token"},
		{name: "ok/query without path", in: "https://issuer.example?x", want: "https://issuer.example/"},
		{name: "ok/unreserved decoded", in: "https://issuer.example/%7Euser/%41%2d", want: "https://issuer.example/~user/A-"},
		{name: "ok/reserved uppercased", in: "https://issuer.example/a%2fb%3a", want: "https://issuer.example/a%2Fb%3A"},
		{name: "ok/dot segments", in: "https://issuer.example/a/./b/../c", want: "https://issuer.example/a/c"},
		{name: "ok/dot segments above root", in: "https://issuer.example/../../a", want: "https://issuer.example/a"},
		{name: "ok/trailing dot dot", in: "https://issuer.example/a/b/..", want: "https://issuer.example/a/"},
		{name: "ok/encoded dots", in: "https://issuer.example/a/%2E%2E/b", want: "https://issuer.example/b"},
		{name: "ok/dots inside names kept", in: "https://issuer.example/a..b/.c", want: "https://issuer.example/a..b/.c"},
		{name: "ok/sub-delims in path", in: "https://issuer.example/a;b=c,d!$&'()*+:@", want: "https://issuer.example/a;b=c,d!$&'()*+:@"},
		{name: "ok/IPv6 literal", in: "https://[2001:DB8::1]:443/x", want: "https://[2001:db8::1]/x"},
		{name: "ok/IPv6 literal with port", in: "http://[::1]:8080", want: "http://[::1]:8080/"},
		{name: "fail/relative", in: "/token", fail: true},
		{name: "fail/scheme-relative", in: "//issuer.example/token", fail: true},
		{name: "fail/other scheme", in: "ftp://issuer.example/token", fail: true},
		{name: "fail/no host", in: "https:///token", fail: true},
		{name: "fail/port only", in: "https://:443/token", fail: true},
		{name: "fail/userinfo", in: "https://user:pw@issuer.example/token", fail: true},
		{name: "fail/bad port", in: "https://issuer.example:https/token", fail: true},
		{name: "fail/port too big", in: "https://issuer.example:65536/token", fail: true},
		{name: "fail/space in path", in: "https://issuer.example/a b", fail: true},
		{name: "fail/non-ASCII path", in: "https://issuer.example/é", fail: true},
		{name: "fail/bad percent-encoding", in: "https://issuer.example/a%2", fail: true},
		{name: "fail/bad percent hex", in: "https://issuer.example/a%zz", fail: true},
		{name: "fail/host with percent", in: "https://issuer%2Eexample/a", fail: true},
		{name: "fail/unterminated IPv6", in: "https://[::1/a", fail: true},
		{name: "fail/empty IPv6", in: "https://[]/a", fail: true},
		{name: "fail/junk after IPv6", in: "https://[::1]x/a", fail: true},
		{name: "fail/too long", in: "https://issuer.example/" + strings.Repeat("a", 2048), fail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dpop.HTU(tt.in)
			if tt.fail {
				wantCode(t, err, dpop.CodeInvalidArgument)
				return
			}
			wantCode(t, err, "")
			if got != tt.want {
				t.Fatalf("HTU(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again, err := dpop.HTU(got); err != nil || again != got {
				t.Fatalf("HTU is not idempotent: %q -> %q, %v", got, again, err)
			}
		})
	}
}
