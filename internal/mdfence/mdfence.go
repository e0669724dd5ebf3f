// Package mdfence finds Markdown fenced code blocks (``` or ~~~ fences, as
// CommonMark has them: up to three spaces of indent, at least three fence
// characters, closed by a line of at least as many of the same character
// and nothing else; an unclosed block runs to the end of the text). It is
// shared by the code detector and the JSON scanner.
package mdfence

import "strings"

// Opening reports whether the line that starts at i is an opening fence:
// marker is the run of fence characters ("" when the line is not a fence),
// info the rest of the line trimmed (the language tag and more), and
// lineEnd the index of the line's newline (len(text) on the last line).
func Opening(text string, i int) (marker, info string, lineEnd int) {
	lineEnd = strings.IndexByte(text[i:], '\n')
	if lineEnd < 0 {
		lineEnd = len(text)
	} else {
		lineEnd += i
	}
	line := strings.TrimLeft(text[i:lineEnd], " ")
	if len(text[i:lineEnd])-len(line) > 3 || len(line) < 3 || line[0] != '`' && line[0] != '~' {
		return "", "", lineEnd
	}
	n := 0
	for n < len(line) && line[n] == line[0] {
		n++
	}
	if n < 3 {
		return "", "", lineEnd
	}
	return line[:n], strings.TrimSpace(line[n:]), lineEnd
}

// Close finds the end of the block that marker opened, whose body starts
// at body: end is where the body ends (the start of the closing fence's
// line) and next where the text continues after the closing fence. Both
// are len(text) when the block is never closed.
func Close(text string, body int, marker string) (end, next int) {
	for k := body; k < len(text); {
		m, rest, le := Opening(text, k)
		if m != "" && m[0] == marker[0] && len(m) >= len(marker) && rest == "" {
			return k, min(le+1, len(text))
		}
		k = le + 1
	}
	return len(text), len(text)
}
