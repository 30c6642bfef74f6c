package walletstore

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/hashi-vc/hashi/internal/b64"
)

// Password hashing parameters (argon2id, OWASP Password Storage Cheat Sheet: m=19 MiB,
// t=2, p=1), salt and hash lengths.
const (
	PasswordMemoryKiB = 19 * 1024
	PasswordTime      = 2
	PasswordThreads   = 1
	passwordSaltLen   = 16
	passwordHashLen   = 32
)

// ErrMalformedHash means a password hash is not an argon2id PHC string this package
// accepts: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>, with the salt and
// hash in unpadded standard base64 and the parameters within the bounds of limits.go.
var ErrMalformedHash = errors.New("walletstore: malformed password hash")

// ErrPasswordTooLong means a password is longer than MaxPasswordLen bytes.
var ErrPasswordTooLong = errors.New("walletstore: password too long")

// phc is a parsed argon2id PHC string.
type phc struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	hash    []byte
}

// String writes p in PHC form.
func (p *phc) String() string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, enc.EncodeToString(p.salt), enc.EncodeToString(p.hash))
}

// HashPassword hashes pw with argon2id (m=19 MiB, t=2, p=1, a random 16-byte salt, a
// 32-byte hash) and returns the PHC string to store.
func HashPassword(pw string) (string, error) {
	if len(pw) > MaxPasswordLen {
		return "", ErrPasswordTooLong
	}
	p := phc{memory: PasswordMemoryKiB, time: PasswordTime, threads: PasswordThreads, salt: make([]byte, passwordSaltLen)}
	_, _ = rand.Read(p.salt) // crypto/rand.Read never fails
	p.hash = argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, passwordHashLen)
	return p.String(), nil
}

// CheckPassword reports whether pw matches hash, a PHC string made by HashPassword (or with
// other argon2id parameters within the bounds of limits.go). It recomputes the hash with the
// stored parameters and compares in constant time. A malformed hash is an error wrapping
// ErrMalformedHash, never a match.
func CheckPassword(hash, pw string) (bool, error) {
	p, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	if len(pw) > MaxPasswordLen {
		return false, ErrPasswordTooLong
	}
	got := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.hash))) //nolint:gosec // G115: len bounded by maxHashLen
	return subtle.ConstantTimeCompare(got, p.hash) == 1, nil
}

// PasswordNeedsRehash reports whether hash was made with parameters other than the current
// ones (or is malformed), so that the caller should store HashPassword(pw) after the next
// successful CheckPassword.
func PasswordNeedsRehash(hash string) bool {
	p, err := parsePHC(hash)
	return err != nil || p.memory != PasswordMemoryKiB || p.time != PasswordTime || p.threads != PasswordThreads ||
		len(p.salt) != passwordSaltLen || len(p.hash) != passwordHashLen
}

// parsePHC parses an argon2id PHC string strictly: the exact field order, version 19,
// decimal parameters without sign or leading zeros, unpadded standard base64.
func parsePHC(s string) (*phc, error) {
	if len(s) > maxPHCLen {
		return nil, fmt.Errorf("%w: too long", ErrMalformedHash)
	}
	f := strings.Split(s, "$")
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" {
		return nil, fmt.Errorf("%w: not $argon2id$v=..$m=..,t=..,p=..$salt$hash", ErrMalformedHash)
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, fmt.Errorf("%w: version must be v=%d", ErrMalformedHash, argon2.Version)
	}
	params := strings.Split(f[3], ",")
	if len(params) != 3 {
		return nil, fmt.Errorf("%w: parameters must be m, t and p in that order", ErrMalformedHash)
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(params[i], name+"=")
		if !ok {
			return nil, fmt.Errorf("%w: parameters must be m, t and p in that order", ErrMalformedHash)
		}
		n, err := parseDecimal(v)
		if err != nil {
			return nil, fmt.Errorf("%w: parameter %s: %w", ErrMalformedHash, name, err)
		}
		vals[i] = n
	}
	m, t, p := vals[0], vals[1], vals[2]
	if p < 1 || p > maxArgonThreads || t < 1 || t > maxArgonTime || m < 8*p || m > maxArgonMemoryKiB {
		return nil, fmt.Errorf("%w: parameters out of range", ErrMalformedHash)
	}
	salt, err := b64.RawStd(f[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return nil, fmt.Errorf("%w: salt", ErrMalformedHash)
	}
	hash, err := b64.RawStd(f[5])
	if err != nil || len(hash) < minHashLen || len(hash) > maxHashLen {
		return nil, fmt.Errorf("%w: hash", ErrMalformedHash)
	}
	return &phc{memory: uint32(m), time: uint32(t), threads: uint8(p), salt: salt, hash: hash}, nil //nolint:gosec // G115: bounded above
}

// parseDecimal parses a canonical decimal: digits only, no leading zero, at most 10 digits.
func parseDecimal(s string) (uint64, error) {
	if s == "" || len(s) > 10 || (s[0] == '0' && len(s) > 1) {
		return 0, errors.New("not a canonical decimal")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a canonical decimal")
		}
	}
	return strconv.ParseUint(s, 10, 64)
}
