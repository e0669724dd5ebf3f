package langid

import (
	"unicode"
	_ "unsafe" // go:linkname
)

//go:linkname wlKana github.com/abadojack/whatlanggo._HiraganaKatakana
var wlKana *unicode.RangeTable

// wlScripts are whatlanggo.DetectScript's scripts in its initial order.
var wlScripts = [...]*unicode.RangeTable{
	unicode.Latin, unicode.Cyrillic, unicode.Arabic, unicode.Devanagari, nil /* kana */, unicode.Ethiopic,
	unicode.Hebrew, unicode.Bengali, unicode.Georgian, unicode.Han, unicode.Hangul, unicode.Greek,
	unicode.Kannada, unicode.Tamil, unicode.Thai, unicode.Gujarati, unicode.Gurmukhi, unicode.Telugu,
	unicode.Malayalam, unicode.Oriya, unicode.Myanmar, unicode.Sinhala, unicode.Khmer,
}

const (
	wlKanaIdx = 4
	wlHanIdx  = 9
)

// wlScriptOf is the index in wlScripts of r's script, or -1. Unicode
// scripts are disjoint, so at most one matches.
func wlScriptOf(r rune) int {
	if r < 0x80 {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
			return 0
		}
		return -1
	}
	for i, t := range wlScripts {
		if i == wlKanaIdx {
			if unicode.In(r, unicode.Hiragana, unicode.Katakana) {
				return i
			}
			continue
		}
		if unicode.Is(t, r) {
			return i
		}
	}
	return -1
}

// detectScript is whatlanggo.DetectScript without its per-call closures
// and its test of every script on every character, step for step: the
// same counters, the same early return once a script has more letters
// than half the text's bytes, the same move-to-front order (which decides
// ties) and the same Japanese rule. It returns whatlanggo's table pointers.
func detectScript(text string) *unicode.RangeTable {
	halfLen := len(text) / 2
	var order [len(wlScripts)]int8 // position -> script index
	var pos [len(wlScripts)]int8   // script index -> position
	var count [len(wlScripts)]int
	for i := range order {
		order[i], pos[i] = int8(i), int8(i)
	}
	table := func(i int) *unicode.RangeTable {
		if i == wlKanaIdx {
			return wlKana
		}
		return wlScripts[i]
	}
	for _, r := range text {
		if isStop(r) {
			continue
		}
		s := wlScriptOf(r)
		if s < 0 {
			continue
		}
		count[s]++
		if count[s] > halfLen {
			return table(s)
		}
		if p := pos[s]; p > 0 {
			o := order[p-1]
			order[p-1], order[p] = int8(s), o
			pos[s], pos[o] = p-1, p
		}
	}
	jp, best, bestIdx := 0, 0, -1
	for _, s := range order {
		if c := count[s]; c > best {
			best, bestIdx = c, int(s)
			if s == wlKanaIdx {
				jp = best
			}
		}
	}
	switch {
	case best == 0:
		return nil
	case bestIdx == wlHanIdx && jp > 0:
		return wlKana
	}
	return table(bestIdx)
}
