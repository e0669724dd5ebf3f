package tokenizer

import (
	"regexp"
	"unicode"
	"unicode/utf8"
)

// rng is a byte range [lo,hi) of a normStr.
type rng struct{ lo, hi int }

// preTokenizer splits each input range of ns into smaller ranges.
type preTokenizer interface {
	split(ns *normStr, in []rng, out []rng) []rng
}

func isBertPunct(r rune) bool {
	if r < utf8.RuneSelf {
		return (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126)
	}
	return unicode.IsPunct(r)
}

// Rune classes of splitRunes beside the piece classes (>= 0).
const (
	dropRune    = -1 // a separator: ends the piece and is left out
	isolateRune = -2 // a piece of its own
)

// splitRunes splits each range of ns by the class of each rune: a run of
// runes of one class >= 0 is one piece, a dropRune ends the piece and is left
// out, an isolateRune is a piece of its own.
func splitRunes(ns *normStr, in, out []rng, class func(rune) int) []rng {
	b := ns.b
	for _, r0 := range in {
		start, cur := -1, 0
		for i := r0.lo; i < r0.hi; {
			r, sz := rune(b[i]), 1
			if r >= utf8.RuneSelf {
				r, sz = utf8.DecodeRune(b[i:r0.hi])
			}
			c := class(r)
			if start >= 0 && c != cur {
				out = append(out, rng{start, i})
				start = -1
			}
			switch c {
			case dropRune:
			case isolateRune:
				out = append(out, rng{i, i + sz})
			default:
				if start < 0 {
					start, cur = i, c
				}
			}
			i += sz
		}
		if start >= 0 {
			out = append(out, rng{start, r0.hi})
		}
	}
	return out
}

// bertPreTokenizer splits on whitespace (dropped) and isolates punctuation.
type bertPreTokenizer struct{}

func (bertPreTokenizer) split(ns *normStr, in []rng, out []rng) []rng {
	return splitRunes(ns, in, out, func(r rune) int {
		switch {
		case isBertWhitespace(r):
			return dropRune
		case isBertPunct(r):
			return isolateRune
		}
		return 0
	})
}

// whitespaceSplit splits on whitespace (dropped).
type whitespaceSplit struct{}

func (whitespaceSplit) split(ns *normStr, in []rng, out []rng) []rng {
	return splitRunes(ns, in, out, func(r rune) int {
		if unicode.IsSpace(r) {
			return dropRune
		}
		return 0
	})
}

// whitespacePre is the `\w+|[^\w\s]+` pre-tokenizer ("Whitespace").
type whitespacePre struct{}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r)
}

func (whitespacePre) split(ns *normStr, in []rng, out []rng) []rng {
	return splitRunes(ns, in, out, func(r rune) int {
		switch {
		case unicode.IsSpace(r):
			return dropRune
		case isWordRune(r):
			return 1
		}
		return 2
	})
}

// punctuationPre isolates every punctuation character.
type punctuationPre struct{}

func (punctuationPre) split(ns *normStr, in []rng, out []rng) []rng {
	return splitRunes(ns, in, out, func(r rune) int {
		if isBertPunct(r) {
			return isolateRune
		}
		return 0
	})
}

// digitsPre isolates digits, each one alone or as runs.
type digitsPre struct{ individual bool }

func (d digitsPre) split(ns *normStr, in []rng, out []rng) []rng {
	return splitRunes(ns, in, out, func(r rune) int {
		switch {
		case !unicode.IsDigit(r) && !unicode.Is(unicode.N, r):
			return 0
		case d.individual:
			return isolateRune
		}
		return 1
	})
}

// metaspaceSplit splits before every "▁" (the marker stays with the
// following piece), as Metaspace with split=true.
type metaspaceSplit struct{ repl string }

func (m metaspaceSplit) split(ns *normStr, in []rng, out []rng) []rng {
	b := ns.b
	rp := m.repl
	for _, r0 := range in {
		start := r0.lo
		for i := r0.lo; i < r0.hi; {
			if i+len(rp) <= r0.hi && string(b[i:i+len(rp)]) == rp {
				if i > start {
					out = append(out, rng{start, i})
					start = i
				}
				i += len(rp)
				continue
			}
			i++
		}
		if start < r0.hi {
			out = append(out, rng{start, r0.hi})
		}
	}
	return out
}

// byteLevelPre is the ByteLevel pre-tokenizer's split. With useRegex it
// reproduces the GPT-2 pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// The byte-to-unicode mapping itself is folded into the BPE model, which works
// on raw bytes.
type byteLevelPre struct{ useRegex bool }

const (
	clsSpace = iota
	clsLetter
	clsNumber
	clsOther
)

func runeClass(r rune) int {
	if r < utf8.RuneSelf {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			return clsLetter
		case r >= '0' && r <= '9':
			return clsNumber
		case r == ' ', r == '\t', r == '\n', r == '\v', r == '\f', r == '\r':
			return clsSpace
		}
		return clsOther
	}
	switch {
	case unicode.IsLetter(r):
		return clsLetter
	case unicode.IsNumber(r):
		return clsNumber
	case unicode.IsSpace(r):
		return clsSpace
	}
	return clsOther
}

