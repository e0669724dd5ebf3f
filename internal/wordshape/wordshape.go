// Package wordshape undoes letter stretching ("sooooo", "stuuupid") so
// that the lexicon scanners (sentiment, toxicity) find a stretched word
// under its dictionary spelling. It works on normalised, lower-case ASCII
// words; other bytes are kept as they are.
package wordshape

// Stretched reports whether w repeats one ASCII letter (a-z) three or more
// times in a row.
func Stretched(w string) bool {
	for i := 2; i < len(w); i++ {
		if w[i] == w[i-1] && w[i] == w[i-2] && w[i] >= 'a' && w[i] <= 'z' {
			return true
		}
	}
	return false
}

// Squeeze shortens every run of one byte in w to at most n bytes
// ("sooooo" becomes "so" for n 1 and "soo" for n 2).
func Squeeze(w string, n int) string {
	b := make([]byte, 0, len(w))
	run := 0
	for i := 0; i < len(w); i++ {
		if i > 0 && w[i] == w[i-1] {
			run++
		} else {
			run = 1
		}
		if run <= n {
			b = append(b, w[i])
		}
	}
	return string(b)
}
