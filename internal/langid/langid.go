// Package langid identifies the script and language of a text for the
// language and language_same scanners: the dominant script by counting
// letters, and the language with github.com/abadojack/whatlanggo (trigram
// profiles for 84 languages, about 0.5 MB of binary). See
// scanner/language for why whatlanggo rather than lingua-go.
//
// whatlanggo's own Detect costs about a millisecond per sentence, which
// kept the language scanners above their 1 ms budget on 1 KB; Detect here
// computes whatlanggo's answer from its own profiles through an inverted
// index, with no allocation and ~100x faster (trigram.go, script.go; the
// tests compare the two on every held-out text).
package langid

import (
	"slices"
	"sort"
	"unicode"

	"github.com/abadojack/whatlanggo"
)

// Script is a writing system and the ISO 639-1 languages (among those
// whatlanggo knows) written in it.
type Script struct {
	Name  string
	table *unicode.RangeTable
	Langs []string
}

func codes(ls ...whatlanggo.Lang) []string {
	var out []string
	for _, l := range ls {
		if c := l.Iso6391(); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// scripts whatlanggo distinguishes, with their languages (its own script
// groups; Han also serves Japanese, which mixes it with kana).
var scripts = []Script{
	{"Latin", unicode.Latin, codes(whatlanggo.Spa, whatlanggo.Eng, whatlanggo.Por, whatlanggo.Ind, whatlanggo.Fra, whatlanggo.Deu,
		whatlanggo.Jav, whatlanggo.Vie, whatlanggo.Ita, whatlanggo.Tur, whatlanggo.Pol, whatlanggo.Orm, whatlanggo.Ron, whatlanggo.Hau,
		whatlanggo.Hrv, whatlanggo.Nld, whatlanggo.Kur, whatlanggo.Yor, whatlanggo.Uzb, whatlanggo.Ibo, whatlanggo.Ceb, whatlanggo.Tgl,
		whatlanggo.Hun, whatlanggo.Azj, whatlanggo.Ces, whatlanggo.Mlg, whatlanggo.Nya, whatlanggo.Kin, whatlanggo.Zul, whatlanggo.Swe,
		whatlanggo.Som, whatlanggo.Ilo, whatlanggo.Uig, whatlanggo.Hat, whatlanggo.Aka, whatlanggo.Sna, whatlanggo.Afr, whatlanggo.Fin,
		whatlanggo.Run, whatlanggo.Tuk, whatlanggo.Dan, whatlanggo.Nob, whatlanggo.Nno, whatlanggo.Lit, whatlanggo.Slv, whatlanggo.Epo,
		whatlanggo.Lav, whatlanggo.Est)},
	{"Cyrillic", unicode.Cyrillic, codes(whatlanggo.Rus, whatlanggo.Ukr, whatlanggo.Srp, whatlanggo.Azj, whatlanggo.Bel, whatlanggo.Bul, whatlanggo.Tuk, whatlanggo.Mkd)},
	{"Arabic", unicode.Arabic, codes(whatlanggo.Arb, whatlanggo.Urd, whatlanggo.Skr, whatlanggo.Uig, whatlanggo.Pes)},
	{"Devanagari", unicode.Devanagari, codes(whatlanggo.Hin, whatlanggo.Mar, whatlanggo.Mai, whatlanggo.Bho, whatlanggo.Nep)},
	{"Ethiopic", unicode.Ethiopic, codes(whatlanggo.Amh, whatlanggo.Tir)},
	{"Hebrew", unicode.Hebrew, codes(whatlanggo.Heb, whatlanggo.Ydd)},
	{"Han", unicode.Han, []string{"ja", "zh"}},
	{"Kana", nil, []string{"ja"}},
	{"Hangul", unicode.Hangul, codes(whatlanggo.Kor)},
	{"Bengali", unicode.Bengali, codes(whatlanggo.Ben)},
	{"Georgian", unicode.Georgian, codes(whatlanggo.Kat)},
	{"Greek", unicode.Greek, codes(whatlanggo.Ell)},
	{"Kannada", unicode.Kannada, codes(whatlanggo.Kan)},
	{"Tamil", unicode.Tamil, codes(whatlanggo.Tam)},
	{"Thai", unicode.Thai, codes(whatlanggo.Tha)},
	{"Gujarati", unicode.Gujarati, codes(whatlanggo.Guj)},
	{"Gurmukhi", unicode.Gurmukhi, codes(whatlanggo.Pan)},
	{"Telugu", unicode.Telugu, codes(whatlanggo.Tel)},
	{"Malayalam", unicode.Malayalam, codes(whatlanggo.Mal)},
	{"Oriya", unicode.Oriya, codes(whatlanggo.Ori)},
	{"Myanmar", unicode.Myanmar, codes(whatlanggo.Mya)},
	{"Sinhala", unicode.Sinhala, codes(whatlanggo.Sin)},
	{"Khmer", unicode.Khmer, codes(whatlanggo.Khm)},
}

const kana = 7 // index of "Kana" in scripts

// Supported reports whether code is an ISO 639-1 code the identifier knows.
func Supported(code string) bool {
	for _, s := range scripts {
		if slices.Contains(s.Langs, code) {
			return true
		}
	}
	return false
}

// Result is what Detect found.
type Result struct {
	// Letters is the number of letters in the text.
	Letters int
	// Script is the dominant script; nil when the text has no letters of
	// a known script.
	Script *Script
	// Lang is the ISO 639-1 code whatlanggo chose ("" when none) and
	// Confidence its confidence in [0, 1].
	Lang       string
	Confidence float64
}

// ScriptOf counts letters and returns the dominant script. Japanese text
// mixes Han and kana; when kana make up a fifth of the Han and kana
// letters, the script is Kana.
func ScriptOf(text string) (letters int, s *Script) {
	var counts [24]int
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if r < 0x80 {
			counts[0]++
			continue
		}
		if unicode.In(r, unicode.Hiragana, unicode.Katakana) || r == 0x30FC {
			counts[kana]++
			continue
		}
		for i := range scripts {
			if scripts[i].table != nil && unicode.Is(scripts[i].table, r) {
				counts[i]++
				break
			}
		}
	}
	if counts[kana] > 0 && 5*counts[kana] >= counts[kana]+counts[kana-1] {
		counts[kana] += counts[kana-1]
		counts[kana-1] = 0
	}
	best := -1
	for i := range scripts {
		if counts[i] > 0 && (best < 0 || counts[i] > counts[best]) {
			best = i
		}
	}
	if best < 0 {
		return letters, nil
	}
	return letters, &scripts[best]
}

// Detect finds the script and language of text.
func Detect(text string) Result {
	letters, s := ScriptOf(text)
	r := Result{Letters: letters, Script: s}
	if s == nil {
		return r
	}
	if len(s.Langs) == 1 {
		r.Lang, r.Confidence = s.Langs[0], 1
		return r
	}
	info := detect(text)
	if info.Lang >= 0 {
		r.Lang, r.Confidence = info.Lang.Iso6391(), info.Confidence
	}
	if s.Name == "Han" && r.Lang == "" {
		r.Lang, r.Confidence = "zh", 1
	}
	return r
}