func decodeClass(b []byte, i int) (int, int) {
	c := b[i]
	if c < utf8.RuneSelf {
		return runeClass(rune(c)), 1
	}
	r, sz := utf8.DecodeRune(b[i:])
	return runeClass(r), sz
}

func contractionLen(b []byte) int {
	if len(b) < 2 || b[0] != '\'' {
		return 0
	}
	switch b[1] {
	case 's', 't', 'm', 'd':
		return 2
	case 'r':
		if len(b) >= 3 && b[2] == 'e' {
			return 3
		}
	case 'v':
		if len(b) >= 3 && b[2] == 'e' {
			return 3
		}
	case 'l':
		if len(b) >= 3 && b[2] == 'l' {
			return 3
		}
	}
	return 0
}

func (p byteLevelPre) split(ns *normStr, in []rng, out []rng) []rng {
	if !p.useRegex {
		return append(out, in...)
	}
	for _, r0 := range in {
		b := ns.b[:r0.hi]
		i := r0.lo
		for i < r0.hi {
			if n := contractionLen(b[i:]); n > 0 {
				out = append(out, rng{i, i + n})
				i += n
				continue
			}
			cls, sz := decodeClass(b, i)
			start := i
			if b[i] == ' ' && i+1 < r0.hi {
				ncls, _ := decodeClass(b, i+1)
				if ncls != clsSpace {
					cls = ncls
					i++
					_, sz = decodeClass(b, i)
				}
			}
			if cls != clsSpace {
				i += sz
				for i < r0.hi {
					c2, s2 := decodeClass(b, i)
					if c2 != cls {
						break
					}
					i += s2
				}
				out = append(out, rng{start, i})
				continue
			}
			// whitespace run: \s+(?!\S) then \s+
			j := i + sz
			last := i
			for j < r0.hi {
				c2, s2 := decodeClass(b, j)
				if c2 != clsSpace {
					break
				}
				last = j
				j += s2
			}
			if j == r0.hi || last == i {
				out = append(out, rng{i, j})
				i = j
			} else {
				out = append(out, rng{i, last})
				i = last
			}
		}
	}
	return out
}

// seqPre applies pre-tokenizers in order.
type seqPre []preTokenizer

func (sq seqPre) split(ns *normStr, in []rng, out []rng) []rng {
	cur := append([]rng(nil), in...)
	for _, p := range sq {
		cur = p.split(ns, cur, nil)
	}
	return append(out, cur...)
}

// splitPre is Hugging Face's Split pre-tokenizer (Go RE2 patterns).
type splitPre struct {
	re       *regexp.Regexp
	behavior string
	invert   bool
}

func (sp splitPre) split(ns *normStr, in []rng, out []rng) []rng {
	type piece struct {
		r     rng
		match bool
	}
	var pieces []piece
	for _, r0 := range in {
		pieces = pieces[:0]
		pos := r0.lo
		for _, m := range sp.re.FindAllIndex(ns.b[r0.lo:r0.hi], -1) {
			lo, hi := r0.lo+m[0], r0.lo+m[1]
			if lo == hi {
				continue
			}
			if lo > pos {
				pieces = append(pieces, piece{rng{pos, lo}, false})
			}
			pieces = append(pieces, piece{rng{lo, hi}, true})
			pos = hi
		}
		if pos < r0.hi {
			pieces = append(pieces, piece{rng{pos, r0.hi}, false})
		}
		if sp.invert {
			for i := range pieces {
				pieces[i].match = !pieces[i].match
			}
		}
		switch sp.behavior {
		case "Removed":
			for _, p := range pieces {
				if !p.match {
					out = append(out, p.r)
				}
			}
		case "Isolated":
			for _, p := range pieces {
				out = append(out, p.r)
			}
		case "MergedWithPrevious":
			start := -1
			for _, p := range pieces {
				if start < 0 {
					start = p.r.lo
				}
				if p.match {
					out = append(out, rng{start, p.r.hi})
					start = -1
				}
			}
			if start >= 0 {
				out = append(out, rng{start, r0.hi})
			}
		case "MergedWithNext":
			start := -1
			for _, p := range pieces {
				if p.match && start >= 0 {
					out = append(out, rng{start, p.r.lo})
					start = -1
				}
				if start < 0 {
					start = p.r.lo
				}
			}
			if start >= 0 {
				out = append(out, rng{start, r0.hi})
			}
		case "Contiguous":
			for i := 0; i < len(pieces); {
				j := i + 1
				for j < len(pieces) && pieces[j].match && pieces[i].match {
					j++
				}
				out = append(out, rng{pieces[i].r.lo, pieces[j-1].r.hi})
				i = j
			}
		}
	}
	return out
}
