package tokenizer

import (
	"fmt"
	"math"
	"sort"
	"unicode/utf8"
)

// byteTrie is a static trie over byte strings, flattened into arrays: the
// edges of node i are lbl/child[start[i]:start[i+1]], sorted by label.
type byteTrie struct {
	start []int32
	lbl   []byte
	child []int32
	val   []int32 // piece id ending at the node, or -1
	root  [256]int32
	// nodes with many children also get a 256-entry table (dense[node] is
	// its offset in denseTab, or -1)
	dense    []int32
	denseTab []int32
}

const trieDenseMin = 12

func buildTrie(keys []string, vals []int32) *byteTrie {
	type tnode struct {
		kids map[byte]int
		val  int32
	}
	nodes := []tnode{{kids: map[byte]int{}, val: -1}}
	for k, key := range keys {
		cur := 0
		for i := 0; i < len(key); i++ {
			nx, ok := nodes[cur].kids[key[i]]
			if !ok {
				nodes = append(nodes, tnode{kids: map[byte]int{}, val: -1})
				nx = len(nodes) - 1
				nodes[cur].kids[key[i]] = nx
			}
			cur = nx
		}
		if nodes[cur].val < 0 {
			nodes[cur].val = vals[k]
		}
	}
	t := &byteTrie{start: make([]int32, len(nodes)+1), val: make([]int32, len(nodes))}
	for i := range t.root {
		t.root[i] = -1
	}
	for i, n := range nodes {
		t.start[i] = int32(len(t.lbl))
		t.val[i] = n.val
		ks := make([]int, 0, len(n.kids))
		for c := range n.kids {
			ks = append(ks, int(c))
		}
		sort.Ints(ks)
		for _, c := range ks {
			t.lbl = append(t.lbl, byte(c))
			t.child = append(t.child, int32(n.kids[byte(c)]))
		}
	}
	t.start[len(nodes)] = int32(len(t.lbl))
	t.dense = make([]int32, len(nodes))
	for i, n := range nodes {
		t.dense[i] = -1
		if len(n.kids) < trieDenseMin {
			continue
		}
		t.dense[i] = int32(len(t.denseTab))
		tab := make([]int32, 256)
		for c := range tab {
			tab[c] = -1
		}
		for c, k := range n.kids {
			tab[c] = int32(k)
		}
		t.denseTab = append(t.denseTab, tab...)
	}
	for c, k := range nodes[0].kids {
		t.root[c] = int32(k)
	}
	return t
}

func (t *byteTrie) next(node int32, c byte) int32 {
	if node == 0 {
		return t.root[c]
	}
	if d := t.dense[node]; d >= 0 {
		return t.denseTab[int(d)+int(c)]
	}
	lo, hi := t.start[node], t.start[node+1]
	for lo < hi {
		m := (lo + hi) >> 1
		switch l := t.lbl[m]; {
		case l == c:
			return t.child[m]
		case l < c:
			lo = m + 1
		default:
			hi = m
		}
	}
	return -1
}

// latticeNode is the best path ending at a position.
type latticeNode struct {
	id    int32
	start int32
	score float64
}

const (
	pieceNormal      = 1
	pieceUnknown     = 2
	pieceControl     = 3
	pieceUserDefined = 4
	pieceUnused      = 5
	pieceByte        = 6
)

// unigram is a Unigram language-model tokenizer (SentencePiece's optimized
// Viterbi, which Hugging Face's Unigram mirrors).
type unigram struct {
	v            *vocab
	tr           *byteTrie
	scores       []float64
	types        []uint8
	unk          int32
	unkScore     float64
	maxScore     float64
	f32          bool // SentencePiece computes in float32
	fuseUnk      bool
	byteFallback bool
	byteIDs      [256]int32
}

func newUnigram(v *vocab, scores []float64, types []uint8, unk int, f32, fuseUnk, byteFallback bool) (*unigram, error) {
	if unk < 0 || unk >= len(v.id2tok) {
		return nil, fmt.Errorf("unigram: unk id %d out of range", unk)
	}
	u := &unigram{v: v, scores: scores, types: types, unk: int32(unk), f32: f32, fuseUnk: fuseUnk, byteFallback: byteFallback}
	minS, maxS := math.Inf(1), math.Inf(-1)
	var keys []string
	var vals []int32
	for id, tok := range v.id2tok {
		t := types[id]
		if t == pieceNormal {
			minS = math.Min(minS, scores[id])
			maxS = math.Max(maxS, scores[id])
		}
		if tok == "" || id == unk {
			continue
		}
		if t == pieceNormal || t == pieceUserDefined {
			keys = append(keys, tok)
			vals = append(vals, int32(id))
		}
	}
	if math.IsInf(minS, 1) {
		minS, maxS = 0, 0
	}
	if f32 {
		// SentencePiece starts its maximum at FLT_MIN (the smallest positive
		// normal float), so with log-prob scores it stays FLT_MIN.
		maxS = math.Max(maxS, 0x1p-126)
	}
	u.maxScore = maxS
	u.unkScore = minS - 10
	if f32 {
		u.unkScore = float64(float32(minS) - 10)
	}
	u.tr = buildTrie(keys, vals)
	for i := range u.byteIDs {
		u.byteIDs[i] = -1
		if id, ok := v.tok2id[fmt.Sprintf("<0x%02X>", i)]; ok {
			u.byteIDs[i] = id
		}
	}
	return u, nil
}

