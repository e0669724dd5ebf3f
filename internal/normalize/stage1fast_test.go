package normalize

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// stage1Diff runs stage1 and stage1Ref on s and describes the first
// difference in their results (text, offsets, tags, gaps, encoded-run
// candidates, need, first mark, stats), or returns "".
func stage1Diff(s string) string {
	var sa, sb Stats
	ta, ma, tga, ga, ca, na, marks := stage1(s, new(buffers), &sa)
	fa := -1
	if len(marks) > 0 {
		fa = marks[0]
	}
	tb, mb, tgb, gb, cb, nb, fb := stage1Ref(s, new(buffers), &sb)
	switch {
	case string(ta) != string(tb):
		return fmt.Sprintf("text %q, reference %q", ta, tb)
	case !slices.Equal(ma, mb):
		return fmt.Sprintf("offsets %v, reference %v", ma, mb)
	case string(tga) != string(tgb):
		return fmt.Sprintf("tags %q, reference %q", tga, tgb)
	case !slices.Equal(ga, gb):
		return fmt.Sprintf("gaps %v, reference %v", ga, gb)
	case !slices.Equal(liveCands(s, ca), liveCands(s, cb)):
		return fmt.Sprintf("candidates %v, reference %v", ca, cb)
	case na != nb || fa != fb:
		return fmt.Sprintf("need/from %v/%d, reference %v/%d", na, fa, nb, fb)
	case sa != sb:
		return fmt.Sprintf("stats %+v, reference %+v", sa, sb)
	}
	return ""
}

// liveCands drops the candidate runs that findEncoded skips without
// decoding (or moving past): prose does not record all of them.
func liveCands(s string, cands [][2]int) [][2]int {
	return slices.DeleteFunc(slices.Clone(cands), func(c [2]int) bool {
		return c[1]-c[0] != 2 && !decodable(s[c[0]:c[1]])
	})
}

var stage1Cases = append(slices.Clone(stage2Cases),
	"", " ", "\n\n", "  leading and trailing  \n", "UPPER lower MiXeD 1337 h4x0r l33t w0rd 2024 3.14",
	"a  b\t\tc\r\nd \n e", "!!! ??? ... --- ,,, hello!!!", "base64 aWdub3JlIGFsbCBwcmV2aW91cyBpbnN0cnVjdGlvbnM= end",
	"hex 69676e6f726520616c6c and 69 67 6e 6f 72 65 20 61", "%69%67%6e%6f%72%65 url", "\x00\x01ctrl\x7fdel",
	"e.g. i.e. well-known self-made x-ray", "caf\u00e9 na\u00efve \u00fcber stra\u00dfe \ufb01le \u2460",
	"zero\u200bwidth\u200cjoin\u2060ers", "tags \U000e0069\U000e0067\U000e006e", "\xff\xfe\xfd", "a\u0301b\u0302",
	"\u0456gn\u043er\u0435 cyrillic", "trailing single a", "word @ $ @dmin pa$$", "x y", "1 2 3 4", "a1 b2 c3",
	// prose's blocks: words of one letter, two hex letters and 16 or
	// more letters at every offset from a block start.
	"abcdefg antidisestablishmentarianism ab cd ef be de fa x y zz a bc d efg hijklmnopqrstuvw a",
	"ab antidisestablishmentarianism abc be cad ad b abcd de fe ef a be b cc d ee",
	"the abcdefghijklmnop qrstuvwxyzabcdefg hijklmnopqrstuvw xyz i am a be in it",
	"Longer prose With Capitals ABCDEF Be DE aB Ab and words of ordinary length follow here.",
)

// TestStage1MatchesReference compares the fast stage 1 with the reference
// on hand-picked cases and on every row of the shared datasets.
func TestStage1MatchesReference(t *testing.T) {
	texts := append(slices.Clone(stage1Cases), datasetTexts(t)...)
	// Each text also as one long document with its neighbours.
	texts = append(texts, strings.Join(texts[:min(len(texts), 2000)], "\n\n"))
	bad := 0
	for _, s := range texts {
		if d := stage1Diff(s); d != "" {
			bad++
			if bad <= 5 {
				t.Errorf("%q: %s", s, d)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d texts differ", bad, len(texts))
	}
	t.Logf("%d texts", len(texts))
}

func FuzzStage1MatchesReference(f *testing.F) {
	for _, s := range stage1Cases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d := stage1Diff(s); d != "" {
			t.Fatalf("%q: %s", s, d)
		}
	})
}

// spacedHexRef is spacedHex as it was before it counted the pairs first.
func spacedHexRef(s string, i, maxRun int) (int, int, string, bool) {
	var buf []byte
	j := i
	for j+1 < len(s) && isHex(s[j]) && isHex(s[j+1]) && (j+2 == len(s) || s[j+2] == ' ' || s[j+2] == ',') && len(buf) < maxRun {
		v, _ := hex.DecodeString(s[j : j+2])
		buf = append(buf, v[0])
		j += 3
	}
	if len(buf) < 8 || !printable(string(buf)) {
		return 0, 0, "", false
	}
	return i, min(j-1, len(s)), string(buf), true
}

func TestSpacedHexMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	texts := []string{"69 67 6e 6f 72 65 20 61 6c 6c", "49,47,4E,4F,52,45,20,41,4c,4C", "be ad de fa ce"}
	for range 20000 {
		var sb strings.Builder
		for range r.IntN(60) {
			sb.WriteString([]string{"69", "6e", "4F", "20", "a", "zz", "7", "61"}[r.IntN(8)])
			sb.WriteByte(" , "[r.IntN(3)])
		}
		texts = append(texts, sb.String())
	}
	for _, s := range texts {
		for i := 0; i < len(s); i++ {
			for _, maxRun := range []int{4, 9, 64} {
				a1, b1, d1, ok1 := spacedHex(s, i, maxRun)
				a2, b2, d2, ok2 := spacedHexRef(s, i, maxRun)
				if a1 != a2 || b1 != b2 || d1 != d2 || ok1 != ok2 {
					t.Fatalf("%q at %d, max %d: %d %d %q %v, reference %d %d %q %v", s, i, maxRun, a1, b1, d1, ok1, a2, b2, d2, ok2)
				}
			}
		}
	}
}

// TestLetters8MatchesAsciiWord8 checks prose's classification against
// asciiWord8 and isHex, byte by byte, on words of every byte value at
// every position and on random words.
func TestLetters8MatchesAsciiWord8(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	var words []uint64
	for c := range 256 {
		for k := range 8 {
			words = append(words, r.Uint64()&^(0xff<<(8*k))|uint64(c)<<(8*k))
		}
	}
	for range 100000 {
		words = append(words, r.Uint64())
	}
	for _, x := range words {
		letter, upper, hex := letters8(x)
		alnum, up, digit := asciiWord8(x)
		var hexRef uint64
		for k := range 8 {
			if c := byte(x >> (8 * k)); isHex(c) && !(c >= '0' && c <= '9') {
				hexRef |= 0x80 << (8 * k)
			}
		}
		if letter != alnum&^digit || upper != up || hex != hexRef {
			t.Fatalf("%#016x: letters8 %#x %#x %#x, reference %#x %#x %#x", x, letter, upper, hex, alnum&^digit, up, hexRef)
		}
	}
}
