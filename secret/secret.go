// Package secret seals what krog keeps at rest that must stay secret — the bot tokens of the
// workspaces krog is installed in — with AES-256-GCM under a key from the environment
// (KROG_SECRET_KEY). A sealed value is bound to what it belongs to (the workspace id): moved to
// another row, it does not open.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the key's length in bytes (AES-256).
const KeySize = 32

// Key seals and opens values.
type Key struct{ aead cipher.AEAD }

// ParseKey reads a key written as 64 hexadecimal digits or as base64 (standard or URL alphabet,
// padded or not) of 32 bytes, e.g. the output of `openssl rand -base64 32`.
func ParseKey(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("empty")
	}
	var raw []byte
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		raw = b
	} else {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(s); err == nil {
				raw = b
				break
			}
		}
	}
	if len(raw) != KeySize {
		return nil, fmt.Errorf("not %d bytes in hex or base64 (make one with: openssl rand -base64 32)", KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// Seal encrypts plain for owner: a random nonce, then the ciphertext and its tag.
func (k *Key) Seal(plain []byte, owner string) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	rand.Read(nonce) // never fails (crypto/rand)
	return k.aead.Seal(nonce, nonce, plain, []byte(owner))
}

// ErrOpen is a sealed value that does not open: another key, another owner, or damaged.
var ErrOpen = errors.New("sealed value does not open with this key (was KROG_SECRET_KEY changed?)")

// Open decrypts what Seal sealed for owner.
func (k *Key) Open(sealed []byte, owner string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(owner))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
