package b64

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(string) ([]byte, error)
		in   string
		want []byte
		err  bool
	}{
		{"rawurl", RawURL, "-_8", []byte{0xfb, 0xff}, false},
		{"rawurl empty", RawURL, "", []byte{}, false},
		{"rawurl LF inside", RawURL, "-_\n8", nil, true},
		{"rawurl CR inside", RawURL, "-\r_8", nil, true},
		{"rawurl trailing LF", RawURL, "-_8\n", nil, true},
		{"rawurl trailing bits", RawURL, "-_9", nil, true},
		{"rawurl padded", RawURL, "-_8=", nil, true},
		{"rawurl std alphabet", RawURL, "+/8", nil, true},
		{"rawstd", RawStd, "+/8", []byte{0xfb, 0xff}, false},
		{"rawstd LF", RawStd, "+/\n8", nil, true},
		{"std", Std, "+/8=", []byte{0xfb, 0xff}, false},
		{"std unpadded", Std, "+/8", nil, true},
		{"std CRLF", Std, "+/8=\r\n", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.fn(tc.in)
			if tc.err {
				if err == nil {
					t.Fatalf("accepted %q as %x", tc.in, got)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("got %x, %v; want %x", got, err, tc.want)
			}
		})
	}
	if _, err := RawURL("-_\n8"); !errors.Is(err, ErrNotCanonical) {
		t.Fatalf("err = %v, want ErrNotCanonical", err)
	}
}

func FuzzRawURL(f *testing.F) {
	f.Add("-_8")
	f.Add("AA\nAA")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := RawURL(s)
		if err != nil {
			return
		}
		if base64.RawURLEncoding.EncodeToString(b) != s {
			t.Fatalf("accepted non-canonical %q", s)
		}
	})
}
