package statuslist_test

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"runtime"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/hashi-vc/hashi/internal/statuslist"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name      string
		bits      int
		size      int
		wantCode  statuslist.Code
		wantBytes int
	}{
		{name: "ok/1-bit-16", bits: 1, size: 16, wantBytes: 2},
		{name: "ok/1-bit-17-rounds-up", bits: 1, size: 17, wantBytes: 3},
		{name: "ok/2-bit-12", bits: 2, size: 12, wantBytes: 3},
		{name: "ok/4-bit-3", bits: 4, size: 3, wantBytes: 2},
		{name: "ok/8-bit-2^20", bits: 8, size: 1 << 20, wantBytes: 1 << 20},
		{name: "ok/1-bit-at-limit", bits: 1, size: statuslist.MaxDecompressedSize * 8, wantBytes: statuslist.MaxDecompressedSize},
		{name: "fail/bits-0", bits: 0, size: 8, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/bits-3", bits: 3, size: 8, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/bits-16", bits: 16, size: 8, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/bits-negative", bits: -1, size: 8, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/size-0", bits: 1, size: 0, wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/size-negative", bits: 1, size: -8, wantCode: statuslist.CodeInvalidArgument},
		{name: "fail/too-large", bits: 1, size: statuslist.MaxDecompressedSize*8 + 1, wantCode: statuslist.CodeTooLarge},
		{name: "fail/too-large-8-bit", bits: 8, size: statuslist.MaxDecompressedSize + 1, wantCode: statuslist.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := statuslist.New(tt.bits, tt.size)
			checkCode(t, err, tt.wantCode)
			if err != nil {
				return
			}
			if l.Bits() != tt.bits || l.Len() != tt.size || len(l.Bytes()) != tt.wantBytes {
				t.Fatalf("bits %d len %d bytes %d", l.Bits(), l.Len(), len(l.Bytes()))
			}
			for _, idx := range []int{0, tt.size - 1} {
				s, err := l.Get(idx)
				checkCode(t, err, "")
				if s != statuslist.Valid {
					t.Fatalf("new entry %d = %v, want VALID", idx, s)
				}
			}
		})
	}
}

func TestGetSet(t *testing.T) {
	tests := []struct {
		name     string
		bits     int
		idx      int
		status   statuslist.Status
		wantCode statuslist.Code
	}{
		{name: "ok/1-bit-invalid", bits: 1, idx: 9, status: statuslist.Invalid},
		{name: "ok/2-bit-suspended", bits: 2, idx: 9, status: statuslist.Suspended},
		{name: "ok/2-bit-app-specific", bits: 2, idx: 11, status: statuslist.ApplicationSpecific},
		{name: "ok/4-bit-0x0F", bits: 4, idx: 1, status: 0x0F},
		{name: "ok/8-bit-0xFF", bits: 8, idx: 15, status: 0xFF},
		{name: "fail/1-bit-suspended", bits: 1, idx: 0, status: statuslist.Suspended, wantCode: statuslist.CodeInvalidStatus},
		{name: "fail/2-bit-0x04", bits: 2, idx: 0, status: 4, wantCode: statuslist.CodeInvalidStatus},
		{name: "fail/4-bit-0x10", bits: 4, idx: 0, status: 0x10, wantCode: statuslist.CodeInvalidStatus},
		{name: "fail/index-negative", bits: 1, idx: -1, status: 1, wantCode: statuslist.CodeIndexOutOfRange},
		{name: "fail/index-len", bits: 1, idx: 16, status: 1, wantCode: statuslist.CodeIndexOutOfRange},
		{name: "fail/index-huge", bits: 8, idx: 1 << 40, status: 1, wantCode: statuslist.CodeIndexOutOfRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := statuslist.New(tt.bits, 16)
			checkCode(t, err, "")
			before := l.Bytes()
			checkCode(t, l.Set(tt.idx, tt.status), tt.wantCode)
			if tt.wantCode != "" {
				if !bytes.Equal(before, l.Bytes()) {
					t.Fatal("failed Set changed the list")
				}
				_, err := l.Get(tt.idx)
				if tt.wantCode == statuslist.CodeIndexOutOfRange {
					checkCode(t, err, statuslist.CodeIndexOutOfRange)
				}
				return
			}
			got, err := l.Get(tt.idx)
			checkCode(t, err, "")
			if got != tt.status {
				t.Fatalf("Get = %v, want %v", got, tt.status)
			}
			for i := range l.Len() {
				if i == tt.idx {
					continue
				}
				if s, _ := l.Get(i); s != statuslist.Valid {
					t.Fatalf("Set(%d) changed entry %d to %v", tt.idx, i, s)
				}
			}
		})
	}
}

