package walletstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// Sealed value layout (format version 1):
//
//	0x01 | key id (4 bytes) | nonce (12 bytes) | AES-256-GCM ciphertext and 16-byte tag
//
// The key id is the first 4 bytes of HMAC-SHA256(key, "hashi/walletstore/key-id/v1"): it
// names the key without revealing it, so that a later version can keep several keys (the
// current one for sealing, older ones for opening) and re-seal rows at leisure. The
// additional data authenticated with every value is
//
//	"hashi/walletstore/v1" | header (version and key id) | len-prefixed table, owner, id, column
//
// so a ciphertext copied into another row, another owner or another column fails to open.
const (
	sealVersion   byte = 1
	keyIDLen           = 4
	nonceLen           = 12
	tagLen             = 16
	sealHeaderLen      = 1 + keyIDLen
	sealOverhead       = sealHeaderLen + nonceLen + tagLen
	keyIDLabel         = "hashi/walletstore/key-id/v1"
	adLabel            = "hashi/walletstore/v1"
)

// KeySize is the length of the wallet key in bytes (AES-256).
const KeySize = 32

var (
	// ErrWrongKey means a sealed value (or the database's key check) was sealed under a
	// different wallet key than the one the store was opened with.
	ErrWrongKey = errors.New("walletstore: wrong wallet key (the data was encrypted with another key)")

	// ErrCorrupt means a sealed value failed authentication: it was altered, truncated or
	// moved from another row, owner or column.
	ErrCorrupt = errors.New("walletstore: encrypted value fails authentication (altered or moved)")
)

// sealer seals and opens secrets under one wallet key.
type sealer struct {
	aead  cipher.AEAD
	keyID [keyIDLen]byte
}

// newSealer checks the key and prepares AES-256-GCM.
func newSealer(key []byte) (*sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: wallet key must be %d bytes, got %d", errInvalid, KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("wallet key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("wallet key: %w", err)
	}
	s := &sealer{aead: aead}
	m := hmac.New(sha256.New, key)
	_, _ = m.Write([]byte(keyIDLabel)) // hash writes never fail
	copy(s.keyID[:], m.Sum(nil))
	return s, nil
}

// place is where a sealed value lives; it becomes the additional data.
type place struct {
	table, owner, id, column string
}

func (s *sealer) header() []byte {
	h := make([]byte, 0, sealHeaderLen)
	h = append(h, sealVersion)
	return append(h, s.keyID[:]...)
}

func additionalData(header []byte, p place) []byte {
	ad := make([]byte, 0, len(adLabel)+len(header)+16+len(p.table)+len(p.owner)+len(p.id)+len(p.column))
	ad = append(ad, adLabel...)
	ad = append(ad, header...)
	for _, f := range []string{p.table, p.owner, p.id, p.column} {
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(f))) //nolint:gosec // G115: fields are bounded by limits.go
		ad = append(ad, f...)
	}
	return ad
}

// seal encrypts plaintext for p. An empty plaintext seals to nil (stored as NULL).
func (s *sealer) seal(plaintext []byte, p place) []byte {
	if len(plaintext) == 0 {
		return nil
	}
	h := s.header()
	out := make([]byte, 0, sealOverhead+len(plaintext))
	out = append(out, h...)
	var nonce [nonceLen]byte
	_, _ = rand.Read(nonce[:]) // crypto/rand.Read never fails
	out = append(out, nonce[:]...)
	return s.aead.Seal(out, nonce[:], plaintext, additionalData(h, p))
}

// open decrypts a value sealed for p. nil (NULL) opens to nil.
func (s *sealer) open(sealed []byte, p place) ([]byte, error) {
	if sealed == nil {
		return nil, nil
	}
	if len(sealed) < sealOverhead || sealed[0] != sealVersion {
		return nil, fmt.Errorf("%s.%s: %w", p.table, p.column, ErrCorrupt)
	}
	if !hmac.Equal(sealed[1:sealHeaderLen], s.keyID[:]) {
		return nil, fmt.Errorf("%s.%s: %w", p.table, p.column, ErrWrongKey)
	}
	h := sealed[:sealHeaderLen]
	nonce := sealed[sealHeaderLen : sealHeaderLen+nonceLen]
	pt, err := s.aead.Open(nil, nonce, sealed[sealHeaderLen+nonceLen:], additionalData(h, p))
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", p.table, p.column, ErrCorrupt)
	}
	return pt, nil
}
