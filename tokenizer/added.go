package tokenizer

import (
	"sort"
	"unicode"
	"unicode/utf8"
)

// addedToken is a Hugging Face added token (special or not).
type addedToken struct {
	content                string
	id                     int32
	lstrip, rstrip         bool
	singleWord, normalized bool
	special                bool
}

// addedMatcher finds added tokens in text: leftmost match first, longest
// token at that position.
type addedMatcher struct {
	toks  []addedToken // sorted by length, longest first
	first [256]bool
}

func newAddedMatcher(toks []addedToken) *addedMatcher {
	var m addedMatcher
	for _, t := range toks {
		if t.content == "" {
			continue
		}
		m.toks = append(m.toks, t)
		m.first[t.content[0]] = true
	}
	if len(m.toks) == 0 {
		return nil
	}
	sort.SliceStable(m.toks, func(i, j int) bool { return len(m.toks[i].content) > len(m.toks[j].content) })
	return &m
}

func isWordChar(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// find returns the next match in s at or after from: the span [start,end)
// the match consumes (widened over whitespace by lstrip/rstrip), the token's
// own span [cs,ce) (its offsets, as Hugging Face reports them) and the token.
// ok is false when none is left.
func (m *addedMatcher) find(s []byte, from int) (start, end, cs, ce int, tok *addedToken, ok bool) {
	for i := from; i < len(s); i++ {
		if !m.first[s[i]] {
			continue
		}
		for k := range m.toks {
			t := &m.toks[k]
			c := t.content
			if len(s)-i < len(c) || string(s[i:i+len(c)]) != c {
				continue
			}
			st, en := i, i+len(c)
			if t.singleWord {
				if st > 0 {
					r, _ := utf8.DecodeLastRune(s[:st])
					if isWordChar(r) {
						continue
					}
				}
				if en < len(s) {
					r, _ := utf8.DecodeRune(s[en:])
					if isWordChar(r) {
						continue
					}
				}
			}
			if t.lstrip {
				for st > from {
					r, sz := utf8.DecodeLastRune(s[:st])
					if !unicode.IsSpace(r) {
						break
					}
					st -= sz
				}
			}
			if t.rstrip {
				for en < len(s) {
					r, sz := utf8.DecodeRune(s[en:])
					if !unicode.IsSpace(r) {
						break
					}
					en += sz
				}
			}
			return st, en, i, i + len(c), t, true
		}
	}
	return 0, 0, 0, 0, nil, false
}