// TestListModel checks Get/Set/Encode/Decode against a plain slice model under random
// operations, for every bit width.
func TestListModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		bits := rapid.SampledFrom([]int{1, 2, 4, 8}).Draw(t, "bits")
		size := rapid.IntRange(1, 300).Draw(t, "size")
		l, err := statuslist.New(bits, size)
		if err != nil {
			t.Fatal(err)
		}
		model := make([]statuslist.Status, size)
		ops := rapid.IntRange(0, 200).Draw(t, "ops")
		for range ops {
			i := rapid.IntRange(0, size-1).Draw(t, "idx")
			s := statuslist.Status(rapid.IntRange(0, 1<<bits-1).Draw(t, "status"))
			if err := l.Set(i, s); err != nil {
				t.Fatal(err)
			}
			model[i] = s
		}
		enc, err := l.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := statuslist.Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		if back.Len() < size || back.Len()-size >= 8/bits {
			t.Fatalf("decoded Len %d for size %d at %d bits", back.Len(), size, bits)
		}
		for i := range back.Len() {
			want := statuslist.Valid
			if i < size {
				want = model[i]
				if got, _ := l.Get(i); got != want {
					t.Fatalf("Get(%d) = %v, want %v", i, got, want)
				}
			}
			if got, _ := back.Get(i); got != want {
				t.Fatalf("decoded Get(%d) = %v, want %v", i, got, want)
			}
		}
	})
}

