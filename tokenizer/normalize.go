package tokenizer

import (
	"regexp"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normStr is text being normalized together with, for every byte, the span
// [s,e) of the original text it came from (the span of the original
// character, as Hugging Face's NormalizedString alignments).
type normStr struct {
	b    []byte
	s, e []int32
}

func (n *normStr) reset() {
	n.b = n.b[:0]
	n.s = n.s[:0]
	n.e = n.e[:0]
}

// setIdentity fills n with text, whose byte 0 is at offset base of the
// original.
func (n *normStr) setIdentity(text string, base int) {
	n.reset()
	n.b = append(n.b, text...)
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			n.s = append(n.s, int32(base+i))
			n.e = append(n.e, int32(base+i+1))
			i++
			continue
		}
		_, sz := utf8.DecodeRuneInString(text[i:])
		for k := 0; k < sz; k++ {
			n.s = append(n.s, int32(base+i))
			n.e = append(n.e, int32(base+i+sz))
		}
		i += sz
	}
}

func (n *normStr) appendByte(c byte, s, e int32) {
	n.b = append(n.b, c)
	n.s = append(n.s, s)
	n.e = append(n.e, e)
}

func (n *normStr) appendRune(r rune, s, e int32) {
	if r < utf8.RuneSelf {
		n.appendByte(byte(r), s, e)
		return
	}
	k := len(n.b)
	n.b = utf8.AppendRune(n.b, r)
	for ; k < len(n.b); k++ {
		n.s = append(n.s, s)
		n.e = append(n.e, e)
	}
}

func (n *normStr) appendString(p string, s, e int32) {
	n.b = append(n.b, p...)
	for range len(p) {
		n.s = append(n.s, s)
		n.e = append(n.e, e)
	}
}

// appendReplacement appends repl as the replacement of the characters
// src[lo:hi], aligned as Hugging Face's NormalizedString.transform does:
// the k-th new character takes the alignment of the k-th old character, and
// new characters beyond the old count take the last old character's.
func (n *normStr) appendReplacement(src *normStr, lo, hi int, repl []byte) {
	old := lo
	last := lo - 1 // inserted with nothing replaced: previous character's alignment
	for k := 0; k < len(repl); {
		_, sz := utf8.DecodeRune(repl[k:])
		if old < hi {
			last = old
			_, osz := utf8.DecodeRune(src.b[old:hi])
			old += osz
		}
		var s, e int32
		if last >= 0 && last < len(src.b) {
			s, e = src.s[last], src.e[last]
		}
		for j := 0; j < sz; j++ {
			n.b = append(n.b, repl[k+j])
			n.s = append(n.s, s)
			n.e = append(n.e, e)
		}
		k += sz
	}
}

// copyRange appends src[lo:hi] with its alignments.
func (n *normStr) copyRange(src *normStr, lo, hi int) {
	n.b = append(n.b, src.b[lo:hi]...)
	n.s = append(n.s, src.s[lo:hi]...)
	n.e = append(n.e, src.e[lo:hi]...)
}

// normalizer rewrites src into dst (dst is reset by the caller).
type normalizer interface {
	normalize(dst, src *normStr, scratch *[]byte)
}

// bertNormalizer is Hugging Face's BertNormalizer.
type bertNormalizer struct {
	cleanText, chineseChars, stripAccents, lowercase bool
}

func isBertWhitespace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r':
		return true
	}
	return unicode.IsSpace(r)
}

// isOther reports the Unicode general category C (Cc, Cf, Cs, Co, Cn).
func isOther(r rune) bool {
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) {
		return true
	}
	return !isAssigned(r)
}

func isAssigned(r rune) bool {
	if r > unicode.MaxRune {
		return false
	}
	if unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Z, r) {
		return true
	}
	for _, t := range unicode.Categories {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

func isBertControl(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	}
	return isOther(r)
}

func isChineseChar(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) ||
		(r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) ||
		(r >= 0x2B920 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}

// lowerRune appends the full lowercase mapping of r (as Rust's
// char::to_lowercase) to dst.
func lowerRune(dst *normStr, r rune, s, e int32) {
	if r == 'İ' {
		dst.appendByte('i', s, e)
		dst.appendRune('\u0307', s, e)
		return
	}
	dst.appendRune(unicode.ToLower(r), s, e)
}

func (bn *bertNormalizer) normalize(dst, src *normStr, scratch *[]byte) {
	b := src.b
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			s, e := src.s[i], src.e[i]
			i++
			if bn.cleanText {
				if c == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
					continue
				}
				if c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c {
					c = ' '
				}
			}
			if bn.lowercase && c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst.appendByte(c, s, e)
			continue
		}
		r, sz := utf8.DecodeRune(b[i:])
		s, e := src.s[i], src.e[i]
		i += sz
		if bn.cleanText {
			if r == 0xFFFD || isBertControl(r) {
				continue
			}
			if isBertWhitespace(r) {
				dst.appendByte(' ', s, e)
				continue
			}
		}
		if bn.chineseChars && isChineseChar(r) {
			dst.appendByte(' ', s, e)
			dst.appendRune(r, s, e)
			dst.appendByte(' ', s, e)
			continue
		}
		if bn.stripAccents {
			buf := (*scratch)[:0]
			buf = norm.NFD.Append(buf, b[i-sz:i]...)
			*scratch = buf
			for k := 0; k < len(buf); {
				r2, sz2 := utf8.DecodeRune(buf[k:])
				k += sz2
				if unicode.Is(unicode.Mn, r2) {
					continue
				}
				if bn.lowercase {
					lowerRune(dst, r2, s, e)
				} else {
					dst.appendRune(r2, s, e)
				}
			}
			continue
		}
		if bn.lowercase {
			lowerRune(dst, r, s, e)
		} else {
			dst.appendRune(r, s, e)
		}
	}
}

