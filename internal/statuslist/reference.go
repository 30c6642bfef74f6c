package statuslist

import (
	"encoding/json"
	"strconv"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Reference is the "status_list" member of a Referenced Token's "status" claim
// (draft-ietf-oauth-status-list-20 §6.2): the index to look up and the URI of the Status List
// Token that holds it.
type Reference struct {
	Idx int    `json:"idx"`
	URI string `json:"uri"`
}

// maxReferenceSize bounds the "status" claim JSON given to ParseReference.
const maxReferenceSize = 16 << 10

// ParseReference reads the Reference from the JSON value of a Referenced Token's "status"
// claim, e.g. {"status_list":{"idx":0,"uri":"https://example.com/statuslists/1"}}. It checks
// strict JSON (no duplicate members, valid UTF-8), that "status" is an object with a
// "status_list" object, that "idx" is a non-negative JSON integer and that "uri" is a string
// holding an absolute URI (see Reference.Validate). Other members, and other status
// mechanisms beside "status_list", are ignored. Every failure has CodeInvalidReference.
// It does not check that the URI may be fetched (scheme, host, SSRF rules): the fetcher does.
// Specification: draft-ietf-oauth-status-list-20 §6.2
// (https://www.ietf.org/archive/id/draft-ietf-oauth-status-list-20.html#section-6.2).
func ParseReference(status []byte) (Reference, error) {
	if len(status) > maxReferenceSize {
		return Reference{}, errorf(CodeInvalidReference, nil, "status claim is %d bytes, more than %d", len(status), maxReferenceSize)
	}
	if err := jose.CheckJSON(status); err != nil {
		return Reference{}, errorf(CodeInvalidReference, err, "status claim")
	}
	obj := func(b []byte, what string) (map[string]json.RawMessage, error) {
		m, ok := jsonObject(b)
		if !ok {
			return nil, errorf(CodeInvalidReference, nil, "%s is not a JSON object", what)
		}
		return m, nil
	}
	st, err := obj(status, "status claim")
	if err != nil {
		return Reference{}, err
	}
	rawRef, ok := st["status_list"]
	if !ok {
		return Reference{}, errorf(CodeInvalidReference, nil, `status claim has no "status_list"`)
	}
	ref, err := obj(rawRef, "status.status_list")
	if err != nil {
		return Reference{}, err
	}
	var r Reference
	rawIdx, ok := ref["idx"]
	if !ok {
		return Reference{}, errorf(CodeInvalidReference, nil, `status_list has no "idx"`)
	}
	idx, ok := jsonInt(rawIdx)
	if !ok || idx < 0 || idx > int64(maxInt) {
		return Reference{}, errorf(CodeInvalidReference, nil, `status_list "idx" %s is not a non-negative integer`, strconv.Quote(string(rawIdx)))
	}
	r.Idx = int(idx)
	rawURI, ok := ref["uri"]
	if !ok {
		return Reference{}, errorf(CodeInvalidReference, nil, `status_list has no "uri"`)
	}
	if r.URI, ok = jsonString(rawURI); !ok {
		return Reference{}, errorf(CodeInvalidReference, nil, `status_list "uri" is not a string`)
	}
	if err := r.Validate(); err != nil {
		return Reference{}, err
	}
	return r, nil
}

const maxInt = int(^uint(0) >> 1)

// Validate checks that Idx is non-negative and that URI is an absolute RFC 3986 URI (ASCII,
// no spaces or control characters, at most 2048 bytes). It does not check the scheme: the
// caller's fetcher decides which URIs it may dereference (https only, SSRF rules).
func (r Reference) Validate() error {
	if r.Idx < 0 {
		return errorf(CodeInvalidReference, nil, "idx %d is negative", r.Idx)
	}
	if !absoluteURI(r.URI) {
		return errorf(CodeInvalidReference, nil, "uri %q is not an absolute URI", r.URI)
	}
	return nil
}

// Status returns the status the token's list holds for ref. It checks ref (Validate), that
// ref.URI equals the token's Subject byte for byte (CodeSubjectMismatch), and that ref.Idx is
// inside the list (CodeIndexOutOfRange: the spec says the Referenced Token MUST then be
// rejected). Interpreting the value (is SUSPENDED acceptable? what does 0x03 mean?) is the
// caller's policy.
func (t *Token) Status(ref Reference) (Status, error) {
	if err := ref.Validate(); err != nil {
		return 0, err
	}
	if ref.URI != t.Subject {
		return 0, errorf(CodeSubjectMismatch, nil, "reference uri %q is not the token's sub %q", ref.URI, t.Subject)
	}
	if t.List == nil {
		return 0, errorf(CodeInvalidArgument, nil, "token has no status list")
	}
	return t.List.Get(ref.Idx)
}
