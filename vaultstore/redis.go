package vaultstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmshield/llmshield/scanner"
)

// ParseKey decodes a 32-byte AES-256 key given as 64 hex digits or as
// standard base64 (e.g. `openssl rand -base64 32`).
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("vault key: empty")
	}
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, errors.New("vault key: want 32 bytes as 64 hex digits or base64")
}

// Redis keeps vaults in Redis, encrypted with AES-256-GCM.
type Redis struct {
	o       Options
	c       goredis.UniversalClient
	aead    cipher.AEAD
	prefix  string
	timeout time.Duration
}

// NewRedis stores vaults through c under prefix+"vault:"+id, encrypted with
// key (32 bytes). timeout bounds each command (default 250ms).
func NewRedis(c goredis.UniversalClient, prefix string, key []byte, timeout time.Duration, o Options) (*Redis, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("vault store: nil redis client")
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("vault key: %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("vault key: %w", err)
	}
	if timeout <= 0 {
		timeout = 250 * time.Millisecond
	}
	return &Redis{o: o, c: c, aead: aead, prefix: prefix + "vault:", timeout: timeout}, nil
}

// New makes an empty vault with a fresh id.
func (s *Redis) New() (string, *scanner.Vault) { return newID(), s.o.vault() }

// Load fetches and decrypts the vault under id.
func (s *Redis) Load(ctx context.Context, id string) (*scanner.Vault, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	b, err := s.c.Get(ctx, s.prefix+id).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("vault store: %w", err)
	}
	ns := s.aead.NonceSize()
	if len(b) < ns {
		return nil, errors.New("vault store: stored vault is truncated")
	}
	plain, err := s.aead.Open(nil, b[:ns], b[ns:], []byte(id))
	if err != nil {
		return nil, errors.New("vault store: stored vault does not decrypt with this key")
	}
	var st scanner.VaultState
	if err := json.Unmarshal(plain, &st); err != nil {
		return nil, errors.New("vault store: stored vault is malformed")
	}
	v := s.o.vault()
	v.Import(st)
	return v, nil
}

// Save encrypts v and stores it under id with the TTL as expiry.
func (s *Redis) Save(ctx context.Context, id string, v *scanner.Vault) error {
	if err := CheckID(id); err != nil {
		return err
	}
	plain, err := json.Marshal(v.Export())
	if err != nil {
		return fmt.Errorf("vault store: %w", err)
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	sealed := s.aead.Seal(nonce, nonce, plain, []byte(id))
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.c.Set(ctx, s.prefix+id, sealed, s.o.TTL).Err(); err != nil {
		return fmt.Errorf("vault store: %w", err)
	}
	return nil
}