func TestDecode(t *testing.T) {
	valid := zlibBytes(t, []byte{0xb9, 0xa3})
	badAdler := bytes.Clone(valid)
	badAdler[len(badAdler)-1] ^= 0xff

	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	_, _ = fw.Write([]byte{0xb9, 0xa3})
	_ = fw.Close()

	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	_, _ = gw.Write([]byte{0xb9, 0xa3})
	_ = gw.Close()

	var dict bytes.Buffer
	dw, _ := zlib.NewWriterLevelDict(&dict, zlib.BestCompression, []byte("dictionary"))
	_, _ = dw.Write([]byte{0xb9, 0xa3})
	_ = dw.Close()

	// A zlib bomb: about 1 MiB that would inflate to 1 GiB. Decode must stop at the limit
	// (inflating it all would take seconds and a gigabyte).
	bomb := zeroStream(t, 1<<30)
	if len(bomb) > statuslist.MaxCompressedSize {
		t.Fatalf("bomb is %d bytes, more than the compressed limit", len(bomb))
	}
	smallBomb := zlibBytes(t, make([]byte, 8<<20)) // a few KiB from a real compressor
	atLimit := zeroStream(t, statuslist.MaxDecompressedSize)
	overLimit := zeroStream(t, statuslist.MaxDecompressedSize+1)
	eightBit := make([]byte, 1<<20) // 2^20 entries at 8 bits = 1 MiB, incompressible
	for i := range eightBit {
		eightBit[i] = byte(i*7919 + i>>8*31 + i>>16*131)
	}

	tests := []struct {
		name     string
		sl       statuslist.StatusList
		wantCode statuslist.Code
		wantLen  int
	}{
		{name: "ok/spec-1-bit", sl: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgAAhcBXQ"}, wantLen: 16},
		{name: "ok/as-8-bit", sl: statuslist.StatusList{Bits: 8, Lst: "eNrbuRgAAhcBXQ"}, wantLen: 2},
		{name: "ok/aggregation-uri", sl: statuslist.StatusList{Bits: 1, Lst: b64(valid), AggregationURI: "https://example.com/statuslists"}, wantLen: 16},
		{name: "ok/zero-stream-helper", sl: statuslist.StatusList{Bits: 8, Lst: b64(zeroStream(t, 3<<20+5))}, wantLen: 3<<20 + 5},
		{name: "ok/at-limit", sl: statuslist.StatusList{Bits: 1, Lst: b64(atLimit)}, wantLen: statuslist.MaxDecompressedSize * 8},
		{name: "ok/2^20-entries-8-bit", sl: statuslist.StatusList{Bits: 8, Lst: b64(zlibBytes(t, eightBit))}, wantLen: 1 << 20},
		{name: "fail/bits-0", sl: statuslist.StatusList{Bits: 0, Lst: "eNrbuRgAAhcBXQ"}, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/bits-3", sl: statuslist.StatusList{Bits: 3, Lst: "eNrbuRgAAhcBXQ"}, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/bits-16", sl: statuslist.StatusList{Bits: 16, Lst: "eNrbuRgAAhcBXQ"}, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/lst-empty", sl: statuslist.StatusList{Bits: 1}, wantCode: statuslist.CodeMalformed},
		{name: "fail/lst-padding", sl: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgAAhcBXQ=="}, wantCode: statuslist.CodeMalformed},
		{name: "fail/lst-std-base64", sl: statuslist.StatusList{Bits: 1, Lst: "eNo+6fITAAPfAgc/"}, wantCode: statuslist.CodeMalformed},
		{name: "fail/lst-newline", sl: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgA\nAhcBXQ"}, wantCode: statuslist.CodeMalformed},
		{name: "fail/lst-space", sl: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgA AhcBXQ"}, wantCode: statuslist.CodeMalformed},
		{name: "fail/lst-stray-bits", sl: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgAAhcBXR"}, wantCode: statuslist.CodeMalformed},
		{name: "fail/lst-bad-length", sl: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgAAhcBX"}, wantCode: statuslist.CodeMalformed},
		{name: "fail/not-zlib", sl: statuslist.StatusList{Bits: 1, Lst: b64([]byte("hello, world"))}, wantCode: statuslist.CodeMalformed},
		{name: "fail/raw-deflate", sl: statuslist.StatusList{Bits: 1, Lst: b64(raw.Bytes())}, wantCode: statuslist.CodeMalformed},
		{name: "fail/gzip", sl: statuslist.StatusList{Bits: 1, Lst: b64(gz.Bytes())}, wantCode: statuslist.CodeMalformed},
		{name: "fail/preset-dictionary", sl: statuslist.StatusList{Bits: 1, Lst: b64(dict.Bytes())}, wantCode: statuslist.CodeMalformed},
		{name: "fail/bad-adler32", sl: statuslist.StatusList{Bits: 1, Lst: b64(badAdler)}, wantCode: statuslist.CodeMalformed},
		{name: "fail/truncated", sl: statuslist.StatusList{Bits: 1, Lst: b64(valid[:len(valid)-3])}, wantCode: statuslist.CodeMalformed},
		{name: "fail/trailing-bytes", sl: statuslist.StatusList{Bits: 1, Lst: b64(append(bytes.Clone(valid), 0))}, wantCode: statuslist.CodeMalformed},
		{name: "fail/two-streams", sl: statuslist.StatusList{Bits: 1, Lst: b64(append(bytes.Clone(valid), valid...))}, wantCode: statuslist.CodeMalformed},
		{name: "fail/empty-array", sl: statuslist.StatusList{Bits: 1, Lst: b64(zlibBytes(t, nil))}, wantCode: statuslist.CodeMalformed},
		{name: "fail/zlib-bomb-1GiB", sl: statuslist.StatusList{Bits: 1, Lst: b64(bomb)}, wantCode: statuslist.CodeTooLarge},
		{name: "fail/zlib-bomb-8MiB", sl: statuslist.StatusList{Bits: 1, Lst: b64(smallBomb)}, wantCode: statuslist.CodeTooLarge},
		{name: "fail/one-over-limit", sl: statuslist.StatusList{Bits: 8, Lst: b64(overLimit)}, wantCode: statuslist.CodeTooLarge},
		{name: "fail/lst-too-long", sl: statuslist.StatusList{Bits: 1, Lst: strings.Repeat("A", statuslist.MaxCompressedSize*4/3+8)}, wantCode: statuslist.CodeTooLarge},
		{name: "fail/aggregation-uri-relative", sl: statuslist.StatusList{Bits: 1, Lst: b64(valid), AggregationURI: "/statuslists"}, wantCode: statuslist.CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := statuslist.Decode(tt.sl)
			checkCode(t, err, tt.wantCode)
			if err == nil && l.Len() != tt.wantLen {
				t.Fatalf("Len = %d, want %d", l.Len(), tt.wantLen)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     statuslist.StatusList
		wantCode statuslist.Code
	}{
		{name: "ok/spec", in: `{"bits":1,"lst":"eNrbuRgAAhcBXQ"}`, want: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgAAhcBXQ"}},
		{name: "ok/whitespace", in: " {\n \"bits\" : 2 , \"lst\":\"eNo76fITAAPfAgc\"}\n", want: statuslist.StatusList{Bits: 2, Lst: "eNo76fITAAPfAgc"}},
		{name: "ok/aggregation", in: `{"bits":1,"lst":"eNrbuRgAAhcBXQ","aggregation_uri":"https://example.com/agg"}`, want: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgAAhcBXQ", AggregationURI: "https://example.com/agg"}},
		{name: "ok/unknown-member-ignored", in: `{"bits":1,"lst":"eNrbuRgAAhcBXQ","x":[1]}`, want: statuslist.StatusList{Bits: 1, Lst: "eNrbuRgAAhcBXQ"}},
		{name: "fail/not-object", in: `[1]`, wantCode: statuslist.CodeMalformed},
		{name: "fail/not-json", in: `{"bits":1,`, wantCode: statuslist.CodeMalformed},
		{name: "fail/trailing-data", in: `{"bits":1,"lst":"eNrbuRgAAhcBXQ"}{}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/duplicate-lst", in: `{"bits":1,"lst":"eNrbuRgAAhcBXQ","lst":"eNo76fITAAPfAgc"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/missing-bits", in: `{"lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/bits-case", in: `{"Bits":1,"lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/bits-string", in: `{"bits":"1","lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/bits-fraction", in: `{"bits":1.0,"lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/bits-exponent", in: `{"bits":1e0,"lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/bits-null", in: `{"bits":null,"lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/bits-3", in: `{"bits":3,"lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/bits-negative", in: `{"bits":-1,"lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeUnsupportedBits},
		{name: "fail/bits-huge", in: `{"bits":99999999999999999999,"lst":"eNrbuRgAAhcBXQ"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/missing-lst", in: `{"bits":1}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/lst-number", in: `{"bits":1,"lst":5}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/aggregation-number", in: `{"bits":1,"lst":"eNrbuRgAAhcBXQ","aggregation_uri":1}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/aggregation-relative", in: `{"bits":1,"lst":"eNrbuRgAAhcBXQ","aggregation_uri":"agg"}`, wantCode: statuslist.CodeMalformed},
		{name: "fail/invalid-utf8", in: "{\"bits\":1,\"lst\":\"eNrbuRgAAhcBXQ\",\"x\":\"\xff\"}", wantCode: statuslist.CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := statuslist.ParseJSON([]byte(tt.in))
			checkCode(t, err, tt.wantCode)
			if err == nil && got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestStatusString(t *testing.T) {
	tests := []struct {
		s    statuslist.Status
		want string
	}{
		{statuslist.Valid, "VALID"},
		{statuslist.Invalid, "INVALID"},
		{statuslist.Suspended, "SUSPENDED"},
		{statuslist.ApplicationSpecific, "APPLICATION_SPECIFIC_0x03"},
		{0x04, "RESERVED_0x04"},
		{0x0B, "RESERVED_0x0B"},
		{0x0C, "APPLICATION_SPECIFIC_0x0C"},
		{0x0F, "APPLICATION_SPECIFIC_0x0F"},
		{0x10, "RESERVED_0x10"},
		{0xFF, "RESERVED_0xFF"},
	}
	for _, tt := range tests {
		t.Run("ok/"+tt.want, func(t *testing.T) {
			if got := tt.s.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
		})
	}
	if statuslist.Valid != 0x00 || statuslist.Invalid != 0x01 || statuslist.Suspended != 0x02 || statuslist.ApplicationSpecific != 0x03 {
		t.Fatal("status values differ from §7.1")
	}
}

// TestDecodeStopsAtLimit checks that Decode stops inflating a 1 GiB zlib bomb at the limit
// instead of inflating it all and then complaining: it may allocate a few times
// MaxDecompressedSize, never the gigabyte.
func TestDecodeStopsAtLimit(t *testing.T) {
	bomb := statuslist.StatusList{Bits: 1, Lst: b64(zeroStream(t, 1<<30))}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := statuslist.Decode(bomb)
	runtime.ReadMemStats(&after)
	checkCode(t, err, statuslist.CodeTooLarge)
	if got := after.TotalAlloc - before.TotalAlloc; got > 16*statuslist.MaxDecompressedSize {
		t.Fatalf("Decode allocated %d MiB for a bomb; it must stop at the %d MiB limit", got>>20, statuslist.MaxDecompressedSize>>20)
	}
}
