package scanner

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// Vault stores placeholder ↔ original pairs so that text anonymised in a
// prompt can be restored in the response. It is safe for concurrent use.
//
// Unlike a process-wide vault, a Vault is meant to be scoped: create one per
// conversation (or per request) so that one user's data never restores into
// another user's response. MaxEntries bounds its growth; TTL forgets pairs
// not used for that long. A Vault never prints its contents: String,
// GoString and LogValue give only the number of pairs, so logging one by
// mistake leaks nothing. Export and Import move the contents to and from a
// store (the HTTP server's vault store encrypts them).
type Vault struct {
	mu sync.RWMutex
	// The contents sit behind a pointer, so that even printing a copy of
	// the struct shows an address, not personal data.
	d   *vaultData
	max int
	ttl time.Duration
	now func() time.Time
}

type vaultData struct {
	byHolder   map[string]*vaultEntry
	byOriginal map[string]*vaultEntry // entity+"\x00"+original
	counters   map[string]int
	plain      bool // every placeholder has the "[REDACTED_" form
}

// reset empties d.
func (d *vaultData) reset() {
	clear(d.byHolder)
	clear(d.byOriginal)
	clear(d.counters)
	d.plain = true
}

type vaultEntry struct {
	placeholder, entity, original string
	used                          time.Time
}

// VaultOptions configure NewVaultWith.
type VaultOptions struct {
	// MaxEntries bounds the pairs held (oldest use evicted first); <= 0:
	// unbounded.
	MaxEntries int
	// TTL forgets pairs unused for this long; 0: never.
	TTL time.Duration
	// Now is the clock (default time.Now); for tests.
	Now func() time.Time
}

// NewVault returns an empty vault holding at most maxEntries pairs (oldest
// evicted first); maxEntries <= 0 means unbounded.
func NewVault(maxEntries int) *Vault { return NewVaultWith(VaultOptions{MaxEntries: maxEntries}) }

// NewVaultWith returns an empty vault with the given bounds.
func NewVaultWith(o VaultOptions) *Vault {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Vault{
		d: &vaultData{
			byHolder:   map[string]*vaultEntry{},
			byOriginal: map[string]*vaultEntry{},
			counters:   map[string]int{},
			plain:      true,
		},
		max: o.MaxEntries,
		ttl: max(o.TTL, 0),
		now: o.Now,
	}
}

// VaultPair is one stored pair.
type VaultPair struct {
	Placeholder, Entity, Original string
}

// Placeholder returns the placeholder for original of the given entity type,
// creating "[REDACTED_<ENTITY>_<n>]" on first sight. The same original always
// gets the same placeholder while it is in the vault.
func (v *Vault) Placeholder(entity, original string) string {
	return v.PlaceholderFunc(entity, original, func(entity string, n int) string {
		return fmt.Sprintf("[REDACTED_%s_%d]", entity, n)
	})
}

// PlaceholderFunc is Placeholder with a caller-made replacement (e.g. a
// realistic fake value): make gets the upper-cased entity and its counter n
// and must return a value not yet used in the vault; if it returns one that
// is, the bracketed form is used instead.
func (v *Vault) PlaceholderFunc(entity, original string, make func(entity string, n int) string) string {
	entity = strings.ToUpper(entity)
	key := entity + "\x00" + original
	now := v.now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if e, ok := v.d.byOriginal[key]; ok && !v.expired(e, now) {
		e.used = now
		return e.placeholder
	}
	v.sweep(now)
	v.d.counters[entity]++
	n := v.d.counters[entity]
	p := make(entity, n)
	if _, taken := v.d.byHolder[p]; taken || p == "" || p == original {
		p = fmt.Sprintf("[REDACTED_%s_%d]", entity, n)
	}
	if !strings.HasPrefix(p, "[REDACTED_") {
		v.d.plain = false
	}
	e := &vaultEntry{placeholder: p, entity: entity, original: original, used: now}
	v.d.byOriginal[key] = e
	v.d.byHolder[p] = e
	if v.max > 0 && len(v.d.byHolder) > v.max {
		v.evictOldest()
	}
	return p
}

func (v *Vault) expired(e *vaultEntry, now time.Time) bool {
	return v.ttl > 0 && now.Sub(e.used) > v.ttl
}

// sweep drops expired pairs; the caller holds the write lock.
func (v *Vault) sweep(now time.Time) {
	if v.ttl == 0 {
		return
	}
	for p, e := range v.d.byHolder {
		if v.expired(e, now) {
			delete(v.d.byHolder, p)
			delete(v.d.byOriginal, e.entity+"\x00"+e.original)
		}
	}
}

