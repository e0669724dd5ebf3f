package tokenizer

import (
	"container/heap"
	"fmt"
	"hash/maphash"
	"sync"
	"unicode/utf8"
)

// mtok is a model token: id and byte range [lo,hi) inside the word.
type mtok struct {
	id     int32
	lo, hi int32
}

// model splits one pre-token into vocabulary tokens.
type model interface {
	tokenize(b *tokBuf, word []byte, out []mtok) []mtok
}

// vocab maps tokens to ids and back.
type vocab struct {
	tok2id map[string]int32
	id2tok []string
}

// addAll adds every token of a token-to-id map.
func (v *vocab) addAll(tokens map[string]int) error {
	for tok, id := range tokens {
		if err := v.add(tok, id); err != nil {
			return err
		}
	}
	return nil
}

func (v *vocab) add(tok string, id int) error {
	if id < 0 || id > 1<<26 {
		return fmt.Errorf("token %q has invalid id %d", tok, id)
	}
	if old, ok := v.tok2id[tok]; ok && int(old) != id {
		// keep the first id, as Hugging Face's vocab map does for duplicates
		return nil
	}
	v.tok2id[tok] = int32(id)
	for len(v.id2tok) <= id {
		v.id2tok = append(v.id2tok, "")
	}
	v.id2tok[id] = tok
	return nil
}

// ---------------------------------------------------------------- WordPiece

type wordPiece struct {
	v        *vocab
	prefix   string
	unk      int32
	maxChars int
	maxTok   int // longest vocabulary token in bytes (without prefix)
}

func (wp *wordPiece) tokenize(b *tokBuf, word []byte, out []mtok) []mtok {
	unk := mtok{id: wp.unk, lo: 0, hi: int32(len(word))}
	if utf8.RuneCount(word) > wp.maxChars {
		return append(out, unk)
	}
	mark := len(out)
	buf := append(b.scratch[:0], wp.prefix...)
	for start := 0; start < len(word); {
		end := min(len(word), start+wp.maxTok)
		for end > start && end < len(word) && !utf8.RuneStart(word[end]) {
			end--
		}
		found := int32(-1)
		for end > start {
			var id int32
			var ok bool
			if start == 0 {
				id, ok = wp.v.tok2id[string(word[start:end])]
			} else {
				buf = append(buf[:len(wp.prefix)], word[start:end]...)
				id, ok = wp.v.tok2id[string(buf)]
			}
			if ok {
				found = id
				break
			}
			end--
			for end > start && !utf8.RuneStart(word[end]) {
				end--
			}
		}
		if found < 0 {
			b.scratch = buf
			return append(out[:mark], unk)
		}
		out = append(out, mtok{id: found, lo: int32(start), hi: int32(end)})
		start = end
	}
	b.scratch = buf
	return out
}

// ---------------------------------------------------------------- BPE

// bpe is a BPE model. With byteLevel, words are raw bytes and every byte is
// first mapped to its GPT-2 byte-level character's id.
type bpe struct {
	v          *vocab
	merges     map[uint64]uint64 // (left<<32|right) -> rank<<32|merged id
	byteLevel  bool
	byteID     [256]int32
	unk        int32 // -1: none
	fuseUnk    bool
	byteFallbk bool
	prefix     string // continuing_subword_prefix
	suffix     string // end_of_word_suffix
	ignoreMrg  bool   // ignore_merges: whole word in vocab wins
	cache      *bpeCache
}

type bpeCache struct {
	seed   maphash.Seed
	shards [32]struct {
		mu sync.RWMutex
		m  map[string][]mtok
	}
}

const bpeCacheShardCap = 2048

func newBPECache() *bpeCache {
	c := &bpeCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string][]mtok)
	}
	return c
}

// byteToUnicode is GPT-2's reversible byte -> printable rune table.
func byteToUnicode() [256]rune {
	var t [256]rune
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			t[b] = rune(b)
		} else {
			t[b] = rune(256 + n)
			n++
		}
	}
	return t
}

type sym struct {
	id         int32
	lo, hi     int32
	prev, next int32
}

func (m *bpe) tokenize(b *tokBuf, word []byte, out []mtok) []mtok {
	if len(word) == 0 {
		return out
	}
	if m.ignoreMrg && !m.byteLevel {
		if id, ok := m.v.tok2id[string(word)]; ok {
			return append(out, mtok{id: id, lo: 0, hi: int32(len(word))})
		}
	}
	var sh *struct {
		mu sync.RWMutex
		m  map[string][]mtok
	}
	if m.cache != nil && len(word) < 256 {
		h := maphash.Bytes(m.cache.seed, word)
		sh = &m.cache.shards[h%uint64(len(m.cache.shards))]
		sh.mu.RLock()
		toks, ok := sh.m[string(word)]
		sh.mu.RUnlock()
		if ok {
			return append(out, toks...)
		}
	}
	mark := len(out)
	out = m.merge(word, out)
	if sh != nil {
		sh.mu.Lock()
		if len(sh.m) < bpeCacheShardCap {
			sh.m[string(word)] = append([]mtok(nil), out[mark:]...)
		}
		sh.mu.Unlock()
	}
	return out
}

