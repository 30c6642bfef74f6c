package webui

import (
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	tok := "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	tests := []struct {
		name  string
		a, b  string
		equal bool
	}{
		{"ok/same", tok, tok, true},
		{"fail/last byte", tok, tok[:25] + "2", false},
		{"fail/first byte", tok, "Z" + tok[1:], false},
		{"fail/prefix", tok, tok[:10], false},
		{"fail/empty", tok, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokensEqual(tt.a, tt.b); got != tt.equal {
				t.Fatalf("tokensEqual = %v", got)
			}
		})
	}
	for _, s := range []string{tok, "234567ABCDEFGHIJKLMNOPQRST"} {
		if !validToken(s) {
			t.Errorf("validToken(%q) = false", s)
		}
	}
	for _, s := range []string{"", tok[:25], tok + "A", strings.ToLower(tok), "ABCDEFGHIJKLMNOPQRSTUVWXY1", "ABCDEFGHIJKLMNOPQRSTUVWXY="} {
		if validToken(s) {
			t.Errorf("validToken(%q) = true", s)
		}
	}
}

// BenchmarkTokensEqual shows that the comparison takes the same time wherever the first
// difference is (compare the ns/op of the sub-benchmarks); tokensEqual uses
// crypto/subtle.ConstantTimeCompare.
func BenchmarkTokensEqual(b *testing.B) {
	tok := strings.Repeat("A", 26)
	for _, bc := range []struct{ name, other string }{
		{"differ-first", "B" + tok[1:]},
		{"differ-last", tok[:25] + "B"},
		{"equal", tok},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				tokensEqual(tok, bc.other)
			}
		})
	}
}