func (v *Vault) evictOldest() {
	var old *vaultEntry
	for _, e := range v.d.byHolder {
		if old == nil || e.used.Before(old.used) {
			old = e
		}
	}
	if old != nil {
		delete(v.d.byHolder, old.placeholder)
		delete(v.d.byOriginal, old.entity+"\x00"+old.original)
	}
}

// Original returns the value behind a placeholder.
func (v *Vault) Original(placeholder string) (string, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	e, ok := v.d.byHolder[placeholder]
	if !ok || v.expired(e, v.now()) {
		return "", false
	}
	return e.original, true
}

// Pairs returns the live pairs, longest placeholder first (so that a
// caller replacing them in turn never cuts one inside another).
func (v *Vault) Pairs() []VaultPair {
	v.mu.RLock()
	defer v.mu.RUnlock()
	now := v.now()
	out := make([]VaultPair, 0, len(v.d.byHolder))
	for _, e := range v.d.byHolder {
		if !v.expired(e, now) {
			out = append(out, VaultPair{Placeholder: e.placeholder, Entity: e.entity, Original: e.original})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].Placeholder) != len(out[j].Placeholder) {
			return len(out[i].Placeholder) > len(out[j].Placeholder)
		}
		return out[i].Placeholder < out[j].Placeholder
	})
	return out
}

// Deanonymize replaces every known placeholder in text by its original.
func (v *Vault) Deanonymize(text string) string {
	v.mu.RLock()
	plain := v.d.plain
	n := len(v.d.byHolder)
	v.mu.RUnlock()
	if n == 0 || plain && !strings.Contains(text, "[REDACTED_") {
		return text
	}
	pairs := v.Pairs()
	args := make([]string, 0, 2*len(pairs))
	for _, p := range pairs {
		args = append(args, p.Placeholder, p.Original)
	}
	return strings.NewReplacer(args...).Replace(text)
}

// Len returns the number of pairs stored (expired ones included until
// they are swept).
func (v *Vault) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.d.byHolder)
}

// Clear forgets every pair.
func (v *Vault) Clear() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.d.reset()
}

// String describes the vault without its contents.
func (v *Vault) String() string { return fmt.Sprintf("scanner.Vault(%d pairs)", v.Len()) }

// GoString describes the vault without its contents.
func (v *Vault) GoString() string { return v.String() }

// LogValue makes slog record the size only.
func (v *Vault) LogValue() slog.Value { return slog.IntValue(v.Len()) }

// VaultState is a vault's contents for a store. It holds personal data:
// stores must encrypt it and must never log it.
type VaultState struct {
	Counters map[string]int    `json:"c"`
	Entries  []VaultStateEntry `json:"e"`
}

// VaultStateEntry is one pair of a VaultState.
type VaultStateEntry struct {
	Placeholder string    `json:"p"`
	Entity      string    `json:"t"`
	Original    string    `json:"o"`
	Used        time.Time `json:"u"`
}

// Export returns the live contents.
func (v *Vault) Export() VaultState {
	v.mu.RLock()
	defer v.mu.RUnlock()
	now := v.now()
	st := VaultState{Counters: make(map[string]int, len(v.d.counters)), Entries: make([]VaultStateEntry, 0, len(v.d.byHolder))}
	for k, n := range v.d.counters {
		st.Counters[k] = n
	}
	for _, e := range v.d.byHolder {
		if !v.expired(e, now) {
			st.Entries = append(st.Entries, VaultStateEntry{Placeholder: e.placeholder, Entity: e.entity, Original: e.original, Used: e.used})
		}
	}
	sort.Slice(st.Entries, func(i, j int) bool { return st.Entries[i].Placeholder < st.Entries[j].Placeholder })
	return st
}

// Import replaces the contents with st (expired entries are dropped, the
// size bound applies).
func (v *Vault) Import(st VaultState) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.d.reset()
	for k, n := range st.Counters {
		v.d.counters[k] = n
	}
	now := v.now()
	for _, se := range st.Entries {
		e := &vaultEntry{placeholder: se.Placeholder, entity: se.Entity, original: se.Original, used: se.Used}
		if se.Placeholder == "" || v.expired(e, now) {
			continue
		}
		if !strings.HasPrefix(e.placeholder, "[REDACTED_") {
			v.d.plain = false
		}
		v.d.byHolder[e.placeholder] = e
		v.d.byOriginal[e.entity+"\x00"+e.original] = e
	}
	for v.max > 0 && len(v.d.byHolder) > v.max {
		v.evictOldest()
	}
}
