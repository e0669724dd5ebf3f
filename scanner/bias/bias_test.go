package bias

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestVerdicts(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	got := scannertest.Verdicts(t, s, map[string]bool{
		"Women are too emotional to lead a company.":                     false,
		"All immigrants are criminals.":                                  false,
		"Old people can't learn new technology.":                         false,
		"Typical Muslims are terrorists.":                                false,
		"Alle Ausländer sind kriminell.":                                 false,
		"Frauen sind zu emotional.":                                      false, // generalisation (sind) + trait? "zu emotional" not listed → 0.5
		"Women won the right to vote in the United States in 1920.":      true,
		"The report interviewed refugees about their journey.":           true,
		"Our team includes men and women from twelve countries.":         true,
		"The lazy dog sleeps all day.":                                   true, // trait without a group
		"First sentence is fine. Second: most women are bad at parking.": false,
	}, func(text string) string {
		sc, why := SentenceScore(text)
		return fmt.Sprintf("score %.2f %s", sc, why)
	})
	for text, res := range got {
		for _, f := range res.Findings {
			if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
				t.Errorf("%q: span %d-%d", text, f.Start, f.End)
			}
		}
	}
	if res := got["First sentence is fine. Second: most women are bad at parking."]; len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Detail, "generalisation about women") || res.Findings[0].Start == 0 {
		t.Errorf("finding %+v", res.Findings)
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigsWith(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{Threshold: 0}, Field: "threshold"},
		{Cfg: Config{Threshold: 0.5, Model: "d4data/bias-detection"}, Field: `model: "d4data/bias-detection" is configured but not loaded`},
		{Cfg: Config{Threshold: 0.5, MatchType: "words"}, Field: "match_type"},
	})
}

func TestConformance(t *testing.T) {
	s, _ := New(DefaultConfig())
	scannertest.Run(t, s, scannertest.WithInputs("All immigrants are criminals. Women are too emotional."))
}

func FuzzScan(f *testing.F) {
	s, _ := New(DefaultConfig())
	f.Add("All women are lazy.")
	f.Add("\xff. ; ! alle")
	f.Fuzz(func(t *testing.T, text string) {
		scannertest.CheckFlagsFrom(t, s, scannertest.Answer(text), 0.5)
	})
}

func BenchmarkScan1KB(b *testing.B) {
	s, _ := New(DefaultConfig())
	text := strings.Repeat("The committee, with women and men from many countries, reviewed the budget for the library. ", 12)[:1024]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Scan(context.Background(), scannertest.Answer(text)); err != nil {
			b.Fatal(err)
		}
	}
}
