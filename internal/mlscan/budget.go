package mlscan

import (
	"time"
	"unicode"
	"unicode/utf8"
)

// WindowBytes is the unit of the model budget (ml.max_windows): one window
// is 2 KiB of text, about what one 512-token window of a WordPiece model
// covers in English prose. The budget is decided from the text's length
// alone, before any tokenizing, so that the work and the timeout of a call
// are known up front.
const WindowBytes = 2048

// DefaultPerWindowTimeout is the default resilience.per_window_timeout: the
// time a call is granted for each window beyond the first.
const DefaultPerWindowTimeout = 100 * time.Millisecond

// span is a byte range [start, end) of the text.
type span struct{ start, end int }

// budget is the part of a text the model sees.
type budget struct {
	spans   []span
	windows int  // windows the spans count for
	partial bool // the spans do not cover the whole text
}

// plan decides which parts of text the model sees: all of it when it fits
// in max windows, else max windows of WindowBytes: the head, the tail and
// evenly spaced windows between, cut at word (else rune) boundaries.
func plan(text string, max int) budget {
	n := len(text)
	if n <= max*WindowBytes {
		return budget{spans: []span{{0, n}}, windows: max1((n + WindowBytes - 1) / WindowBytes)}
	}
	b := budget{windows: max, partial: true}
	if max == 1 {
		b.spans = []span{{0, cutEnd(text, 0, WindowBytes)}}
		return b
	}
	for i := range max {
		s := i * (n - WindowBytes) / (max - 1)
		e := s + WindowBytes
		if i > 0 {
			s = cutStart(text, s)
		}
		if i < max-1 {
			e = cutEnd(text, s, e)
		} else {
			e = n
		}
		if e > s {
			b.spans = append(b.spans, span{s, e})
		}
	}
	return b
}

func max1(n int) int { return max(n, 1) }

// slack is how far a cut moves to land on a space instead of a word.
const slack = 64

// cutStart moves s forward to a rune start, and to just past a space when
// one is within slack bytes.
func cutStart(text string, s int) int {
	for s < len(text) && !utf8.RuneStart(text[s]) {
		s++
	}
	for i := s; i < len(text) && i < s+slack; {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if unicode.IsSpace(r) {
			return i
		}
	}
	return s
}

// cutEnd moves e back to a rune start, and to a space when one is within
// slack bytes, never to or before s.
func cutEnd(text string, s, e int) int {
	e = min(e, len(text))
	for e > s && e < len(text) && !utf8.RuneStart(text[e]) {
		e--
	}
	for i := e; i > s && i > e-slack; {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if unicode.IsSpace(r) {
			if i-size > s {
				return i - size
			}
			break
		}
		i -= size
	}
	return e
}

// timeout is the per-attempt budget of a call that submits windows
// windows: the base call timeout plus per for each window beyond the first.
func (c ResilienceConfig) timeout(windows int) time.Duration {
	base := c.CallTimeout
	if base <= 0 {
		return 0 // the guard's default
	}
	per := c.PerWindowTimeout
	if per == 0 {
		per = DefaultPerWindowTimeout
	}
	return base + time.Duration(windows-1)*per
}
