package scanner

import (
	"fmt"
	"strings"
	"sync"
)

// Vault stores placeholder ↔ original pairs so that text anonymised in a
// prompt can be restored in the response. It is safe for concurrent use.
//
// Unlike a process-wide vault, a Vault is meant to be scoped: create one per
// conversation (or per request) so that one user's data never restores into
// another user's response. MaxEntries bounds its growth.
type Vault struct {
	mu         sync.RWMutex
	byHolder   map[string]string
	byOriginal map[string]string // entity+"\x00"+original → placeholder
	keyOf      map[string]string // placeholder → byOriginal key
	counters   map[string]int
	order      []string // placeholders, oldest first
	max        int
}

// NewVault returns an empty vault holding at most maxEntries pairs (oldest
// evicted first); maxEntries <= 0 means unbounded.
func NewVault(maxEntries int) *Vault {
	return &Vault{
		byHolder:   map[string]string{},
		byOriginal: map[string]string{},
		keyOf:      map[string]string{},
		counters:   map[string]int{},
		max:        maxEntries,
	}
}

// Placeholder returns the placeholder for original of the given entity type,
// creating "[REDACTED_<ENTITY>_<n>]" on first sight. The same original always
// gets the same placeholder while it is in the vault.
func (v *Vault) Placeholder(entity, original string) string {
	entity = strings.ToUpper(entity)
	key := entity + "\x00" + original
	v.mu.RLock()
	p, ok := v.byOriginal[key]
	v.mu.RUnlock()
	if ok {
		return p
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if p, ok := v.byOriginal[key]; ok {
		return p
	}
	v.counters[entity]++
	p = fmt.Sprintf("[REDACTED_%s_%d]", entity, v.counters[entity])
	v.byOriginal[key] = p
	v.byHolder[p] = original
	v.keyOf[p] = key
	v.order = append(v.order, p)
	if v.max > 0 && len(v.order) > v.max {
		old := v.order[0]
		v.order = v.order[1:]
		delete(v.byOriginal, v.keyOf[old])
		delete(v.byHolder, old)
		delete(v.keyOf, old)
	}
	return p
}

// Original returns the value behind a placeholder.
func (v *Vault) Original(placeholder string) (string, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	o, ok := v.byHolder[placeholder]
	return o, ok
}

// Deanonymize replaces every known placeholder in text by its original.
func (v *Vault) Deanonymize(text string) string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if len(v.byHolder) == 0 || !strings.Contains(text, "[REDACTED_") {
		return text
	}
	pairs := make([]string, 0, 2*len(v.byHolder))
	for p, o := range v.byHolder {
		pairs = append(pairs, p, o)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// Len returns the number of pairs stored.
func (v *Vault) Len() int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.byHolder)
}

// Clear forgets every pair.
func (v *Vault) Clear() {
	v.mu.Lock()
	defer v.mu.Unlock()
	clear(v.byHolder)
	clear(v.byOriginal)
	clear(v.keyOf)
	clear(v.counters)
	v.order = nil
}
