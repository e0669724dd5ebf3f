package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// HashedNGram is the tokenizer.json model type of the hashed n-gram
// featurizer: instead of vocabulary tokens it emits one id per character
// n-gram and word n-gram of the normalised text, hashed into a fixed number
// of buckets. A model that sums per-bucket weights over these ids is a
// linear model over hashed n-gram counts (see training/hashed_ngrams.py, the
// Python twin that produces the training ids, and
// testdata/hashed/reference.jsonl, which the tests compare against).
//
// The algorithm (version 1), parameters from the model section:
//
//  1. NFKC (Unicode normalisation form KC) of the whole text.
//  2. Per code point: the format characters in hashedDropped are removed;
//     white space (Go's unicode.IsSpace) and C0/C1 control characters become
//     ' '; every other code point is lower-cased with the simple (one code
//     point) mapping, Go's unicode.ToLower.
//  3. Runs of ' ' collapse to one, leading and trailing ones are removed. An
//     empty result yields no ids. Otherwise t = " " + text + " ".
//  4. Character n-grams: every run of n code points of t, n in
//     char_ngram_range (inclusive; spanning word boundaries).
//  5. Words: maximal runs of letters, marks and numbers (Unicode categories
//     L, M, N) of t; word n-grams: every run of n consecutive words, n in
//     word_ngram_range.
//  6. Hash (hash "fnv1a64-cp-fmix64"): FNV-1a 64 over code point values
//     (h ^= cp; h *= 0x100000001b3, from 0xcbf29ce484222325); words of a word
//     n-gram are separated by the value 0x120000; after the last code point
//     the value 0x110000+n (character n-grams) or 0x120000+n (word n-grams)
//     is mixed in the same way; then the MurmurHash3 64-bit finaliser.
//     id = first_id + hash mod buckets.
//  7. Order: by the index in t of the n-gram's first code point; at one
//     index character n-grams (short to long) come before word n-grams
//     (short to long).
//
// Offsets are the byte span of the original text the n-gram came from.
// Token strings are the n-gram's text in the normalised string (a word
// n-gram spans from its first word's start to its last word's end).
const HashedNGram = "HashedNGram"

// hashedDropped lists format characters removed before hashing: soft hyphen,
// zero-width space/joiners, direction marks and embeddings, word joiner,
// invisible operators and the byte-order mark. They are invisible and used
// to split words for filters.
var hashedDropped = [...]rune{
	0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
	0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
	0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF,
}

const (
	fnvOffset64  = 0xcbf29ce484222325
	fnvPrime64   = 0x100000001b3
	hashCharTag  = 0x110000
	hashWordTag  = 0x120000
	hashedHashV1 = "fnv1a64-cp-fmix64"
	hashedNormV1 = "nfkc-lower-collapse"
	maxHashedN   = 16
)

// hashedHeader holds the settings that both hashed models (HashedNGram
// and HashedWordFeatures) declare.
type hashedHeader struct {
	Type     string         `json:"type"`
	Version  int            `json:"version"`
	Buckets  int            `json:"buckets"`
	FirstID  int            `json:"first_id"`
	Hash     string         `json:"hash"`
	Specials map[string]int `json:"special_tokens"`
}

// checkFormat checks the format version and the hash function; model
// names the model in errors.
func (h hashedHeader) checkFormat(model string) error {
	if h.Version != 1 {
		return fmt.Errorf("%s: version %d is not supported (want 1)", model, h.Version)
	}
	if h.Hash != hashedHashV1 {
		return fmt.Errorf("%s: hash %q is not supported (want %q)", model, h.Hash, hashedHashV1)
	}
	return nil
}

// checkSize checks buckets and first_id; model names the model in errors.
func (h hashedHeader) checkSize(model string) error {
	if h.Buckets < 1 || h.Buckets > 1<<26 {
		return fmt.Errorf("%s: buckets %d out of range [1, %d]", model, h.Buckets, 1<<26)
	}
	if h.FirstID < 0 || h.FirstID > 1<<20 {
		return fmt.Errorf("%s: first_id %d out of range", model, h.FirstID)
	}
	return nil
}

// vocab returns the vocabulary the header declares (see newHashedVocab).
func (h hashedHeader) vocab(model string) (hashedVocab, error) {
	return newHashedVocab(model, h.Buckets, h.FirstID, h.Specials)
}

type hashedModel struct {
	hashedHeader
	CharNGramRange [2]int `json:"char_ngram_range"`
	WordNGramRange [2]int `json:"word_ngram_range"`
	Normalization  string `json:"normalization"`
}

// hashedPipeline implements pipeline for the HashedNGram model.
type hashedPipeline struct {
	hashedVocab
	cmin, cmax         int
	wmin, wmax         int
	hasChars, hasWords bool
}