func (m *bpe) initialSymbols(word []byte, syms []sym) []sym {
	if m.byteLevel {
		for i, c := range word {
			syms = append(syms, sym{id: m.byteID[c], lo: int32(i), hi: int32(i + 1)})
		}
		return syms
	}
	for i := 0; i < len(word); {
		_, sz := utf8.DecodeRune(word[i:])
		s := string(word[i : i+sz])
		if i > 0 && m.prefix != "" {
			s = m.prefix + s
		}
		if i+sz == len(word) && m.suffix != "" {
			s += m.suffix
		}
		if id, ok := m.v.tok2id[s]; ok {
			syms = append(syms, sym{id: id, lo: int32(i), hi: int32(i + sz)})
		} else if m.byteFallbk && m.hasAllBytes(word[i:i+sz]) {
			for k := i; k < i+sz; k++ {
				id := m.v.tok2id[fmt.Sprintf("<0x%02X>", word[k])]
				syms = append(syms, sym{id: id, lo: int32(k), hi: int32(k + 1)})
			}
		} else if m.unk >= 0 {
			if m.fuseUnk && len(syms) > 0 && syms[len(syms)-1].id == m.unk {
				syms[len(syms)-1].hi = int32(i + sz)
			} else {
				syms = append(syms, sym{id: m.unk, lo: int32(i), hi: int32(i + sz)})
			}
		}
		i += sz
	}
	return syms
}

func (m *bpe) hasAllBytes(p []byte) bool {
	for _, c := range p {
		if _, ok := m.v.tok2id[fmt.Sprintf("<0x%02X>", c)]; !ok {
			return false
		}
	}
	return true
}

func (m *bpe) merge(word []byte, out []mtok) []mtok {
	var stack [64]sym
	syms := m.initialSymbols(word, stack[:0])
	n := len(syms)
	for i := range syms {
		syms[i].prev = int32(i - 1)
		syms[i].next = int32(i + 1)
	}
	if n > 48 {
		m.mergeHeap(syms)
	} else if n > 1 {
		for {
			bestRank := uint32(1<<32 - 1)
			best := -1
			var bestNew int32
			for i := 0; i >= 0 && int(syms[i].next) < n; i = int(syms[i].next) {
				j := syms[i].next
				v, ok := m.merges[uint64(uint32(syms[i].id))<<32|uint64(uint32(syms[j].id))]
				if !ok {
					continue
				}
				if r := uint32(v >> 32); r < bestRank {
					bestRank, best, bestNew = r, i, int32(uint32(v))
				}
			}
			if best < 0 {
				break
			}
			j := syms[best].next
			syms[best].id = bestNew
			syms[best].hi = syms[j].hi
			syms[best].next = syms[j].next
			if int(syms[j].next) < n {
				syms[syms[j].next].prev = int32(best)
			}
		}
	}
	for i := 0; n > 0 && i < n; i = int(syms[i].next) {
		out = append(out, mtok{id: syms[i].id, lo: syms[i].lo, hi: syms[i].hi})
	}
	return out
}

// mergeCand is a candidate merge of the pair starting at symbol pos.
type mergeCand struct {
	rank        uint32
	pos         int32
	left, right int32 // symbol ids when the candidate was made
	merged      int32
}

type mergeHeap []mergeCand

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(mergeCand)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// mergeHeap applies merges to a long word in O(n log n): lowest rank first,
// leftmost first among equal ranks (the same order as the quadratic scan).
func (m *bpe) mergeHeap(syms []sym) {
	n := len(syms)
	alive := make([]bool, n)
	for i := range alive {
		alive[i] = true
	}
	h := make(mergeHeap, 0, n)
	ready := false
	push := func(i int) {
		j := int(syms[i].next)
		if j >= n {
			return
		}
		v, ok := m.merges[uint64(uint32(syms[i].id))<<32|uint64(uint32(syms[j].id))]
		if !ok {
			return
		}
		c := mergeCand{rank: uint32(v >> 32), pos: int32(i), left: syms[i].id, right: syms[j].id, merged: int32(uint32(v))}
		if ready {
			heap.Push(&h, c)
		} else {
			h = append(h, c)
		}
	}
	for i := 0; i < n-1; i++ {
		push(i)
	}
	heap.Init(&h)
	ready = true
	for h.Len() > 0 {
		c := heap.Pop(&h).(mergeCand)
		i := int(c.pos)
		if !alive[i] || syms[i].id != c.left {
			continue
		}
		j := int(syms[i].next)
		if j >= n || !alive[j] || syms[j].id != c.right {
			continue
		}
		syms[i].id = c.merged
		syms[i].hi = syms[j].hi
		syms[i].next = syms[j].next
		alive[j] = false
		if int(syms[j].next) < n {
			syms[syms[j].next].prev = int32(i)
		}
		if p := syms[i].prev; p >= 0 {
			push(int(p))
		}
		push(i)
	}
}
