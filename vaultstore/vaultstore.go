// Package vaultstore keeps conversation vaults (scanner.Vault) between
// requests, so that the HTTP API can anonymise a prompt in one request and
// deanonymise the answer in a later one, identified by an opaque vault id.
//
// Memory keeps vaults in this process, bounded in number and expiring
// after a TTL without use. Redis keeps them in Redis, encrypted at rest with
// AES-256-GCM (the vault id is the additional authenticated data, so a
// ciphertext cannot be moved to another id), with the TTL as the key's
// expiry, so that every replica can deanonymise. Vault contents are never
// logged.
package vaultstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/llmshield/llmshield/scanner"
)

// ErrNotFound is returned by Load for an unknown or expired id.
var ErrNotFound = errors.New("unknown or expired vault_id")

// ErrBadID is returned for an id that is not 32 hex digits.
var ErrBadID = errors.New("vault_id must be 32 hexadecimal digits")

// Store keeps vaults by id. Implementations are safe for concurrent use.
type Store interface {
	// New makes an empty vault with a fresh random id; it is stored by Save.
	New() (id string, v *scanner.Vault)
	// Load returns the vault stored under id, ErrNotFound or ErrBadID.
	Load(ctx context.Context, id string) (*scanner.Vault, error)
	// Save stores v under id (again), restarting its TTL.
	Save(ctx context.Context, id string, v *scanner.Vault) error
}

// Options bound a store.
type Options struct {
	// TTL forgets a vault (and, inside it, a pair) unused for this long
	// (default 1h).
	TTL time.Duration
	// MaxVaults bounds the vaults a Memory store holds; the least recently
	// used goes first (default 10000).
	MaxVaults int
	// MaxEntries bounds the pairs of one vault (default 1000).
	MaxEntries int
	// Now is the clock (default time.Now); for tests.
	Now func() time.Time
}

func (o *Options) defaults() error {
	if o.TTL < 0 || o.MaxVaults < 0 || o.MaxEntries < 0 {
		return fmt.Errorf("vault store: negative bound (ttl %s, max_vaults %d, max_entries %d)", o.TTL, o.MaxVaults, o.MaxEntries)
	}
	if o.TTL == 0 {
		o.TTL = time.Hour
	}
	if o.MaxVaults == 0 {
		o.MaxVaults = 10000
	}
	if o.MaxEntries == 0 {
		o.MaxEntries = 1000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

func (o Options) vault() *scanner.Vault {
	return scanner.NewVaultWith(scanner.VaultOptions{MaxEntries: o.MaxEntries, TTL: o.TTL, Now: o.Now})
}

var idRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// CheckID reports whether id has the form of a vault id.
func CheckID(id string) error {
	if !idRe.MatchString(id) {
		return ErrBadID
	}
	return nil
}

// Memory keeps vaults in this process.
type Memory struct {
	o  Options
	mu sync.Mutex
	m  map[string]*memEntry
}

type memEntry struct {
	v    *scanner.Vault
	used time.Time
}

// NewMemory returns an in-process store.
func NewMemory(o Options) (*Memory, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	return &Memory{o: o, m: map[string]*memEntry{}}, nil
}

// New makes an empty vault with a fresh id.
func (s *Memory) New() (string, *scanner.Vault) { return newID(), s.o.vault() }

// Load returns the vault under id.
func (s *Memory) Load(_ context.Context, id string) (*scanner.Vault, error) {
	if err := CheckID(id); err != nil {
		return nil, err
	}
	now := s.o.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok || now.Sub(e.used) > s.o.TTL {
		delete(s.m, id)
		return nil, ErrNotFound
	}
	e.used = now
	return e.v, nil
}

// Save stores v under id; beyond MaxVaults, expired vaults and then the
// least recently used are dropped.
func (s *Memory) Save(_ context.Context, id string, v *scanner.Vault) error {
	if err := CheckID(id); err != nil {
		return err
	}
	now := s.o.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = &memEntry{v: v, used: now}
	if len(s.m) > s.o.MaxVaults {
		var oldID string
		var old time.Time
		for k, e := range s.m {
			if now.Sub(e.used) > s.o.TTL {
				delete(s.m, k)
				continue
			}
			if oldID == "" || e.used.Before(old) {
				oldID, old = k, e.used
			}
		}
		if len(s.m) > s.o.MaxVaults {
			delete(s.m, oldID)
		}
	}
	return nil
}

// Len returns the number of vaults held (expired ones included until swept).
func (s *Memory) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
