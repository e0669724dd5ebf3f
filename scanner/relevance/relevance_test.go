package relevance

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestVerdicts(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	cases := []struct {
		prompt, answer string
		valid          bool
	}{
		{"How do I bake sourdough bread?", "To bake sourdough bread, feed your starter, mix flour and water, let the dough rise overnight and bake at 230 °C.", true},
		{"Wie backe ich ein Sauerteigbrot?", "Für ein Sauerteigbrot brauchst du aktiven Sauerteig, Mehl, Wasser und Salz; backe es bei 230 °C.", true},
		{"How do I bake sourdough bread?", "The 1998 World Cup final was played in Saint-Denis; France beat Brazil 3-0.", false},
		{"", "Anything at all.", true},        // no prompt: not judged
		{"Explain photosynthesis.", "", true}, // empty answer: not judged
	}
	for _, c := range cases {
		res := scannertest.Check(t, s, scanner.Input{Prompt: c.prompt, Output: c.answer, Stage: scanner.StageOutput})
		if res.Valid != c.valid {
			sim, _ := Similarity(c.prompt, c.answer)
			t.Errorf("%q / %q: valid %v (similarity %.3f)", c.prompt, c.answer, res.Valid, sim)
		}
	}
	res, _ := s.Scan(context.Background(), scanner.Input{Prompt: "bread", Stage: scanner.StagePrompt})
	if !res.Valid {
		t.Error("prompt stage must not be judged")
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigsWith(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{Threshold: -0.1}, Field: "threshold"},
		{Cfg: Config{Threshold: 1}, Field: "threshold"},
		{Cfg: Config{Threshold: 0.5, Model: "BAAI/bge-small-en-v1.5"}, Field: `model: "BAAI/bge-small-en-v1.5" is configured but not loaded`},
		{Cfg: Config{Pooling: "max"}, Field: "pooling"},
	})
}

func TestConformance(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	scannertest.Run(t, s)
}

func FuzzScan(f *testing.F) {
	s, err := New(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Add("bread recipe", "bake the bread")
	f.Add("\xff", "日本語のテキスト")
	f.Fuzz(func(t *testing.T, prompt, answer string) {
		scannertest.CheckFlagsByFindings(t, s, scanner.Input{Prompt: prompt, Output: answer, Stage: scanner.StageOutput})
	})
}

func BenchmarkScan1KB(b *testing.B) {
	s, _ := New(DefaultConfig())
	prompt := "Summarise the library's opening hours and borrowing rules for new members."
	answer := strings.Repeat("The library opens at nine and closes at six; members may borrow ten books. ", 14)[:1024]
	in := scanner.Input{Prompt: prompt, Output: answer, Stage: scanner.StageOutput}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Scan(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