// lowercaseNormalizer is Hugging Face's Lowercase.
type lowercaseNormalizer struct{}

func (lowercaseNormalizer) normalize(dst, src *normStr, _ *[]byte) {
	forEachRune(src, func(r rune, s, e int32) { lowerRune(dst, r, s, e) })
}

func forEachRune(src *normStr, f func(r rune, s, e int32)) {
	for i := 0; i < len(src.b); {
		r, sz := utf8.DecodeRune(src.b[i:])
		f(r, src.s[i], src.e[i])
		i += sz
	}
}

// stripAccentsNormalizer removes combining marks (Mn, Mc, Me).
type stripAccentsNormalizer struct{}

func (stripAccentsNormalizer) normalize(dst, src *normStr, _ *[]byte) {
	forEachRune(src, func(r rune, s, e int32) {
		if !unicode.Is(unicode.M, r) { // Hugging Face: is_combining_mark (Mn, Mc, Me)
			dst.appendRune(r, s, e)
		}
	})
}

// unicodeNormalizer applies NFC/NFD/NFKC/NFKD. Each normalization segment
// (a starter and its combining marks) is transformed as a whole; every output
// character is aligned to the whole segment's original span.
type unicodeNormalizer struct{ form norm.Form }

func (un unicodeNormalizer) normalize(dst, src *normStr, scratch *[]byte) {
	b := src.b
	for pos := 0; pos < len(b); {
		n := un.form.NextBoundary(b[pos:], true)
		if n <= 0 {
			n = len(b) - pos
		}
		out := un.form.Append((*scratch)[:0], b[pos:pos+n]...)
		*scratch = out
		dst.appendReplacement(src, pos, pos+n, out)
		pos += n
	}
}

// replaceNormalizer replaces every occurrence of a literal string.
type replaceNormalizer struct {
	pattern, content string
}

func (rn replaceNormalizer) normalize(dst, src *normStr, _ *[]byte) {
	p := rn.pattern
	if p == "" {
		dst.copyRange(src, 0, len(src.b))
		return
	}
	b := src.b
	for i := 0; i < len(b); {
		if len(b)-i >= len(p) && string(b[i:i+len(p)]) == p {
			// Hugging Face aligns every new character to the last replaced one.
			s, e := src.s[i+len(p)-1], src.e[i+len(p)-1]
			dst.appendString(rn.content, s, e)
			i += len(p)
			continue
		}
		dst.appendByte(b[i], src.s[i], src.e[i])
		i++
	}
}

// regexReplaceNormalizer replaces every match of a regular expression (Go
// RE2 syntax, which covers the patterns Hugging Face converters emit such as
// " {2,}").
type regexReplaceNormalizer struct {
	re      *regexp.Regexp
	content string
}

func (rn regexReplaceNormalizer) normalize(dst, src *normStr, _ *[]byte) {
	pos := 0
	for _, m := range rn.re.FindAllIndex(src.b, -1) {
		if m[1] == m[0] {
			continue
		}
		dst.copyRange(src, pos, m[0])
		// Hugging Face aligns every new character to the last replaced one.
		s, e := src.s[m[1]-1], src.e[m[1]-1]
		dst.appendString(rn.content, s, e)
		pos = m[1]
	}
	dst.copyRange(src, pos, len(src.b))
}

// prependNormalizer prepends a string to non-empty input.
type prependNormalizer struct{ prefix string }

func (pn prependNormalizer) normalize(dst, src *normStr, _ *[]byte) {
	if len(src.b) == 0 {
		return
	}
	dst.appendString(pn.prefix, src.s[0], src.e[0])
	dst.copyRange(src, 0, len(src.b))
}

// stripNormalizer trims whitespace on the left and/or right.
type stripNormalizer struct{ left, right bool }

func (sn stripNormalizer) normalize(dst, src *normStr, _ *[]byte) {
	lo, hi := 0, len(src.b)
	if sn.left {
		for lo < hi {
			r, sz := utf8.DecodeRune(src.b[lo:hi])
			if !unicode.IsSpace(r) {
				break
			}
			lo += sz
		}
	}
	if sn.right {
		for hi > lo {
			r, sz := utf8.DecodeLastRune(src.b[lo:hi])
			if !unicode.IsSpace(r) {
				break
			}
			hi -= sz
		}
	}
	dst.copyRange(src, lo, hi)
}

// seqNormalizer applies normalizers in order.
type seqNormalizer []normalizer

func (sq seqNormalizer) normalize(dst, src *normStr, scratch *[]byte) {
	cur := src
	for _, n := range sq {
		next := new(normStr)
		n.normalize(next, cur, scratch)
		cur = next
	}
	dst.copyRange(cur, 0, len(cur.b))
}
