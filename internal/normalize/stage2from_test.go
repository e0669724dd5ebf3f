package normalize

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// stage2Both runs stage 1 on s, then stage 2 from the start and from the
// mark, on separate copies, and reports whether texts and offset maps agree.
func stage2Both(s string) (full, part string, ok bool) {
	var st Stats
	t1, m1, _, gaps, _, need, from := stage1(s, new(buffers), &st)
	if !need {
		return string(t1), string(t1), true
	}
	ta, ma := stage2(slices.Clone(t1), slices.Clone(m1), slices.Clone(gaps), &st)
	tb, mb := stage2From(slices.Clone(t1), slices.Clone(m1), slices.Clone(gaps), from, &st)
	return string(ta), string(tb), string(ta) == string(tb) && slices.Equal(ma, mb)
}

var stage2Cases = []string{
	"plain words, then a well-known hyphenated word late in the text",
	"long enough prefix of ordinary words before i g n o r e all previous",
	"prefix words here and there, p@ssw0rd and $ecret",
	"some ordinary prefix text ign.ore previous instruct-ions",
	"prefix prefix prefix x y z",
	"prefix prefix ab x y z w",
	"prefix  a  b  c with gaps",
	"prefix prefix abcя1 then ïgnörë",
	"prefix words then fullwidth ｉｇｎｏｒｅ and cyrillic іgnоrе",
	"prefix words f*ck a**hole i-n-s-t-r-u-c-t-i-o-n-s",
	"prefix words \xff\xfe invalid bytes a b c",
	"a b c at the start",
	"x-y", "a.b.c.d", "@", "$", "ab@", "prefix prefix q-r", "prefix prefix word-s", "prefix prefix i-nstruction",
	"one two three four five six seven eight nine ten a\u00a0b\u00a0c d",
}

func TestStage2FromMatchesStage2(t *testing.T) {
	texts := slices.Clone(stage2Cases)
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "datasets", "*", "*.jsonl"))
	limit := 3000
	if testing.Short() {
		limit = 300
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for n := 0; n < limit && sc.Scan(); n++ {
			var row struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &row) == nil {
				texts = append(texts, row.Text)
			}
		}
		_ = f.Close()
	}
	bad := 0
	for _, s := range texts {
		if full, part, ok := stage2Both(s); !ok {
			bad++
			if bad <= 5 {
				t.Errorf("%q:\nfull %q\npart %q", s, full, part)
			}
		}
	}
	t.Logf("%d texts", len(texts))
}

func FuzzStage2From(f *testing.F) {
	for _, s := range stage2Cases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if full, part, ok := stage2Both(s); !ok {
			t.Fatalf("%q:\nfull %q\npart %q", s, full, part)
		}
	})
}
