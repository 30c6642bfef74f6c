package jose

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"testing"
)

// TestAppendDER compares our r‖s → DER encoding with encoding/asn1 on the edge cases: leading
// zero bytes, high bits that need a 0x00 pad, and the largest values.
func TestAppendDER(t *testing.T) {
	vals := [][]byte{
		bytes.Repeat([]byte{0}, 31), bytes.Repeat([]byte{0xff}, 32), append([]byte{0x80}, make([]byte, 31)...),
		append([]byte{0, 0x7f}, bytes.Repeat([]byte{1}, 30)...), append(make([]byte, 31), 1),
	}
	for _, r := range vals {
		for _, s := range vals {
			r32 := append(make([]byte, 32-len(r)), r...)
			s32 := append(make([]byte, 32-len(s)), s...)
			got := appendDER(nil, append(append([]byte{}, r32...), s32...))
			want, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(r32), new(big.Int).SetBytes(s32)})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("r=%x s=%x: DER %x, want %x", r32, s32, got, want)
			}
			back, err := fixedRS(want, 32)
			if err != nil || !bytes.Equal(back, append(r32, s32...)) {
				t.Fatalf("fixedRS(%x) = %x, %v", want, back, err)
			}
		}
	}
	for _, bad := range [][]byte{nil, {0x30, 0}, {0x30, 3, 2, 1, 0xff}, {0x31, 6, 2, 1, 1, 2, 1, 1},
		{0x30, 6, 2, 1, 1, 2, 1, 1, 0}, append([]byte{0x30, 38, 2, 33}, make([]byte, 33+3)...)} {
		if _, err := fixedRS(bad, 32); err == nil {
			t.Errorf("fixedRS(%x) accepted", bad)
		}
	}
}