// hashedVocab is the vocabulary of the hashed models: the special tokens
// below firstID, then one id per bucket, named "#<bucket>".
type hashedVocab struct {
	buckets     uint64
	firstID     int
	maxID       int
	specials    map[string]int
	specialByID map[int]string
}

// newHashedVocab checks and indexes the special tokens; model names the
// model in errors.
func newHashedVocab(model string, buckets, firstID int, specials map[string]int) (hashedVocab, error) {
	v := hashedVocab{buckets: uint64(buckets), firstID: firstID, maxID: firstID + buckets - 1,
		specials: map[string]int{}, specialByID: map[int]string{}}
	for tok, id := range specials {
		if id < 0 || id >= firstID {
			return v, fmt.Errorf("%s: special token %q id %d must be in [0, first_id %d)", model, tok, id, firstID)
		}
		if old, ok := v.specialByID[id]; ok {
			return v, fmt.Errorf("%s: special tokens %q and %q share id %d", model, old, tok, id)
		}
		v.specials[tok] = id
		v.specialByID[id] = tok
	}
	return v, nil
}

// hashedNGramModel names the HashedNGram model in errors.
const hashedNGramModel = "hashed n-gram model"

func parseHashedModel(m json.RawMessage) (*hashedPipeline, error) {
	var c hashedModel
	if err := json.Unmarshal(m, &c); err != nil {
		return nil, err
	}
	if err := c.checkFormat(hashedNGramModel); err != nil {
		return nil, err
	}
	if c.Normalization != hashedNormV1 {
		return nil, fmt.Errorf("%s: normalization %q is not supported (want %q)", hashedNGramModel, c.Normalization, hashedNormV1)
	}
	if err := c.checkSize(hashedNGramModel); err != nil {
		return nil, err
	}
	checkRange := func(name string, r [2]int) error {
		if r == [2]int{0, 0} {
			return nil // disabled
		}
		if r[0] < 1 || r[1] < r[0] || r[1] > maxHashedN {
			return fmt.Errorf("%s: %s %v invalid (want 1 <= min <= max <= %d, or [0,0] to disable)", hashedNGramModel, name, r, maxHashedN)
		}
		return nil
	}
	if err := checkRange("char_ngram_range", c.CharNGramRange); err != nil {
		return nil, err
	}
	if err := checkRange("word_ngram_range", c.WordNGramRange); err != nil {
		return nil, err
	}
	p := &hashedPipeline{
		cmin: c.CharNGramRange[0], cmax: c.CharNGramRange[1],
		wmin: c.WordNGramRange[0], wmax: c.WordNGramRange[1],
		hasChars: c.CharNGramRange[0] > 0, hasWords: c.WordNGramRange[0] > 0,
	}
	if !p.hasChars && !p.hasWords {
		return nil, errors.New(hashedNGramModel + ": both n-gram ranges are disabled")
	}
	var err error
	if p.hashedVocab, err = c.vocab(hashedNGramModel); err != nil {
		return nil, err
	}
	return p, nil
}

func (v *hashedVocab) vocabSize() int { return v.maxID + 1 }

// tokenToID knows the special tokens and the bucket names "#<bucket>" that
// idToToken gives (n-grams themselves are not looked up: they are hashed).
func (v *hashedVocab) tokenToID(tok string) (int, bool) {
	if id, ok := v.specials[tok]; ok {
		return id, true
	}
	if len(tok) > 1 && tok[0] == '#' {
		if b, err := strconv.Atoi(tok[1:]); err == nil && b >= 0 && uint64(b) < v.buckets && tok[1] != '+' && tok[1] != '-' {
			return v.firstID + b, true
		}
	}
	return 0, false
}

func (v *hashedVocab) idToToken(id int) (string, bool) {
	if s, ok := v.specialByID[id]; ok {
		return s, true
	}
	if id >= v.firstID && id <= v.maxID {
		return "#" + strconv.Itoa(id-v.firstID), true
	}
	return "", false
}

func isHashedDropped(r rune) bool {
	if r < 0x00AD || r > 0xFEFF {
		return false
	}
	for _, d := range hashedDropped {
		if r == d {
			return true
		}
	}
	return false
}

func isHashedSpace(r rune) bool {
	return unicode.IsSpace(r) || r < 0x20 || (r >= 0x7F && r <= 0x9F)
}

func isHashedWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r)
}

func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

func fnvStep(h uint64, v uint32) uint64 { return (h ^ uint64(v)) * fnvPrime64 }

