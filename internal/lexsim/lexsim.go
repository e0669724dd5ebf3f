// Package lexsim compares texts lexically: normalised content-word stems
// (internal/normalize, then internal/hashfeat tokens without stop words,
// each cut to its first six letters as a crude language-independent
// stemmer) weighted by 1+log(tf), and their cosine similarity.
package lexsim

import (
	"math"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/hashfeat"
	"github.com/llmshield/llmshield/internal/normalize"
)

// StemLen is how many leading runes of a word are kept.
const StemLen = 6

// stop words of English and German (normalised: lower case, no accents).
var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{
		"a", "an", "the", "and", "or", "but", "if", "then", "else", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "into", "about",
		"is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "have", "has", "had", "it", "its", "this", "that", "these", "those",
		"i", "you", "he", "she", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "our", "their", "what", "which", "who", "whom",
		"how", "why", "when", "where", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "not", "no", "yes", "so", "there",
		"here", "all", "any", "some", "more", "most", "very", "just", "also", "than", "too", "only", "own", "same", "such", "each", "both", "other",
		"up", "down", "out", "over", "under", "again", "further", "once", "s", "t", "don't", "it's", "i'm", "please", "tell", "give", "let", "get",
		"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "und", "oder", "aber", "ist", "sind", "war", "waren", "sein",
		"ich", "du", "er", "sie", "es", "wir", "ihr", "mich", "dich", "sich", "uns", "euch", "mit", "von", "zu", "zum", "zur", "im", "in", "auf", "an",
		"fur", "uber", "nicht", "kein", "keine", "wie", "was", "wer", "wo", "warum", "auch", "noch", "nur", "sehr", "kann", "konnen", "wird", "werden",
	} {
		m[w] = true
	}
	return m
}()

// Vector is a sparse bag of stems.
type Vector struct {
	w    map[string]float64
	norm float64
}

// Len is the number of distinct stems.
func (v Vector) Len() int { return len(v.w) }

// Stems returns text's content-word stems in order.
func Stems(text string) []string {
	toks := hashfeat.Tokens(normalize.String(text))
	out := toks[:0]
	for _, t := range toks {
		if stop[t] {
			continue
		}
		if utf8.RuneCountInString(t) > StemLen {
			n, i := 0, 0
			for i = range t {
				if n == StemLen {
					break
				}
				n++
			}
			t = t[:i]
		}
		out = append(out, t)
	}
	return out
}

// New builds the vector of text.
func New(text string) Vector {
	tf := map[string]float64{}
	for _, s := range Stems(text) {
		tf[s]++
	}
	var n float64
	for k, c := range tf {
		w := 1 + math.Log(c)
		tf[k] = w
		n += w * w
	}
	return Vector{w: tf, norm: math.Sqrt(n)}
}

// Cosine returns the cosine similarity of a and b in [0,1]; 0 when either is empty.
func Cosine(a, b Vector) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	if len(a.w) > len(b.w) {
		a, b = b, a
	}
	var dot float64
	for k, x := range a.w {
		dot += x * b.w[k]
	}
	return min(1, max(0, dot/(a.norm*b.norm)))
}
