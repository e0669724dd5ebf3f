package normalize

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
)

// stage2Both runs stage 1 on s, then stage 2 over all the text and around
// the marks only, on separate copies, and reports whether texts, offset
// maps and stats agree.
func stage2Both(s string) (full, part string, ok bool) {
	var st Stats
	t1, m1, _, gaps, _, need, marks := stage1(s, new(buffers), &st)
	if !need {
		return string(t1), string(t1), true
	}
	var sa, sb Stats
	ta, ma := stage2(slices.Clone(t1), slices.Clone(m1), slices.Clone(gaps), &sa)
	tb, mb := stage2Marks(slices.Clone(t1), slices.Clone(m1), slices.Clone(gaps), marks, &sb)
	return string(ta), string(tb), string(ta) == string(tb) && slices.Equal(ma, mb) && sa == sb
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

// datasetTexts returns the text of every row of the shared datasets' files
// (the first 300 rows of each under -short), or none when they are absent.
func datasetTexts(t *testing.T) []string {
	t.Helper()
	dir := datasets.Dir()
	if dir == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.jsonl"))
	limit := math.MaxInt
	if testing.Short() {
		limit = 300
	}
	var texts []string
	for _, path := range files {
		rows := datasets.ReadRows[struct{ Text string }](t, path)
		for _, r := range rows[:min(len(rows), limit)] {
			texts = append(texts, r.Text)
		}
	}
	return texts
}

func TestStage2MarksMatchesStage2(t *testing.T) {
	texts := append(slices.Clone(stage2Cases), datasetTexts(t)...)
	bad := 0
	for _, s := range texts {
		if full, part, ok := stage2Both(s); !ok {
			bad++
			if bad <= 5 {
				t.Errorf("%q:\nfull %q\npart %q", s, full, part)
			}
		}
	}
	// The rows joined into documents: many marks per text.
	for i := 0; i+400 <= len(texts); i += 400 {
		if full, part, ok := stage2Both(strings.Join(texts[i:i+400], "\n\n")); !ok {
			t.Errorf("document %d: texts differ (lengths %d, %d)", i/400, len(full), len(part))
		}
	}
	t.Logf("%d texts", len(texts))
}

func FuzzStage2Marks(f *testing.F) {
	for _, s := range stage2Cases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if full, part, ok := stage2Both(s); !ok {
			t.Fatalf("%q:\nfull %q\npart %q", s, full, part)
		}
	})
}
