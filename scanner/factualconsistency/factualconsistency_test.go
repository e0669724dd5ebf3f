package factualconsistency

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

const doc = "The Eiffel Tower in Paris was completed in 1889 for the World's Fair. It is 330 metres tall and was designed by the company of Gustave Eiffel. About 6,000,000 people visit it each year, and tickets cost 29.40 euros."

func TestNumber(t *testing.T) {
	for in, want := range map[string]float64{"1889": 1889, "6,000,000": 6e6, "3,5": 3.5, "29.40": 29.4, "3.000": 3000, "1.234,5": 1234.5, "1,234.5": 1234.5} {
		if got, ok := number(in); !ok || got != want {
			t.Errorf("number(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "abc", "12a", "a12"} {
		if _, ok := number(in); ok {
			t.Errorf("number(%q) accepted", in)
		}
	}
}

func TestVerdicts(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	cases := []struct {
		answer  string
		valid   bool
		flagged []string // unsupported claims
	}{
		{"The Eiffel Tower was finished in 1889 and is 330 metres tall.", true, nil},
		{"About 6000000 people visit the Eiffel Tower every year; a ticket is 29.40 euros.", true, nil},
		{"The Eiffel Tower was finished in 1899 and is 300 metres tall.", false, []string{"1899", "300"}},
		{"It was designed by Thomas Edison in London.", false, []string{"Thomas Edison", "London"}},
		{"It is a famous landmark that many people like.", true, nil}, // nothing checkable
	}
	for _, c := range cases {
		res := scannertest.Check(t, s, scanner.Input{Prompt: doc, Output: c.answer, Stage: scanner.StageOutput})
		if res.Valid != c.valid {
			_, claims := Score(doc, c.answer)
			t.Errorf("%q: valid %v, claims %+v", c.answer, res.Valid, claims)
			continue
		}
		var got []string
		for _, f := range res.Findings {
			got = append(got, c.answer[f.Start:f.End])
		}
		if strings.Join(got, "|") != strings.Join(c.flagged, "|") {
			t.Errorf("%q: unsupported %q, want %q", c.answer, got, c.flagged)
		}
	}
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigsWith(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{MinimumScore: 0}, Field: "minimum_score"},
		{Cfg: Config{MinimumScore: 1.1}, Field: "minimum_score"},
		{Cfg: Config{MinimumScore: 0.75, Model: "MoritzLaurer/deberta-v3-base-zeroshot-v2.0"}, Field: `model: "MoritzLaurer/deberta-v3-base-zeroshot-v2.0" is configured but not loaded`},
	})
}

func TestConformance(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	scannertest.Run(t, s, scannertest.WithInputs("Paris has 2,100,000 inhabitants and Lyon 500,000; Marie Curie won in 1903."))
}

func FuzzScan(f *testing.F) {
	s, err := New(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc, "The Eiffel Tower was finished in 1899.")
	f.Add("1.2.3,4", "\xff Ab Cd 1,,2")
	f.Fuzz(func(t *testing.T, prompt, answer string) {
		scannertest.Check(t, s, scanner.Input{Prompt: prompt, Output: answer, Stage: scanner.StageOutput})
	})
}

func BenchmarkScan1KB(b *testing.B) {
	s, _ := New(DefaultConfig())
	answer := strings.Repeat("The Eiffel Tower in Paris was completed in 1889 and is 330 metres tall; Gustave Eiffel's company built it. ", 10)[:1024]
	in := scanner.Input{Prompt: doc, Output: answer, Stage: scanner.StageOutput}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Scan(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}
