package statuslist

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"io"

	"github.com/hashi-vc/hashi/internal/jose"
)

// StatusList is the JSON form of a Status List (draft-ietf-oauth-status-list-20 §4.2), the
// value of a Status List Token's "status_list" claim.
type StatusList struct {
	// Bits is the number of bits per entry: 1, 2, 4 or 8.
	Bits int `json:"bits"`
	// Lst is the base64url (no padding) encoding of the ZLIB-compressed byte array.
	Lst string `json:"lst"`
	// AggregationURI optionally points to a Status List Aggregation (§9).
	AggregationURI string `json:"aggregation_uri,omitempty"`
}

// List is a decoded, uncompressed Status List: Len entries of Bits bits each, packed
// least-significant bit first (§4.1). A List is not safe for concurrent mutation.
type List struct {
	bits int
	n    int
	b    []byte
}

func validBits(bits int) bool { return bits == 1 || bits == 2 || bits == 4 || bits == 8 }

// New returns a List of size entries of bits bits each, all Valid (0x00). bits must be 1, 2,
// 4 or 8 (CodeUnsupportedBits); size must be at least one (CodeInvalidArgument) and the byte
// array no larger than MaxDecompressedSize (CodeTooLarge), so that every list New makes can
// also be decoded.
func New(bits, size int) (*List, error) {
	if !validBits(bits) {
		return nil, errorf(CodeUnsupportedBits, nil, "bits is %d, want 1, 2, 4 or 8", bits)
	}
	if size < 1 {
		return nil, errorf(CodeInvalidArgument, nil, "size is %d, want at least 1", size)
	}
	per := 8 / bits
	if size > MaxDecompressedSize*per {
		return nil, errorf(CodeTooLarge, nil, "%d entries of %d bits exceed %d bytes", size, bits, MaxDecompressedSize)
	}
	return &List{bits: bits, n: size, b: make([]byte, (size+per-1)/per)}, nil
}

// Bits returns the number of bits per entry.
func (l *List) Bits() int { return l.bits }

// Len returns the number of entries. For a decoded list it is the byte length times 8/Bits,
// which may exceed the number of entries the issuer allocated (the padding entries are 0).
func (l *List) Len() int { return l.n }

// Bytes returns a copy of the uncompressed byte array.
func (l *List) Bytes() []byte { return bytes.Clone(l.b) }

// Get returns the status at idx, or CodeIndexOutOfRange when idx is negative or not below Len.
func (l *List) Get(idx int) (Status, error) {
	if idx < 0 || idx >= l.n {
		return 0, errorf(CodeIndexOutOfRange, nil, "index %d is outside the list of %d entries", idx, l.n)
	}
	per := 8 / l.bits
	shift := uint(idx%per) * uint(l.bits)
	return Status((l.b[idx/per] >> shift) & byte(1<<l.bits-1)), nil
}

// Set sets the status at idx. It fails with CodeIndexOutOfRange for an index outside the list
// and with CodeInvalidStatus for a status that does not fit in Bits.
func (l *List) Set(idx int, s Status) error {
	if idx < 0 || idx >= l.n {
		return errorf(CodeIndexOutOfRange, nil, "index %d is outside the list of %d entries", idx, l.n)
	}
	mask := byte(1<<l.bits - 1)
	if byte(s) > mask {
		return errorf(CodeInvalidStatus, nil, "status 0x%02X does not fit in %d bits", uint8(s), l.bits)
	}
	per := 8 / l.bits
	shift := uint(idx%per) * uint(l.bits)
	i := idx / per
	l.b[i] = l.b[i]&^(mask<<shift) | byte(s)<<shift
	return nil
}

// Encode compresses the list with DEFLATE in the ZLIB format at the best compression level
// and returns its JSON form with lst in base64url without padding (§4.1, §4.2). The
// compressed bytes need not equal another implementation's; the decompressed bytes do.
func (l *List) Encode() (StatusList, error) {
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		return StatusList{}, errorf(CodeInvalidArgument, err, "zlib writer")
	}
	if _, err := zw.Write(l.b); err != nil {
		return StatusList{}, errorf(CodeInvalidArgument, err, "compress")
	}
	if err := zw.Close(); err != nil {
		return StatusList{}, errorf(CodeInvalidArgument, err, "compress")
	}
	if buf.Len() > MaxCompressedSize {
		return StatusList{}, errorf(CodeTooLarge, nil, "compressed list is %d bytes, more than %d", buf.Len(), MaxCompressedSize)
	}
	return StatusList{Bits: l.bits, Lst: base64.RawURLEncoding.EncodeToString(buf.Bytes())}, nil
}

