// Package hashfeat turns text into a sparse, L2-normalised vector of hashed
// n-gram features (the "hashing trick"), shared by the project's small
// linear text classifiers and their training programs so that training and
// inference compute exactly the same features.
//
// Text is normalised with internal/normalize (lower case, accents and
// look-alikes folded, invisible characters removed). Tokens are runs of
// letters and digits (an apostrophe inside a word is kept); each Han,
// Hiragana, Katakana, Hangul or Thai character is a token of its own, so
// word bigrams over those scripts are character bigrams. Features are word
// unigrams and bigrams, the same for the first HeadTokens tokens marked as
// "head" (where refusals, greetings and topic openers sit), and character
// trigrams of the first HeadRunes runes. Every feature counts once.
package hashfeat

import (
	"math"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/normalize"
)

// Options bound the work.
type Options struct {
	// Dim is the number of hash buckets (a power of two).
	Dim uint32
	// MaxBytes is how much of the text is read (default 1024), cut on a
	// rune boundary.
	MaxBytes int
	// HeadTokens is how many leading tokens also give head features (default 12).
	HeadTokens int
	// HeadRunes is how many leading runes give character trigrams (default 200).
	HeadRunes int
}

func (o Options) fill() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1024
	}
	if o.HeadTokens <= 0 {
		o.HeadTokens = 12
	}
	if o.HeadRunes <= 0 {
		o.HeadRunes = 200
	}
	return o
}

func single(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai)
}

// Tokens splits normalised text into tokens as described in the package doc.
func Tokens(norm string) []string {
	var toks []string
	start := -1
	for i, r := range norm {
		switch {
		case single(r):
			if start >= 0 {
				toks = append(toks, norm[start:i])
				start = -1
			}
			toks = append(toks, norm[i:i+utf8.RuneLen(r)])
		case unicode.IsLetter(r) || unicode.IsDigit(r) || (r == '\'' && start >= 0):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				toks = append(toks, norm[start:i])
				start = -1
			}
		}
	}
	if start >= 0 {
		toks = append(toks, norm[start:])
	}
	return toks
}

// Vector returns the sorted, distinct bucket indices of text's features
// and the value every one of them has (1/sqrt(n), so the vector has unit
// length). It returns no indices for text without features.
func Vector(text string, o Options) ([]uint32, float32) {
	o = o.fill()
	norm := normalize.String(normalize.Cut(text, o.MaxBytes))
	toks := Tokens(norm)
	idx := make([]uint32, 0, 4*len(toks)+o.HeadRunes)
	add := func(tag byte, a, b string) {
		x := fnvMix(fnvOffset, tag)
		x = fnvString(x, a)
		if b != "" {
			x = fnvMix(x, 0)
			x = fnvString(x, b)
		}
		idx = append(idx, uint32(x%uint64(o.Dim)))
	}
	for i, t := range toks {
		add('w', t, "")
		if i > 0 {
			add('b', toks[i-1], t)
		}
		if i < o.HeadTokens {
			add('h', t, "")
			if i > 0 {
				add('H', toks[i-1], t)
			}
		}
	}
	// character trigrams over the head
	var runes []int // byte offsets of rune starts
	for i := range norm {
		if len(runes) > o.HeadRunes {
			break
		}
		runes = append(runes, i)
	}
	runes = append(runes, len(norm))
	for k := 0; k+3 < len(runes); k++ {
		add('c', norm[runes[k]:runes[k+3]], "")
	}
	if len(idx) == 0 {
		return nil, 0
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	return idx, float32(1 / math.Sqrt(float64(len(idx))))
}

// FNV-1a, 64 bit, inlined so that hashing does not allocate.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvMix(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}
