package langid

import (
	"cmp"
	"slices"
	"sync"
	"unicode"
	_ "unsafe" // go:linkname: whatlanggo's trigram profiles, read in place

	"github.com/abadojack/whatlanggo"
)

// whatlanggo scores a text against a language by walking the language's
// 300 ranked trigrams and looking each up in a map of the text's trigrams:
// some 15,000 string-keyed map lookups per Latin-script text whatever its
// length, about half a millisecond per sentence, which kept the language
// scanner's sentence mode at 6.5 ms on 1 KB. detect below computes the very
// same distances the other way round: an index from each trigram to the
// (language, rank) pairs that hold it, walked once per trigram of the text.
//
// The index is built from whatlanggo's own profiles, reached with
// go:linkname (the module does not export them) rather than copied into
// this repository; go.sum pins the version, and TestDetectMatchesWhatlanggo
// compares every result with whatlanggo.Detect's on thousands of texts.
// The one difference: whatlanggo orders languages at an exactly equal
// distance by Go's random map iteration, so its answer on such a tie
// changes from run to run; here the lower whatlanggo.Lang wins.

//go:linkname wlLatin github.com/abadojack/whatlanggo.latinLangs
var wlLatin map[whatlanggo.Lang][]string

//go:linkname wlCyrillic github.com/abadojack/whatlanggo.cyrillicLangs
var wlCyrillic map[whatlanggo.Lang][]string

//go:linkname wlArabic github.com/abadojack/whatlanggo.arabicLangs
var wlArabic map[whatlanggo.Lang][]string

//go:linkname wlDevanagari github.com/abadojack/whatlanggo.devanagariLangs
var wlDevanagari map[whatlanggo.Lang][]string

//go:linkname wlEthiopic github.com/abadojack/whatlanggo.ethiopicLangs
var wlEthiopic map[whatlanggo.Lang][]string

//go:linkname wlHebrew github.com/abadojack/whatlanggo.hebrewLangs
var wlHebrew map[whatlanggo.Lang][]string

// whatlanggo's constants (constants.go).
const (
	maxTrigramDistance = 300
	maxTotalDistance   = 90000
)

// trigramKey packs three runes (21 bits each) so that the order of keys is
// the order of the trigrams' UTF-8 strings.
type trigramKey uint64

func keyOf(a, b, c rune) trigramKey {
	return trigramKey(uint64(a)<<42 | uint64(b)<<21 | uint64(c))
}

// posting is one language's rank for a trigram.
type posting struct {
	lang int32 // index into profileIndex.langs
	rank int32
}

// profileIndex inverts the profiles of one script's languages.
type profileIndex struct {
	langs []whatlanggo.Lang // ascending
	base  []int             // per language: the distance when no trigram matches
	post  map[trigramKey][]posting
}

func newProfileIndex(profiles map[whatlanggo.Lang][]string) *profileIndex {
	ix := &profileIndex{post: map[trigramKey][]posting{}}
	for l := range profiles {
		ix.langs = append(ix.langs, l)
	}
	slices.Sort(ix.langs)
	ix.base = make([]int, len(ix.langs))
	for li, l := range ix.langs {
		ix.base[li] = maxTrigramDistance * len(profiles[l])
		for rank, tg := range profiles[l] {
			r := []rune(tg)
			if len(r) != 3 {
				// Never in whatlanggo's data; such an entry could not match
				// a text trigram there either, so it keeps its full distance.
				continue
			}
			k := keyOf(r[0], r[1], r[2])
			ix.post[k] = append(ix.post[k], posting{int32(li), int32(rank)})
		}
	}
	return ix
}

// indexes are built on first use (about a millisecond) and read-only after.
var indexes = sync.OnceValue(func() map[*unicode.RangeTable]*profileIndex {
	return map[*unicode.RangeTable]*profileIndex{
		unicode.Latin:      newProfileIndex(wlLatin),
		unicode.Cyrillic:   newProfileIndex(wlCyrillic),
		unicode.Arabic:     newProfileIndex(wlArabic),
		unicode.Devanagari: newProfileIndex(wlDevanagari),
		unicode.Ethiopic:   newProfileIndex(wlEthiopic),
		unicode.Hebrew:     newProfileIndex(wlHebrew),
	}
})

