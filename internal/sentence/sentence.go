// Package sentence splits text into sentences for the scanners whose
// match_type may be "sentence" (gibberish, language, code). The split is
// deliberately simple and language-neutral: after . ! ? (and the
// full-width 。！？) when white space or the end follows (full-width marks
// end a sentence anywhere), and after each line break. The spans cover the
// whole text, in order, without gaps.
package sentence

import "strings"

// Spans returns the byte spans [start, end) of the sentences of text.
func Spans(text string) [][2]int {
	var out [][2]int
	start := 0
	for i, r := range text {
		end := -1
		switch r {
		case '\n':
			end = i + 1
		case '.', '!', '?', '。', '！', '？':
			j := i + len(string(r))
			if j == len(text) || r >= 0x3000 || strings.IndexByte(" \t\r\n", text[j]) >= 0 {
				end = j
			}
		}
		if end > start {
			out = append(out, [2]int{start, end})
			start = end
		}
	}
	if start < len(text) {
		out = append(out, [2]int{start, len(text)})
	}
	return out
}
