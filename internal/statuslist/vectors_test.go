package statuslist_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/hashi-vc/hashi/internal/statuslist"
)

type expectedList struct {
	Bits              int              `json:"bits"`
	DecompressedBytes int              `json:"decompressed_bytes"`
	Entries           int              `json:"entries"`
	NonzeroCount      int              `json:"nonzero_count"`
	Nonzero           map[string]uint8 `json:"nonzero"`
	ByteArrayHex      []string         `json:"byte_array_hex"`
}

// refGet is an independent oracle for the §4.1 bit layout: entry i is the bits-wide field
// starting at absolute bit i*bits, bits numbered from the least-significant bit of byte 0.
func refGet(b []byte, bits, i int) uint8 {
	bit := i * bits
	return (b[bit/8] >> (bit % 8)) & uint8(1<<bits-1)
}

// TestVectorsEncoding decodes every JSON encoding vector of the spec (1, 2, 4, 8 bits, short
// and 2^20 entries) and compares every entry with the expected file: each listed index has
// its value and every other index is 0.
func TestVectorsEncoding(t *testing.T) {
	names := []string{
		"status_list_encoding_json",
		"status_list_encoding2_json",
		"status_list_encoding1_long_json",
		"status_list_encoding2_long_json",
		"status_list_encoding4_json",
		"status_list_encoding8_json",
	}
	for _, name := range names {
		t.Run("ok/"+name, func(t *testing.T) {
			sl, err := statuslist.ParseJSON(readVector(t, "extracted/"+name+".json"))
			checkCode(t, err, "")
			var want expectedList
			if err := json.Unmarshal(readVector(t, "expected/"+name+".expected.json"), &want); err != nil {
				t.Fatal(err)
			}
			l, err := statuslist.Decode(sl)
			checkCode(t, err, "")
			if l.Bits() != want.Bits || sl.Bits != want.Bits {
				t.Fatalf("bits = %d, want %d", l.Bits(), want.Bits)
			}
			if l.Len() != want.Entries {
				t.Fatalf("Len = %d, want %d", l.Len(), want.Entries)
			}
			raw := l.Bytes()
			if len(raw) != want.DecompressedBytes {
				t.Fatalf("%d decompressed bytes, want %d", len(raw), want.DecompressedBytes)
			}
			if len(want.Nonzero) != want.NonzeroCount {
				t.Fatalf("expected file lists %d entries, says %d", len(want.Nonzero), want.NonzeroCount)
			}
			if want.ByteArrayHex != nil {
				var wb []byte
				for _, h := range want.ByteArrayHex {
					v, err := strconv.ParseUint(h, 0, 8)
					if err != nil {
						t.Fatal(err)
					}
					wb = append(wb, byte(v))
				}
				if !bytes.Equal(raw, wb) {
					t.Fatalf("bytes = %x, want %x", raw, wb)
				}
			}
			wantAt := make([]uint8, want.Entries) // every index not listed is 0
			for k, v := range want.Nonzero {
				i, err := strconv.Atoi(k)
				if err != nil || i < 0 || i >= want.Entries || v == 0 {
					t.Fatalf("bad expected entry %q: %d", k, v)
				}
				wantAt[i] = v
			}
			nonzero := 0
			for i := range l.Len() {
				got, err := l.Get(i)
				if err != nil {
					t.Fatalf("Get(%d): %v", i, err)
				}
				if r := refGet(raw, l.Bits(), i); uint8(got) != r {
					t.Fatalf("Get(%d) = %d, reference layout says %d", i, got, r)
				}
				if uint8(got) != wantAt[i] {
					t.Fatalf("Get(%d) = %d, want %d", i, got, wantAt[i])
				}
				if got != 0 {
					nonzero++
				}
			}
			if nonzero != want.NonzeroCount {
				t.Fatalf("%d non-zero entries, want %d", nonzero, want.NonzeroCount)
			}
			for _, idx := range []int{-1, l.Len()} {
				_, err := l.Get(idx)
				checkCode(t, err, statuslist.CodeIndexOutOfRange)
			}

			// Our encoder's output decodes to the same list.
			enc, err := l.Encode()
			checkCode(t, err, "")
			again, err := statuslist.Decode(enc)
			checkCode(t, err, "")
			if again.Bits() != l.Bits() || !bytes.Equal(again.Bytes(), raw) {
				t.Fatal("re-encoded list decodes differently")
			}
		})
	}
}

// TestSpecExamples checks §4.1's two worked examples: the status values, the byte arrays
// (b9 a3 and c9 44 f9), and the compressed bytes printed in the spec, byte for byte, against
// the vectors' lst.
func TestSpecExamples(t *testing.T) {
	tests := []struct {
		name      string
		bits      int
		statuses  []statuslist.Status
		wantBytes string // hex
		vector    string // extracted file
		specZlib  string // "compressed array (hex)" of §4.1
		specLst   string // the lst of the JSON example
	}{
		{
			name:      "ok/1-bit",
			bits:      1,
			statuses:  []statuslist.Status{1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1},
			wantBytes: "b9a3",
			vector:    "status_list_encoding_json",
			specZlib:  "78dadbb918000217015d",
			specLst:   "eNrbuRgAAhcBXQ",
		},
		{
			name:      "ok/2-bit",
			bits:      2,
			statuses:  []statuslist.Status{1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3},
			wantBytes: "c944f9",
			vector:    "status_list_encoding2_json",
			specZlib:  "78da3be9f2130003df0207",
			specLst:   "eNo76fITAAPfAgc",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := statuslist.New(tt.bits, len(tt.statuses))
			checkCode(t, err, "")
			for i, s := range tt.statuses {
				checkCode(t, l.Set(i, s), "")
			}
			if got := hex.EncodeToString(l.Bytes()); got != tt.wantBytes {
				t.Fatalf("bytes = %s, want %s", got, tt.wantBytes)
			}

			// The vector's lst is exactly the spec's compressed bytes and JSON example.
			sl, err := statuslist.ParseJSON(readVector(t, "extracted/"+tt.vector+".json"))
			checkCode(t, err, "")
			if sl.Lst != tt.specLst {
				t.Fatalf("vector lst = %q, want %q", sl.Lst, tt.specLst)
			}
			z, err := base64.RawURLEncoding.DecodeString(sl.Lst)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(z); got != tt.specZlib {
				t.Fatalf("vector compressed bytes = %s, want %s", got, tt.specZlib)
			}
			spec, err := statuslist.Decode(sl)
			checkCode(t, err, "")
			if !bytes.Equal(spec.Bytes(), l.Bytes()) {
				t.Fatalf("spec list decodes to %x, we built %x", spec.Bytes(), l.Bytes())
			}

			// Our own encoding: a ZLIB stream (header 0x78, best level) that decodes to the
			// same bytes. The DEFLATE bytes may differ from the spec's compressor.
			enc, err := l.Encode()
			checkCode(t, err, "")
			if enc.Bits != tt.bits {
				t.Fatalf("encoded bits = %d", enc.Bits)
			}
			ours, err := base64.RawURLEncoding.DecodeString(enc.Lst)
			if err != nil {
				t.Fatal(err)
			}
			if ours[0] != 0x78 || ours[1] != 0xda {
				t.Fatalf("zlib header = %x, want 78da (best compression)", ours[:2])
			}
			back, err := statuslist.Decode(enc)
			checkCode(t, err, "")
			for i, s := range tt.statuses {
				got, err := back.Get(i)
				checkCode(t, err, "")
				if got != s {
					t.Fatalf("entry %d = %d, want %d", i, got, s)
				}
			}
		})
	}
}
