package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"
)

// ContentEncryption is a JWE "enc" value.
type ContentEncryption string

// The content encryption algorithms HAIP requires for direct_post.jwt.
const (
	A128GCM ContentEncryption = "A128GCM"
	A256GCM ContentEncryption = "A256GCM"
)

var contentEncryptions = map[ContentEncryption]jwa.ContentEncryptionAlgorithm{
	A128GCM: jwa.A128GCM,
	A256GCM: jwa.A256GCM,
}

// JWEHeader holds the protected header members of a JWE that callers look at.
type JWEHeader struct {
	Alg string `json:"alg"`
	Enc string `json:"enc"`
	Kid string `json:"kid,omitempty"`
	Zip string `json:"zip,omitempty"`
	Cty string `json:"cty,omitempty"`
	Typ string `json:"typ,omitempty"`
}

// EncryptECDHES encrypts plaintext to a P-256 public key with ECDH-ES (direct key agreement)
// and enc, as OpenID4VP direct_post.jwt responses are (HAIP §5). kid, when set, is copied into
// the protected header so the recipient can pick its key. The result is a compact JWE.
func EncryptECDHES(plaintext []byte, to crypto.PublicKey, enc ContentEncryption, kid string) (string, error) {
	pub, ok := to.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return "", errorf(CodeKeyMismatch, nil, "ECDH-ES needs a P-256 public key, got %T", to)
	}
	calg, ok := contentEncryptions[enc]
	if !ok {
		return "", errorf(CodeUnsupportedAlgorithm, nil, "content encryption %q is not supported", enc)
	}
	h := jwe.NewHeaders()
	if kid != "" {
		if err := h.Set(jwe.KeyIDKey, kid); err != nil {
			return "", errorf(CodeMalformed, err, "kid")
		}
	}
	out, err := jwe.Encrypt(plaintext,
		jwe.WithKey(jwa.ECDH_ES, pub),
		jwe.WithContentEncryption(calg),
		jwe.WithProtectedHeaders(h),
		jwe.WithCompact())
	if err != nil {
		return "", errorf(CodeKeyMismatch, err, "encrypt")
	}
	return string(out), nil
}

// DecryptECDHES decrypts a compact JWE made with ECDH-ES on P-256 and one of encs. Any other
// "alg" (including key wrapping variants such as ECDH-ES+A128KW), any "enc" not listed,
// and compressed ("zip") content are refused before any key operation. The ephemeral key
// must lie on P-256.
func DecryptECDHES(compact string, key *ecdsa.PrivateKey, encs ...ContentEncryption) ([]byte, *JWEHeader, error) {
	if len(compact) > MaxCompactSize {
		return nil, nil, errorf(CodeMalformed, nil, "JWE is %d bytes, more than %d", len(compact), MaxCompactSize)
	}
	if key == nil || key.Curve != elliptic.P256() {
		return nil, nil, errorf(CodeKeyMismatch, nil, "ECDH-ES decryption needs a P-256 private key")
	}
	parts := strings.Split(compact, ".")
	if len(parts) != 5 {
		return nil, nil, errorf(CodeMalformed, nil, "not a compact JWE: %d parts, want 5", len(parts))
	}
	raw, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, nil, errorf(CodeMalformed, err, "JWE protected header is not base64url")
	}
	if err := CheckJSON(raw); err != nil {
		return nil, nil, errorf(CodeMalformed, err, "JWE protected header")
	}
	var h JWEHeader
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, nil, errorf(CodeMalformed, err, "JWE protected header")
	}
	if h.Alg != "ECDH-ES" {
		return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "JWE alg %q is not allowed (want ECDH-ES)", h.Alg)
	}
	if !containsEnc(encs, ContentEncryption(h.Enc)) {
		return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "JWE enc %q is not allowed (allowed: %v)", h.Enc, encs)
	}
	if h.Zip != "" {
		return nil, nil, errorf(CodeUnsupportedAlgorithm, nil, "compressed JWE content is not accepted")
	}
	plain, err := jwe.Decrypt([]byte(compact), jwe.WithKey(jwa.ECDH_ES, key))
	if err != nil {
		return nil, nil, errorf(CodeDecryptionFailed, nil, "JWE cannot be decrypted with this key")
	}
	return plain, &h, nil
}

func containsEnc(encs []ContentEncryption, e ContentEncryption) bool {
	if _, ok := contentEncryptions[e]; !ok {
		return false
	}
	for _, x := range encs {
		if x == e {
			return true
		}
	}
	return false
}
