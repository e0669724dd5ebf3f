package normalize

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// stage1Ref is stage1 as it was before the fast path (commit 8f83388),
// kept as the reference that TestStage1MatchesReference and
// FuzzStage1MatchesReference compare the fast path with. It also undoes leetspeak inside runs of ASCII letters and digits,
// and reports whether stage2 has work left (joining spaced or hyphenated
// letters, leetspeak with @ and $ or next to non-ASCII letters).
func stage1Ref(s string, bufs *buffers, st *Stats) (out []byte, off []int32, tags []byte, gaps []int, cands [][2]int, need bool, from int) {
	// from: the output index of the first stage-2 trigger or of the first
	// non-ASCII output byte, whichever comes first (see stage2From).
	from = -1
	mark := func(at int) {
		if from < 0 {
			from = at
		}
	}
	// Candidate encoded runs (see findEncoded) are collected here too, so
	// that decoding needs no extra pass over the text.
	runStart := -1
	closeRun := func(e int) {
		if l := e - runStart; l >= 9 || l == 2 && isHex(s[runStart]) && isHex(s[runStart+1]) {
			cands = append(cands, [2]int{runStart, e})
		}
		runStart = -1
	}
	out, off = bufs.out, bufs.off
	tags, gaps, cands = bufs.tags, bufs.gaps, bufs.cands
	var last byte // last emitted byte (0 at start)
	emitSpace := func(c byte, at int) {
		switch {
		case len(out) == 0:
			return // leading whitespace dropped
		case last == ' ' && c == '\n':
			out[len(out)-1] = '\n'
			last = '\n'
		case last == ' ' || last == '\n':
			// A collapsed run of 2+ whitespace: a word gap in spaced-out text.
			if n := len(gaps); n == 0 || gaps[n-1] != len(out)-1 {
				gaps = append(gaps, len(out)-1)
			}
		default:
			out = append(out, c)
			off = append(off, int32(at))
			last = c
		}
	}
	var dec [utf8.UTFMax * 18]byte
	for i := 0; i < len(s); {
		c := s[i]
		if lowerAlnum[c] != 0 {
			// Fast path: a run of ASCII letters and digits.
			if runStart < 0 {
				runStart = i
			}
			if n := len(out); n >= 2 && isJoiner(out[n-1]) && wordTab[out[n-2]] == wLetter {
				need = true // hyphen-split word
				mark(n)
			}
			kinds := 0
			j := i
			for j < len(s) && lowerAlnum[s[j]] != 0 {
				kinds |= 1 << wordTab[lowerAlnum[s[j]]]
				j++
			}
			o := len(out)
			out = append(out, s[i:j]...)
			for k := o; k < len(out); k++ {
				out[k] = lowerAlnum[out[k]]
			}
			if kinds&(1<<wLetter) != 0 && kinds&(1<<wDigit) != 0 {
				st.Leet++
				for k := o; k < len(out); k++ {
					if l := leetMap[out[k]]; l != 0 {
						out[k] = l
					}
				}
			}
			off = slices.Grow(off, j-i)
			for k := i; k < j; k++ {
				off = append(off, int32(k))
			}
			if n := len(out); j-i == 1 && kinds == 1<<wLetter && n >= 3 && isSep(out[n-2]) && wordTab[out[n-3]] == wLetter &&
				(n == 3 || wordTab[out[n-4]] == wNone) {
				need = true // single letters separated by single separators
				mark(n - 3)
			}
			last = out[len(out)-1]
			i = j
			// Fast path: one space between two alphanumeric runs.
			if j+1 < len(s) && s[j] == ' ' && lowerAlnum[s[j+1]] != 0 {
				if runStart >= 0 {
					closeRun(j)
				}
				out = append(out, ' ')
				off = append(off, int32(j))
				last = ' '
				i = j + 1
			}
			continue
		}
		if c < utf8.RuneSelf {
			if runTab[c] {
				if runStart < 0 {
					runStart = i
				}
			} else if runStart >= 0 {
				closeRun(i)
			}
			switch asciiTab[c] {
			case acKeep:
				// Only '@' and '$' get here (letters and digits take the
				// fast path): possible leetspeak.
				need = true
				mark(len(out))
				out = append(out, c)
				off = append(off, int32(i))
				last = c
			case acUpper:
				c += 'a' - 'A'
				out = append(out, c)
				off = append(off, int32(i))
				last = c
			case acSpace:
				emitSpace(' ', i)
			case acLine:
				emitSpace('\n', i)
			case acDrop:
				st.Invisible++
				mark(len(out)) // a dropped byte may join two words into one
			case acPunct:
				if last != c {
					out = append(out, c)
					off = append(off, int32(i))
					last = c
				}
			}
			i++
			continue
		}
		if runStart >= 0 {
			closeRun(i)
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		at := int32(i)
		i += size
		if r == utf8.RuneError && size == 1 {
			mark(len(out))
			out = append(out, "\uFFFD"...)
			off = append(off, at, at, at)
			last = 0
			continue
		}
		if r >= 0xE0000 && r <= 0xE007F {
			st.Invisible++
			mark(len(out))
			if r >= 0xE0020 && r <= 0xE007E {
				tags = append(tags, byte(r-0xE0000))
			}
			continue
		}
		if isInvisible(r) {
			st.Invisible++
			mark(len(out))
			continue
		}
		if unicode.IsSpace(r) {
			emitSpace(' ', int(at))
			if r == 0x2028 || r == 0x2029 || r == 0x85 {
				emitSpace('\n', int(at))
			}
			continue
		}
		if l, ok := confusable(r); ok {
			st.Confusables++
			need = true
			mark(len(out))
			out = append(out, l)
			off = append(off, at)
			last = l
			continue
		}
		// NFKD decomposition, without allocating.
		p := norm.NFKD.PropertiesString(s[int(at):i])
		d := p.Decomposition()
		if d == nil {
			d = utf8.AppendRune(dec[:0], r)
		}
		for len(d) > 0 {
			r2, n2 := utf8.DecodeRune(d)
			d = d[n2:]
			if unicode.Is(unicode.Mn, r2) || isInvisible(r2) {
				continue
			}
			if r2 < utf8.RuneSelf {
				need = true
				mark(len(out))
				b := byte(r2)
				switch asciiTab[b] {
				case acUpper:
					b += 'a' - 'A'
				case acSpace, acLine:
					emitSpace(' ', int(at))
					continue
				case acDrop:
					continue
				}
				out = append(out, b)
				off = append(off, at)
				last = b
				continue
			}
			if l, ok := confusable(r2); ok {
				st.Confusables++
				out = append(out, l)
				off = append(off, at)
				last = l
				continue
			}
			if r2 == 'ß' || r2 == 'ẞ' {
				out = append(out, 's', 's')
				off = append(off, at, at)
				last = 's'
				continue
			}
			r2 = unicode.ToLower(r2)
			n := len(out)
			mark(n)
			out = utf8.AppendRune(out, r2)
			for range len(out) - n {
				off = append(off, at)
			}
			last = 0
		}
	}
	if runStart >= 0 {
		closeRun(len(s))
	}
	// trailing whitespace
	if len(out) > 0 && (last == ' ' || last == '\n') {
		out = out[:len(out)-1]
		off = off[:len(off)-1]
	}
	off = append(off, int32(len(s)))
	return out, off, tags, gaps, cands, need, from
}
