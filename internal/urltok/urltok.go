// Package urltok splits a text into the white-space-separated tokens that
// may hold a URL. URLs contain no ASCII white space, so the scanners that
// look for URLs (url_reachability, malicious_urls) can run their
// expressions on the few tokens that look like links instead of on the
// whole text, which keeps long texts without links cheap.
package urltok

// Each calls fn with each maximal run of non-white-space bytes of text and
// the offset at which it starts, in order.
func Each(text string, fn func(start int, tok string)) {
	for i := 0; i < len(text); {
		for i < len(text) && IsSpace(text[i]) {
			i++
		}
		j := i
		for j < len(text) && !IsSpace(text[j]) {
			j++
		}
		if j > i {
			fn(i, text[i:j])
		}
		i = j
	}
}

// IsSpace reports ASCII white space; Unicode spaces are left to the URL
// expressions.
func IsSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}