// hashedText is the per-call working memory of the HashedNGram pipeline
// (kept in tokBuf): the normalised code points, their original byte spans, their
// byte positions in the normalised string and the word boundaries.
type hashedText struct {
	cps        []rune
	os, oe     []int32 // original byte span of each code point
	bpos       []int32 // byte offset of each code point in str (len(cps)+1 entries)
	str        string
	wordStarts []int32 // code point index of each word's first code point
	wordEnds   []int32 // code point index one past each word's last code point
}

// normalizeHashed fills ht with the normalised, space-padded text.
func normalizeHashed(text string, ht *hashedText, buf []byte) []byte {
	ht.cps, ht.os, ht.oe = ht.cps[:0], ht.os[:0], ht.oe[:0]
	pendingSpace := false
	var spaceAt int32
	emit := func(r rune, s, e int32) {
		ht.cps = append(ht.cps, r)
		ht.os = append(ht.os, s)
		ht.oe = append(ht.oe, e)
	}
	var it norm.Iter
	it.InitString(norm.NFKC, text)
	for !it.Done() {
		start := int32(it.Pos())
		seg := it.Next()
		end := int32(it.Pos())
		for k := 0; k < len(seg); {
			r, n := utf8.DecodeRune(seg[k:])
			k += n
			switch {
			case isHashedDropped(r):
				continue
			case isHashedSpace(r):
				if !pendingSpace {
					spaceAt = start
				}
				pendingSpace = true
				continue
			}
			if pendingSpace && len(ht.cps) > 0 {
				emit(' ', spaceAt, spaceAt)
			}
			pendingSpace = false
			emit(unicode.ToLower(r), start, end)
		}
	}
	if len(ht.cps) == 0 {
		ht.str = ""
		ht.bpos = ht.bpos[:0]
		return buf
	}
	// boundary spaces
	first, last := ht.os[0], ht.oe[len(ht.oe)-1]
	ht.cps = append(ht.cps, ' ')
	ht.os = append(ht.os, last)
	ht.oe = append(ht.oe, last)
	ht.cps = append(ht.cps[:1], ht.cps...)
	ht.cps[0] = ' '
	ht.os = append(ht.os[:1], ht.os...)
	ht.os[0] = first
	ht.oe = append(ht.oe[:1], ht.oe...)
	ht.oe[0] = first
	buf = buf[:0]
	ht.bpos = ht.bpos[:0]
	for _, r := range ht.cps {
		ht.bpos = append(ht.bpos, int32(len(buf)))
		buf = utf8.AppendRune(buf, r)
	}
	ht.bpos = append(ht.bpos, int32(len(buf)))
	ht.str = string(buf)
	ht.wordStarts, ht.wordEnds = ht.wordStarts[:0], ht.wordEnds[:0]
	in := false
	for i, r := range ht.cps {
		w := isHashedWordRune(r)
		if w && !in {
			ht.wordStarts = append(ht.wordStarts, int32(i))
		} else if !w && in {
			ht.wordEnds = append(ht.wordEnds, int32(i))
		}
		in = w
	}
	if in {
		ht.wordEnds = append(ht.wordEnds, int32(len(ht.cps)))
	}
	return buf
}

func (p *hashedPipeline) encode(text string, b *tokBuf) {
	ht := b.hashed
	if ht == nil {
		ht = new(hashedText)
		b.hashed = ht
	}
	b.scratch = normalizeHashed(text, ht, b.scratch)
	n := len(ht.cps)
	if n == 0 {
		return
	}
	word := 0 // next word whose start is at or after i
	for i := 0; i < n; i++ {
		if p.hasChars {
			h := uint64(fnvOffset64)
			for k := 0; k < p.cmax && i+k < n; k++ {
				h = fnvStep(h, uint32(ht.cps[i+k]))
				if k+1 >= p.cmin {
					id := p.firstID + int(fmix64(fnvStep(h, uint32(hashCharTag+k+1)))%p.buckets)
					j := i + k + 1
					b.add(int32(id), ht.os[i], ht.oe[j-1], ht.str[ht.bpos[i]:ht.bpos[j]])
				}
			}
		}
		if p.hasWords && word < len(ht.wordStarts) && int(ht.wordStarts[word]) == i {
			h := uint64(fnvOffset64)
			for k := 0; k < p.wmax && word+k < len(ht.wordStarts); k++ {
				if k > 0 {
					h = fnvStep(h, hashWordTag)
				}
				for c := ht.wordStarts[word+k]; c < ht.wordEnds[word+k]; c++ {
					h = fnvStep(h, uint32(ht.cps[c]))
				}
				if k+1 >= p.wmin {
					id := p.firstID + int(fmix64(fnvStep(h, uint32(hashWordTag+k+1)))%p.buckets)
					e := ht.wordEnds[word+k]
					b.add(int32(id), ht.os[i], ht.oe[e-1], ht.str[ht.bpos[i]:ht.bpos[e]])
				}
			}
			word++
		}
	}
}
