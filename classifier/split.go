package classifier

import (
	"unicode"
	"unicode/utf8"
)

// sentences returns the byte spans of the sentences of text: runs ending
// at '.', '!', '?', '。', '！', '？' followed by white space, or at a line
// break. Spans are trimmed of surrounding white space; empty ones dropped.
func sentences(text string) [][2]int {
	var out [][2]int
	start := 0
	flush := func(end int) {
		s, e := start, end
		for s < e {
			r, n := utf8.DecodeRuneInString(text[s:])
			if !unicode.IsSpace(r) {
				break
			}
			s += n
		}
		for e > s {
			r, n := utf8.DecodeLastRuneInString(text[:e])
			if !unicode.IsSpace(r) {
				break
			}
			e -= n
		}
		if e > s {
			out = append(out, [2]int{s, e})
		}
	}
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		next := i + n
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			flush(i)
			start = next
		case r == '.' || r == '!' || r == '?' || r == '。' || r == '！' || r == '？':
			if next >= len(text) {
				break
			}
			if nr, _ := utf8.DecodeRuneInString(text[next:]); unicode.IsSpace(nr) || r >= 0x3000 {
				flush(next)
				start = next
			}
		}
		i = next
	}
	flush(len(text))
	return out
}

// chunks returns spans of size runes overlapping by overlap runes.
func chunks(text string, size, overlap int) [][2]int {
	if text == "" {
		return nil
	}
	var starts []int // byte offset of every rune, plus len(text)
	for i := range text {
		starts = append(starts, i)
	}
	starts = append(starts, len(text))
	runes := len(starts) - 1
	step := max(1, size-overlap)
	var out [][2]int
	for r := 0; r < runes; r += step {
		end := min(r+size, runes)
		out = append(out, [2]int{starts[r], starts[end]})
		if end == runes {
			break
		}
	}
	return out
}
