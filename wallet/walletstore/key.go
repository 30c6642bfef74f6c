package walletstore

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// ErrKeySource means LoadKey could not get a usable wallet key: no source or both, a
// missing variable, an unreadable or group/world-accessible file, or content that is not
// a 32-byte key.
var ErrKeySource = errors.New("walletstore: wallet key")

// LoadKey reads the wallet key from the file named file or, when file is "", from the
// environment variable named env. Exactly one of them must be given.
//
// A file holds the key as exactly 32 raw bytes (refused when all 32 are hex or base64
// characters: that is the text of a shorter key), or as text: 64 hex digits or base64
// (standard or URL alphabet, padded or not) of 32 bytes, surrounded by optional white
// space. On Unix a file readable, writable or executable by group or others (mode & 0o077)
// is refused, as ssh refuses such private keys. An environment variable holds the key as
// hex or base64 text.
//
// Generate a key with, for example, `head -c 32 /dev/urandom > wallet.key && chmod 600
// wallet.key`, or `openssl rand -base64 32`. Keep a copy: without it nothing the wallet
// stored can be read again.
func LoadKey(file, env string) ([]byte, error) {
	switch {
	case file != "" && env != "":
		return nil, fmt.Errorf("%w: give a key file or an environment variable, not both", ErrKeySource)
	case file != "":
		return loadKeyFile(file)
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok || v == "" {
			return nil, fmt.Errorf("%w: environment variable %s is not set", ErrKeySource, env)
		}
		k, err := decodeKeyText([]byte(v))
		if err != nil {
			return nil, fmt.Errorf("%w: environment variable %s: %w", ErrKeySource, env, err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("%w: no key file and no environment variable given", ErrKeySource)
	}
}

func loadKeyFile(name string) ([]byte, error) {
	f, err := os.Open(name) //nolint:gosec // G304: the operator names the key file
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeySource, err)
	}
	defer func() { _ = f.Close() }() // read-only
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeySource, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrKeySource, name)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %v; it must not be accessible by group or others (chmod 600)", ErrKeySource, name, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeySource, err)
	}
	if len(b) > MaxKeyFileSize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrKeySource, name, MaxKeyFileSize)
	}
	if len(b) == KeySize {
		if looksLikeText(b) {
			// 32 characters of hex or base64 are the text of a 16- or 24-byte key, not a
			// 256-bit key; a random raw key looks like this with probability 2^-64.
			return nil, fmt.Errorf("%w: %s holds 32 characters of hex or base64 text, which encode a key shorter than %d bytes", ErrKeySource, name, KeySize)
		}
		return b, nil
	}
	k, err := decodeKeyText(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKeySource, name, err)
	}
	return k, nil
}

// looksLikeText reports whether every byte of b is a hex or base64 character.
func looksLikeText(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '/' || c == '-' || c == '_' || c == '=') {
			return false
		}
	}
	return true
}

// decodeKeyText decodes a 32-byte key written as hex or base64.
func decodeKeyText(b []byte) ([]byte, error) {
	s := string(bytes.TrimSpace(b))
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.Strict().DecodeString(s); err == nil && len(k) == KeySize {
			return k, nil
		}
	}
	if strings.ContainsAny(s, " \t\r\n") {
		return nil, errors.New("key text contains white space inside")
	}
	return nil, fmt.Errorf("not %d bytes as raw bytes, hex or base64", KeySize)
}