// Decode validates and decompresses a Status List. It checks that Bits is 1, 2, 4 or 8; that
// Lst is non-empty base64url without padding, whitespace or stray bits, and at most
// MaxCompressedSize bytes once decoded; that it holds exactly one ZLIB stream (RFC 1950: valid
// header, no preset dictionary, valid Adler-32, no trailing bytes) whose DEFLATE data inflates
// to between 1 and MaxDecompressedSize bytes. Inflation stops as soon as the limit is passed.
// AggregationURI, when set, must be an absolute URI. Decode does not look at any token or
// signature. Specification: draft-ietf-oauth-status-list-20 §4.1 and §4.2
// (https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html#section-4.1).
func Decode(sl StatusList) (*List, error) {
	if !validBits(sl.Bits) {
		return nil, errorf(CodeUnsupportedBits, nil, "bits is %d, want 1, 2, 4 or 8", sl.Bits)
	}
	if sl.AggregationURI != "" && !absoluteURI(sl.AggregationURI) {
		return nil, errorf(CodeMalformed, nil, "aggregation_uri is not an absolute URI")
	}
	if sl.Lst == "" {
		return nil, errorf(CodeMalformed, nil, "lst is empty")
	}
	if len(sl.Lst) > base64.RawURLEncoding.EncodedLen(MaxCompressedSize) {
		return nil, errorf(CodeTooLarge, nil, "lst is %d characters, more than %d compressed bytes", len(sl.Lst), MaxCompressedSize)
	}
	// The decoder skips '\r' and '\n' even in strict mode; the alphabet check refuses them,
	// '=' padding and anything else outside base64url.
	for i := 0; i < len(sl.Lst); i++ {
		if !isBase64URL(sl.Lst[i]) {
			return nil, errorf(CodeMalformed, nil, "lst has a character outside base64url at offset %d", i)
		}
	}
	compressed, err := base64.RawURLEncoding.Strict().DecodeString(sl.Lst)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "lst is not base64url without padding")
	}
	raw, err := inflate(compressed)
	if err != nil {
		return nil, err
	}
	return &List{bits: sl.Bits, n: len(raw) * (8 / sl.Bits), b: raw}, nil
}

func isBase64URL(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// inflate decompresses one ZLIB stream, reading at most MaxDecompressedSize+1 output bytes.
func inflate(compressed []byte) ([]byte, error) {
	src := bytes.NewReader(compressed)
	zr, err := zlib.NewReader(src)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "lst is not a ZLIB stream")
	}
	var out bytes.Buffer
	n, err := out.ReadFrom(io.LimitReader(zr, MaxDecompressedSize+1))
	_ = zr.Close() // reports only the error ReadFrom already returned; nothing to release
	switch {
	case n > MaxDecompressedSize:
		return nil, errorf(CodeTooLarge, nil, "lst inflates to more than %d bytes", MaxDecompressedSize)
	case err != nil:
		if errors.Is(err, zlib.ErrDictionary) {
			return nil, errorf(CodeMalformed, err, "lst uses a preset dictionary")
		}
		return nil, errorf(CodeMalformed, err, "lst does not inflate")
	case n == 0:
		return nil, errorf(CodeMalformed, nil, "lst inflates to an empty byte array")
	case src.Len() != 0:
		// zlib reads the stream through src byte by byte (bytes.Reader is an io.ByteReader),
		// so whatever is left in src follows the Adler-32 trailer.
		return nil, errorf(CodeMalformed, nil, "lst has %d bytes after the ZLIB stream", src.Len())
	}
	return out.Bytes(), nil
}

// ParseJSON decodes the JSON form of a Status List (the value of a "status_list" claim)
// strictly: one JSON object without duplicate members or invalid UTF-8, with "bits" a JSON
// integer, "lst" a string and the optional "aggregation_uri" a string. Member names are
// matched exactly; other members are ignored. It does not decompress lst: pass the result to
// Decode.
func ParseJSON(b []byte) (StatusList, error) {
	if len(b) > base64.RawURLEncoding.EncodedLen(MaxCompressedSize)+4096 {
		return StatusList{}, errorf(CodeTooLarge, nil, "status list JSON is %d bytes", len(b))
	}
	if err := jose.CheckJSON(b); err != nil {
		return StatusList{}, errorf(CodeMalformed, err, "status list JSON")
	}
	return parseStatusList(b)
}

// parseStatusList decodes a status_list object that has already passed jose.CheckJSON.
func parseStatusList(b []byte) (StatusList, error) {
	m, ok := jsonObject(b)
	if !ok {
		return StatusList{}, errorf(CodeMalformed, nil, "status_list is not a JSON object")
	}
	var sl StatusList
	rawBits, ok := m["bits"]
	if !ok {
		return StatusList{}, errorf(CodeMalformed, nil, `status_list has no "bits"`)
	}
	bits, ok := jsonInt(rawBits)
	if !ok {
		return StatusList{}, errorf(CodeMalformed, nil, `status_list "bits" is not an integer`)
	}
	if bits != 1 && bits != 2 && bits != 4 && bits != 8 {
		return StatusList{}, errorf(CodeUnsupportedBits, nil, "bits is %d, want 1, 2, 4 or 8", bits)
	}
	sl.Bits = int(bits)
	rawLst, ok := m["lst"]
	if !ok {
		return StatusList{}, errorf(CodeMalformed, nil, `status_list has no "lst"`)
	}
	if sl.Lst, ok = jsonString(rawLst); !ok {
		return StatusList{}, errorf(CodeMalformed, nil, `status_list "lst" is not a string`)
	}
	if rawAgg, present := m["aggregation_uri"]; present {
		if sl.AggregationURI, ok = jsonString(rawAgg); !ok || !absoluteURI(sl.AggregationURI) {
			return StatusList{}, errorf(CodeMalformed, nil, `status_list "aggregation_uri" is not an absolute URI`)
		}
	}
	return sl, nil
}
