package gibberish

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode"
	"unicode/utf8"
)

// model is the trained character model and classifier (training/gibberish).
type model struct {
	t3Bits, t2Bits, w1Bits uint32
	nfeat, hidden          int
	mean, scale            []float32
	w1                     []float32 // hidden x nfeat, row-major
	b1, w2                 []float32
	b2                     float32
	t3, t2, words          []byte
}

const nfeat = 9

// parseModel reads model.bin: "GBR1", five little-endian uint32 (trigram,
// bigram and word-set bits, feature count, hidden units), float32
// standardisation and MLP weights, then the tables.
func parseModel(b []byte) (*model, error) {
	if len(b) < 24 || string(b[:4]) != "GBR1" {
		return nil, errors.New("not a gibberish model (bad magic)")
	}
	u := func(i int) uint32 { return binary.LittleEndian.Uint32(b[4+4*i:]) }
	m := &model{t3Bits: u(0), t2Bits: u(1), w1Bits: u(2), nfeat: int(u(3)), hidden: int(u(4))}
	if m.nfeat != nfeat || m.hidden <= 0 || m.hidden > 1024 || m.t3Bits > 24 || m.t2Bits > 24 || m.w1Bits > 28 || m.w1Bits < 3 {
		return nil, fmt.Errorf("unsupported model shape %+v", *m)
	}
	off := 24
	floats := func(n int) ([]float32, error) {
		if off+4*n > len(b) {
			return nil, errors.New("truncated model")
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[off+4*i:]))
		}
		off += 4 * n
		return out, nil
	}
	var err error
	parts := []struct {
		dst *[]float32
		n   int
	}{{&m.mean, m.nfeat}, {&m.scale, m.nfeat}, {&m.w1, m.hidden * m.nfeat}, {&m.b1, m.hidden}, {&m.w2, m.hidden}}
	for _, p := range parts {
		if *p.dst, err = floats(p.n); err != nil {
			return nil, err
		}
	}
	b2, err := floats(1)
	if err != nil {
		return nil, err
	}
	m.b2 = b2[0]
	n3, n2, nw := 1<<m.t3Bits, 1<<m.t2Bits, 1<<m.w1Bits/8
	if len(b) != off+n3+n2+nw {
		return nil, fmt.Errorf("model size %d, want %d", len(b), off+n3+n2+nw)
	}
	m.t3, m.t2, m.words = b[off:off+n3], b[off+n3:off+n3+n2], b[off+n3+n2:]
	return m, nil
}

// sym maps a rune to its symbol: letters and marks lower-cased, decimal
// digits to '0', anything else to ' '.
func sym(r rune) rune {
	switch {
	case unicode.IsLetter(r) || unicode.IsMark(r):
		return unicode.ToLower(r)
	case unicode.IsDigit(r):
		return '0'
	}
	return ' '
}

// noSpace reports whether r belongs to a script written without spaces
// between words; such words are left out of the word features.
func noSpace(r rune) bool {
	return r == 0x30FC || unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai,
		unicode.Lao, unicode.Khmer, unicode.Myanmar, unicode.Tibetan)
}

const (
	fnvOffset = 0x811C9DC5
	fnvPrime  = 0x01000193
)

func fnvRune(h uint32, r rune) uint32 {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, c := range buf[:n] {
		h ^= uint32(c)
		h *= fnvPrime
	}
	return h
}

// featurizer accumulates the features of one text, symbol by symbol.
type featurizer struct {
	m                   *model
	prev2, prev1        rune
	nsyms               int
	s3, unseen, n3      int
	s2, n2              int
	wordHash            uint32
	wordLen             int
	wordFirst           rune
	words, known, longw int
	hashes              []uint32
	run, best           int
	letters, nonspace   int
}

func (f *featurizer) reset(m *model) {
	*f = featurizer{m: m, hashes: f.hashes[:0], run: 1, best: 1}
	f.push(' ')
}

func (f *featurizer) endWord() {
	if f.wordLen == 0 {
		return
	}
	if !noSpace(f.wordFirst) {
		f.words++
		h := f.wordHash & (1<<f.m.w1Bits - 1)
		f.known += int(f.m.words[h>>3]>>(h&7)) & 1
		if f.wordLen > 20 {
			f.longw++
		}
		f.hashes = append(f.hashes, f.wordHash)
	}
	f.wordLen, f.wordHash = 0, fnvOffset
}

// push appends one symbol (runs of ' ' are collapsed by the caller).
func (f *featurizer) push(s rune) {
	if f.nsyms >= 1 {
		h := fnvRune(fnvRune(fnvOffset, f.prev1), s) & (1<<f.m.t2Bits - 1)
		f.s2 += int(f.m.t2[h])
		f.n2++
		if s == f.prev1 && s != ' ' {
			f.run++
			f.best = max(f.best, f.run)
		} else {
			f.run = 1
		}
	}
	if f.nsyms >= 2 {
		h := fnvRune(fnvRune(fnvRune(fnvOffset, f.prev2), f.prev1), s) & (1<<f.m.t3Bits - 1)
		q := int(f.m.t3[h])
		f.s3 += q
		f.n3++
		if q == 0 {
			f.unseen++
		}
	}
	if s == ' ' {
		f.endWord()
	} else {
		if f.wordLen == 0 {
			f.wordFirst, f.wordHash = s, fnvOffset
		}
		f.wordHash = fnvRune(f.wordHash, s)
		f.wordLen++
	}
	f.prev2, f.prev1 = f.prev1, s
	f.nsyms++
}

// add feeds a piece of raw text.
func (f *featurizer) add(text string) {
	for _, r := range text {
		if !unicode.IsSpace(r) {
			f.nonspace++
		}
		s := sym(r)
		if s != ' ' && s != '0' {
			f.letters++
		}
		if s == ' ' && f.prev1 == ' ' {
			continue
		}
		f.push(s)
	}
}

// features finishes the text and returns its feature vector (the same as
// training/gibberish/features.py computes).
func (f *featurizer) features() [nfeat]float64 {
	if f.prev1 != ' ' {
		f.push(' ')
	}
	n3, n2 := max(f.n3, 1), max(f.n2, 1)
	known := 1.0
	repeat, longw := 0.0, 0.0
	if f.words > 0 {
		known = float64(f.known) / float64(f.words)
		longw = float64(f.longw) / float64(f.words)
	}
	if f.words >= 2 {
		slices.Sort(f.hashes)
		distinct := len(slices.Compact(f.hashes))
		repeat = 1 - float64(distinct)/float64(f.words)
	}
	letterRatio := 0.0
	if f.nonspace > 0 {
		letterRatio = float64(f.letters) / float64(f.nonspace)
	}
	return [nfeat]float64{
		float64(f.s3) / float64(n3) / 255, float64(f.unseen) / float64(n3), float64(f.s2) / float64(n2) / 255,
		known, repeat, letterRatio, math.Log1p(float64(f.nsyms)) / 8, longw, float64(min(f.best, 10)) / 10,
	}
}

// prob is the classifier's probability that features come from gibberish.
func (m *model) prob(x [nfeat]float64) float64 {
	var z [nfeat]float64
	for i := range x {
		z[i] = (x[i] - float64(m.mean[i])) / float64(m.scale[i])
	}
	out := float64(m.b2)
	for j := range m.hidden {
		a := float64(m.b1[j])
		row := m.w1[j*m.nfeat : (j+1)*m.nfeat]
		for i, w := range row {
			a += float64(w) * z[i]
		}
		out += float64(m.w2[j]) * math.Tanh(a)
	}
	return 1 / (1 + math.Exp(-out))
}
