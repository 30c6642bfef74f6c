package sdjwt

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/hashi-vc/hashi/internal/jose"
)

// wellKnownJWTVCIssuer is the well-known suffix of JWT VC Issuer Metadata
// (draft-ietf-oauth-sd-jwt-vc-18 §3).
const wellKnownJWTVCIssuer = "/.well-known/jwt-vc-issuer"

// JWTVCIssuerMetadataURL returns where the JWT VC Issuer Metadata of iss lives: the
// well-known path inserted between the host and the path of iss, after removing a trailing
// '/' (draft-ietf-oauth-sd-jwt-vc-18 §3.1). For example https://example.com/tenant/1234
// gives https://example.com/.well-known/jwt-vc-issuer/tenant/1234. iss must be an absolute
// https URL without user info, query or fragment.
func JWTVCIssuerMetadataURL(iss string) (string, error) {
	u, err := url.Parse(iss)
	if err != nil {
		return "", errorf(CodeInvalidMetadata, err, "iss %q is not a URL", iss)
	}
	if u.Scheme != "https" || u.Host == "" || u.Opaque != "" {
		return "", errorf(CodeInvalidMetadata, nil, "iss %q is not an absolute https URL", iss)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.RawFragment != "" {
		return "", errorf(CodeInvalidMetadata, nil, "iss %q has user info, a query or a fragment", iss)
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	return "https://" + u.Host + wellKnownJWTVCIssuer + path, nil
}

// JWTVCIssuerMetadata is a decoded JWT VC Issuer Metadata document.
type JWTVCIssuerMetadata struct {
	// Issuer is the "issuer" member; ParseJWTVCIssuerMetadata guarantees it equals iss.
	Issuer string
	// JWKS holds the keys of an inline "jwks" member; nil when the document uses jwks_uri.
	JWKS []jose.KeyEntry
	// JWKSURI is the "jwks_uri" member (an https URL); empty when the document has jwks.
	JWKSURI string
}

// ParseJWTVCIssuerMetadata decodes a JWT VC Issuer Metadata document fetched for iss
// (draft-ietf-oauth-sd-jwt-vc-18 §3.2, §3.3): a JSON object (no duplicate members) whose "issuer"
// equals iss byte for byte and which has exactly one of "jwks" (a JWK Set with at least one
// usable public key) and "jwks_uri" (an https URL). Other members are ignored. It does not
// fetch jwks_uri.
func ParseJWTVCIssuerMetadata(b []byte, iss string) (*JWTVCIssuerMetadata, error) {
	if len(b) > MaxMetadataSize {
		return nil, errorf(CodeLimitExceeded, nil, "metadata is %d bytes, more than %d", len(b), MaxMetadataSize)
	}
	if err := checkJSON(b); err != nil {
		return nil, errorf(CodeInvalidMetadata, err, "metadata")
	}
	var doc struct {
		Issuer  *string         `json:"issuer"`
		JWKS    json.RawMessage `json:"jwks"`
		JWKSURI *string         `json:"jwks_uri"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return nil, errorf(CodeInvalidMetadata, err, "metadata is not a JSON object of the expected shape")
	}
	if doc.Issuer == nil {
		return nil, errorf(CodeInvalidMetadata, nil, "metadata has no issuer")
	}
	if *doc.Issuer != iss {
		return nil, errorf(CodeInvalidMetadata, nil, "metadata issuer %q is not %q", *doc.Issuer, iss)
	}
	hasJWKS := doc.JWKS != nil && string(doc.JWKS) != "null"
	if hasJWKS == (doc.JWKSURI != nil) {
		return nil, errorf(CodeInvalidMetadata, nil, "metadata must have exactly one of jwks and jwks_uri")
	}
	md := &JWTVCIssuerMetadata{Issuer: *doc.Issuer}
	if doc.JWKSURI != nil {
		u, err := url.Parse(*doc.JWKSURI)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, errorf(CodeInvalidMetadata, err, "jwks_uri %q is not an https URL", *doc.JWKSURI)
		}
		md.JWKSURI = *doc.JWKSURI
		return md, nil
	}
	var set struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(doc.JWKS, &set); err != nil || set.Keys == nil {
		return nil, errorf(CodeInvalidMetadata, err, "jwks is not a JWK Set")
	}
	keys, err := jose.ParseKeys(doc.JWKS)
	if err != nil {
		return nil, errorf(CodeInvalidMetadata, err, "jwks")
	}
	md.JWKS = keys
	return md, nil
}
