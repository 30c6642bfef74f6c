package statuslist_test

import (
	"testing"

	"github.com/hashi-vc/hashi/internal/statuslist"
)

// BenchmarkDecodeLong1Bit decodes the spec's 2^20-entry 1-bit list (128 KiB inflated).
func BenchmarkDecodeLong1Bit(b *testing.B) {
	sl, err := statuslist.ParseJSON(readVector(b, "extracted/status_list_encoding1_long_json.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := statuslist.Decode(sl); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode2to20x1Bit compresses a 2^20-entry 1-bit list with a few revocations.
func BenchmarkEncode2to20x1Bit(b *testing.B) {
	l, err := statuslist.New(1, 1<<20)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < l.Len(); i += 997 {
		_ = l.Set(i, statuslist.Invalid)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGet reads entries of the decoded 2^20-entry 1-bit list.
func BenchmarkGet(b *testing.B) {
	sl, err := statuslist.ParseJSON(readVector(b, "extracted/status_list_encoding1_long_json.json"))
	if err != nil {
		b.Fatal(err)
	}
	l, err := statuslist.Decode(sl)
	if err != nil {
		b.Fatal(err)
	}
	idx := 0
	for b.Loop() {
		if _, err := l.Get(idx); err != nil {
			b.Fatal(err)
		}
		idx = (idx + 7919) & (1<<20 - 1)
	}
}

// BenchmarkVerifyVector parses and verifies the spec's Status List Token.
func BenchmarkVerifyVector(b *testing.B) {
	tok := vectorToken(b)
	key := vectorKey(b)
	pol := vectorPolicy()
	for b.Loop() {
		u, err := statuslist.ParseToken(tok)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := u.Verify(key, pol); err != nil {
			b.Fatal(err)
		}
	}
}
