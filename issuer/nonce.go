package issuer

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"io"
	"time"

	"github.com/hashi-vc/hashi/internal/b64"
)

// c_nonce values are stateless: version, expiry, 128 random bits and a MAC over them and the
// tenant under a deployment-wide key kept in the store (Store.Secret), so the nonce endpoint
// writes nothing and every replica can check any nonce. A nonce is single use: redeeming it
// records it (SingleUse UseCNonce) in the same transaction as the issuance it allows.
const (
	nonceVersion   = 1
	nonceRandom    = 16
	nonceMAC       = 16
	nonceRawLen    = 1 + 8 + nonceRandom + nonceMAC
	nonceKeyName   = "c_nonce_hmac_key"
	nonceKeyLength = 32
)

// nonceKey returns the deployment's c_nonce key, creating it on first use.
func (is *Issuer) nonceKey(ctx context.Context) ([]byte, error) {
	is.keyMu.Lock()
	defer is.keyMu.Unlock()
	if is.nonceKeyCache != nil {
		return is.nonceKeyCache, nil
	}
	k, err := is.st.Secret(ctx, nonceKeyName, func() ([]byte, error) {
		b := make([]byte, nonceKeyLength)
		_, err := io.ReadFull(is.cfg.Random, b)
		return b, err
	})
	if err != nil {
		return nil, storeErr(err, "nonce key")
	}
	if len(k) != nonceKeyLength {
		return nil, errorf(CodeInternal, nil, "stored nonce key has %d bytes", len(k))
	}
	is.nonceKeyCache = k
	return k, nil
}

func nonceMACOf(key []byte, tenant string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("hashi c_nonce\x00"))
	m.Write([]byte(tenant))
	m.Write([]byte{0})
	m.Write(body)
	return m.Sum(nil)[:nonceMAC]
}

// mintNonce returns a fresh c_nonce for the tenant, valid until expires.
func (is *Issuer) mintNonce(ctx context.Context, tenant string, expires time.Time) (string, error) {
	key, err := is.nonceKey(ctx)
	if err != nil {
		return "", err
	}
	raw := make([]byte, nonceRawLen)
	raw[0] = nonceVersion
	binary.BigEndian.PutUint64(raw[1:9], uint64(expires.Unix())) //nolint:gosec // Unix seconds of a time after 1970
	if _, err := io.ReadFull(is.cfg.Random, raw[9:9+nonceRandom]); err != nil {
		return "", errorf(CodeInternal, err, "random")
	}
	copy(raw[9+nonceRandom:], nonceMACOf(key, tenant, raw[:9+nonceRandom]))
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// checkNonce verifies a c_nonce's MAC and expiry and returns the SingleUse that redeems it.
func (is *Issuer) checkNonce(ctx context.Context, tenant, nonce string, now time.Time) (SingleUse, error) {
	bad := errorf(CodeInvalidNonce, nil, "c_nonce is unknown or expired; get a fresh one from the nonce endpoint")
	// Canonical only: another spelling (a line break inside, other trailing bits) would be
	// the same nonce under another string, and single use is tracked by the string.
	raw, err := b64.RawURL(nonce)
	if err != nil || len(raw) != nonceRawLen || raw[0] != nonceVersion {
		return SingleUse{}, bad
	}
	key, err := is.nonceKey(ctx)
	if err != nil {
		return SingleUse{}, err
	}
	if !hmac.Equal(raw[9+nonceRandom:], nonceMACOf(key, tenant, raw[:9+nonceRandom])) {
		return SingleUse{}, bad
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(raw[1:9])), 0) //nolint:gosec // authenticated value we wrote
	if !now.Before(exp) {
		return SingleUse{}, bad
	}
	return SingleUse{Kind: UseCNonce, Value: nonce, ExpiresAt: exp}, nil
}
