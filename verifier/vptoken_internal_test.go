package verifier

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzVPTokenString: what the scanner reads as a string (fast path for plain strings, or
// encoding/json) is one valid JSON string in valid UTF-8, read as encoding/json reads it.
func FuzzVPTokenString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"eyJhbGciOiJFUzI1NiJ9.e30.sig~WyJzIiwibiIsMV0~"`, `"a\"b"`, `"a\nb"`, "\"a\x01b\"", `"日本"`, "\"\xff\"", `"unterminated`, `"12345678\u0000"`, "\"1234567\x7f\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &vpScanner{b: b}
		got, err := s.str()
		if err != nil {
			return
		}
		// What was read must be one JSON string that encoding/json reads the same.
		var want string
		werr := json.Unmarshal(b[:s.i], &want)
		if werr != nil || got != want || !utf8.Valid(b[:s.i]) {
			t.Fatalf("%q: scanner read %q, encoding/json %q (%v)", b, got, want, werr)
		}
	})
}

func TestPlainASCII(t *testing.T) {
	naive := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c >= 0x80 {
				return false
			}
		}
		return true
	}
	buf := make([]byte, 40)
	for i := range buf {
		buf[i] = 'A'
	}
	for pos := range buf {
		for _, c := range []byte{0x00, 0x01, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xc3, 0xff} {
			b := append([]byte{}, buf...)
			b[pos] = c
			for n := pos; n <= len(b); n++ {
				if got, want := plainASCII(b[:n]), naive(b[:n]); got != want {
					t.Fatalf("byte %#x at %d of %d: %v, want %v", c, pos, n, got, want)
				}
			}
		}
	}
}