// scratch is the per-call working memory of detect.
type scratch struct {
	keys []trigramKey
	tgs  []counted
	dist []int
}

type counted struct {
	key   trigramKey
	count int
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// isStop is whatlanggo's isStopChar (symbol, space, punctuation or digit),
// from a table for ASCII.
func isStop(r rune) bool {
	if r < 0x80 {
		return asciiStop[r]
	}
	return isStopRune(r)
}

func isStopRune(r rune) bool {
	return unicode.IsSymbol(r) || unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsDigit(r)
}

var asciiStop = func() (t [0x80]bool) {
	for r := range t {
		t[r] = isStopRune(rune(r))
	}
	return t
}()

// detect is whatlanggo.Detect with the distances computed from the index.
func detect(text string) whatlanggo.Info {
	script := detectScript(text)
	ix := indexes()[script]
	if ix == nil {
		// Scripts with one language or none: no trigram work in whatlanggo.
		return whatlanggo.Detect(text)
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	lang, conf := ix.detect(text, sc)
	return whatlanggo.Info{Lang: lang, Script: script, Confidence: conf}
}

func (ix *profileIndex) detect(text string, sc *scratch) (whatlanggo.Lang, float64) {
	// The text's trigrams as whatlanggo's count() forms them: runes mapped
	// to lower case, stop characters to spaces, one space appended; a
	// trigram is skipped when its middle is a space next to another space.
	keys := sc.keys[:0]
	r1, r2 := ' ', rune(-1)
	for _, r := range text {
		if isStop(r) {
			r = ' '
		}
		r = unicode.ToLower(r)
		if r2 < 0 {
			r2 = r
			continue
		}
		if !(r2 == ' ' && (r1 == ' ' || r == ' ')) {
			keys = append(keys, keyOf(r1, r2, r))
		}
		r1, r2 = r2, r
	}
	if r2 >= 0 && r2 != ' ' {
		// The appended space as the last third rune.
		keys = append(keys, keyOf(r1, r2, ' '))
	}
	sc.keys = keys
	// Count, then rank: most frequent first, ties by the larger trigram
	// string first (whatlanggo sorts ascending and reads backwards).
	slices.Sort(keys)
	tgs := sc.tgs[:0]
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		tgs = append(tgs, counted{keys[i], j - i})
		i = j
	}
	sc.tgs = tgs
	slices.SortFunc(tgs, func(a, b counted) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(b.key, a.key)
	})
	dist := append(sc.dist[:0], ix.base...)
	sc.dist = dist
	for pos, t := range tgs {
		for _, p := range ix.post[t.key] {
			d := pos - int(p.rank)
			if d < 0 {
				d = -d
			}
			dist[p.lang] += d - maxTrigramDistance
		}
	}
	// calculateConfidence on the two nearest languages (a stable sort's
	// first two: at equal distance the lower whatlanggo.Lang comes first).
	l1, l2 := -1, -1
	for i, d := range dist {
		switch {
		case l1 < 0 || d < dist[l1]:
			l1, l2 = i, l1
		case l2 < 0 || d < dist[l2]:
			l2 = i
		}
	}
	score1 := maxTotalDistance - dist[l1]
	score2 := maxTotalDistance - dist[l2]
	switch {
	case score1 == 0:
		return -1, 0
	case score2 == 0:
		// whatlanggo divides integers here: float64(score1 / 500).
		return ix.langs[l1], min(float64(score1/500), 1)
	}
	rate := float64(score1-score2) / float64(score2)
	confidentRate := 12.0/float64(len(tgs)) + 0.05
	if rate > confidentRate {
		return ix.langs[l1], 1
	}
	return ix.langs[l1], rate / confidentRate
}
