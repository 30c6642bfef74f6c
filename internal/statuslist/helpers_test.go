package statuslist_test

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/statuslist"
)

// vectorDir holds the spec vectors copied from the shared testdata (see testdata/README.md).
const vectorDir = "../../testdata/vectors/status-list"

// Facts of the spec's Status List Token vector (status_list.jwt).
const (
	vectorURI = "https://example.com/statuslists/1"
	vectorIat = 1686920170 // 2023-06-16T12:56:10Z
	vectorExp = 2291720170 // 2042-08-15
	vectorTTL = 43200 * time.Second
)

// vectorNow lies between the vector's iat and exp.
var vectorNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vectorToken(t testing.TB) string {
	t.Helper()
	return strings.TrimSpace(string(readVector(t, "status_list.jwt")))
}

func vectorKey(t testing.TB) crypto.PublicKey {
	t.Helper()
	k, err := jose.ParsePublicJWK(readVector(t, "example-signing-key.public.jwk.json"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func vectorPolicy() statuslist.Policy {
	return statuslist.Policy{URI: vectorURI, Algorithms: []jose.Algorithm{jose.ES256}, Now: vectorNow}
}

var sentinels = map[statuslist.Code]error{
	statuslist.CodeMalformed:            statuslist.ErrMalformed,
	statuslist.CodeUnsupportedBits:      statuslist.ErrUnsupportedBits,
	statuslist.CodeTooLarge:             statuslist.ErrTooLarge,
	statuslist.CodeWrongType:            statuslist.ErrWrongType,
	statuslist.CodeInvalidSignature:     statuslist.ErrInvalidSignature,
	statuslist.CodeUnsupportedAlgorithm: statuslist.ErrUnsupportedAlgorithm,
	statuslist.CodeKeyMismatch:          statuslist.ErrKeyMismatch,
	statuslist.CodeInvalidCertificate:   statuslist.ErrInvalidCertificate,
	statuslist.CodeSubjectMismatch:      statuslist.ErrSubjectMismatch,
	statuslist.CodeExpired:              statuslist.ErrExpired,
	statuslist.CodeIssuedInFuture:       statuslist.ErrIssuedInFuture,
	statuslist.CodeIndexOutOfRange:      statuslist.ErrIndexOutOfRange,
	statuslist.CodeInvalidStatus:        statuslist.ErrInvalidStatus,
	statuslist.CodeInvalidReference:     statuslist.ErrInvalidReference,
	statuslist.CodeListFull:             statuslist.ErrListFull,
	statuslist.CodeInvalidArgument:      statuslist.ErrInvalidArgument,
}

// checkCode fails unless err carries want (and matches its sentinel), or is nil when want is "".
func checkCode(t testing.TB, err error, want statuslist.Code) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got no error, want code %q", want)
	}
	if got := statuslist.CodeOf(err); got != want {
		t.Fatalf("got code %q (%v), want %q", got, err, want)
	}
	if !errors.Is(err, sentinels[want]) {
		t.Fatalf("errors.Is(%v, sentinel %q) is false", err, want)
	}
	for c, s := range sentinels {
		if c != want && errors.Is(err, s) {
			t.Fatalf("error %v also matches sentinel %q", err, c)
		}
	}
}

func zlibBytes(t testing.TB, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zeroStream returns a valid ZLIB stream (best-compression header, correct Adler-32) that
// inflates to n zero bytes, without compressing n bytes: it repeats one sync-flushed DEFLATE
// block of 1 MiB of zeros, so a 1 GiB stream costs about 1 MiB. It is the shape of a zlib bomb.
func zeroStream(t testing.TB, n int) []byte {
	t.Helper()
	block := func(size int) []byte {
		var buf bytes.Buffer
		fw, err := flate.NewWriter(&buf, flate.BestCompression)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(make([]byte, size)); err != nil {
			t.Fatal(err)
		}
		if err := fw.Flush(); err != nil { // non-final blocks, byte-aligned
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	const chunk = 1 << 20
	out := []byte{0x78, 0xda}
	if n >= chunk {
		b := block(chunk)
		for range n / chunk {
			out = append(out, b...)
		}
	}
	if rest := n % chunk; rest > 0 {
		out = append(out, block(rest)...)
	}
	out = append(out, 0x03, 0x00) // final, empty, fixed-Huffman block
	// Adler-32 of n zeros: A = 1, B = n mod 65521.
	return binary.BigEndian.AppendUint32(out, uint32(n%65521)<<16|1)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func newKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