// encode runs Viterbi over s and appends the best segmentation to out.
func (u *unigram) encode(b *tokBuf, s []byte, out []mtok) []mtok {
	size := len(s)
	if size == 0 {
		return out
	}
	if cap(b.lattice) < size+1 {
		b.lattice = make([]latticeNode, size+1)
	}
	best := b.lattice[:size+1]
	for i := range best {
		best[i] = latticeNode{id: -1, start: -1}
	}
	best[0].start = 0
	for pos := 0; pos < size; {
		till := best[pos].score
		mblen := 1
		if c := s[pos]; c >= utf8.RuneSelf {
			_, mblen = utf8.DecodeRune(s[pos:])
		}
		hasSingle := false
		node := int32(0)
		for k := pos; k < size; k++ {
			node = u.tr.next(node, s[k])
			if node < 0 {
				break
			}
			id := u.tr.val[node]
			if id < 0 {
				continue
			}
			length := k + 1 - pos
			// SentencePiece: the candidate is computed and compared in double
			// precision (score is promoted to double) but stored as float.
			var cand float64
			if u.types[id] == pieceUserDefined {
				sc := float64(length)*u.maxScore - 0.1
				if u.f32 {
					sc = float64(float32(length)*float32(u.maxScore)) - 0.1
				}
				cand = sc + till
			} else {
				cand = u.scores[id] + till
			}
			t := &best[k+1]
			if t.start < 0 || cand > t.score {
				if u.f32 {
					cand = float64(float32(cand))
				}
				t.score, t.start, t.id = cand, int32(pos), id
			}
			if length == mblen {
				hasSingle = true
			}
		}
		if !hasSingle {
			cand := u.unkScore + till
			if u.f32 {
				cand = float64(float32(cand))
			}
			t := &best[pos+mblen]
			if t.start < 0 || cand > t.score {
				t.score, t.start, t.id = cand, int32(pos), u.unk
			}
		}
		pos += mblen
	}
	// backtrack
	mark := len(out)
	for end := size; end > 0; {
		n := best[end]
		out = append(out, mtok{id: n.id, lo: n.start, hi: int32(end)})
		end = int(n.start)
	}
	seg := out[mark:]
	for i, j := 0, len(seg)-1; i < j; i, j = i+1, j-1 {
		seg[i], seg[j] = seg[j], seg[i]
	}
	if u.fuseUnk {
		w := mark
		for i := mark; i < len(out); i++ {
			if w > mark && out[i].id == u.unk && out[w-1].id == u.unk {
				out[w-1].hi = out[i].hi
				continue
			}
			out[w] = out[i]
			w++
		}
		out = out[:w]
	}
	return out
}

// applyByteFallback replaces unknown pieces of out[mark:] by their bytes'
// <0xXX> pieces when all of them exist (Hugging Face: every byte token keeps
// the span of the whole unknown piece).
func (u *unigram) applyByteFallback(s []byte, out []mtok, mark int) []mtok {
	hasUnk := false
	for _, t := range out[mark:] {
		if t.id == u.unk {
			hasUnk = true
			break
		}
	}
	if !hasUnk {
		return out
	}
	seg := append([]mtok(nil), out[mark:]...)
	out = out[:mark]
	for _, t := range seg {
		if t.id != u.unk || !u.hasBytes(s[t.lo:t.hi]) {
			out = append(out, t)
			continue
		}
		for k := t.lo; k < t.hi; k++ {
			out = append(out, mtok{id: u.byteIDs[s[k]], lo: t.lo, hi: t.hi})
		}
	}
	return out
}

func (u *unigram) hasBytes(p []byte) bool {
	for _, c := range p {
		if u.byteIDs[c] < 0 {
			return false
		}
	}
	return true
}

// tokenize implements model for tokenizer.json Unigram models.
func (u *unigram) tokenize(b *tokBuf, word []byte, out []mtok) []mtok {
	mark := len(out)
	out = u.encode(b, word, out)
	if u.byteFallback {
		out = u.applyByteFallback(word, out, mark)
	}
	return out
}
