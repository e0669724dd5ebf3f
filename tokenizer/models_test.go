package tokenizer

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestBPEHeapMatchesScan checks that the O(n log n) merge used for long words
// gives the same tokens as the quadratic scan used for short ones.
func TestBPEHeapMatchesScan(t *testing.T) {
	tok := mustLoad(t, fxBPE, Config{})
	m := tok.p.(*hfPipeline).model.(*bpe)
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "e", "er", "th", "in", " ", "é", "🙂", "0", "1", "ing", "the"}
	for i := 0; i < 300; i++ {
		var sb strings.Builder
		for sb.Len() < 10+rng.IntN(120) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		word := []byte(sb.String())
		syms := m.initialSymbols(word, nil)
		for k := range syms {
			syms[k].prev, syms[k].next = int32(k-1), int32(k+1)
		}
		a := append([]sym(nil), syms...)
		m.mergeHeap(a)
		var heapToks []mtok
		for k := 0; k < len(a); k = int(a[k].next) {
			heapToks = append(heapToks, mtok{id: a[k].id, lo: a[k].lo, hi: a[k].hi})
		}
		// quadratic reference on the same symbols
		b := append([]sym(nil), syms...)
		n := len(b)
		for {
			best, bestRank := -1, uint32(1<<32-1)
			var bestNew int32
			for k := 0; int(b[k].next) < n; k = int(b[k].next) {
				j := b[k].next
				if v, ok := m.merges[uint64(uint32(b[k].id))<<32|uint64(uint32(b[j].id))]; ok && uint32(v>>32) < bestRank {
					best, bestRank, bestNew = k, uint32(v>>32), int32(uint32(v))
				}
			}
			if best < 0 {
				break
			}
			j := b[best].next
			b[best].id, b[best].hi, b[best].next = bestNew, b[j].hi, b[j].next
		}
		var scanToks []mtok
		for k := 0; k < n; k = int(b[k].next) {
			scanToks = append(scanToks, mtok{id: b[k].id, lo: b[k].lo, hi: b[k].hi})
		}
		if !slices.Equal(heapToks, scanToks) {
			t.Fatalf("word %q: heap %v scan %v", word, heapToks, scanToks)
		}
	}
}

// TestHugeInputs encodes pathological long inputs on every model type; a
// quadratic algorithm would not finish within the test timeout.
func TestHugeInputs(t *testing.T) {
	inputs := []string{
		strings.Repeat("a", 1<<16),
		strings.Repeat("ab", 1<<15),
		strings.Repeat("🙂", 1<<14),
		strings.Repeat(" ", 1<<16),
		strings.Repeat("!", 1<<16),
	}
	for _, fx := range allFixtures {
		tok := mustLoad(t, fx.path, Config{})
		for _, s := range inputs {
			enc, err := tok.Encode(s)
			if err != nil {
				t.Fatal(err)
			}
			checkEncoding(t, s, enc, tok.VocabSize())
		}
	}
}
