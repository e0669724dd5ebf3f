package readingtime

import (
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestWords(t *testing.T) {
	for _, c := range []struct {
		text string
		half int
	}{
		{"", 0},
		{"  \n ", 0},
		{"one", 2},
		{"one two,  three!\nfour", 8},
		{"naïve café", 4},
		{"東京タワー", 5},
		{"I visited 東京 today", 8},
	} {
		if h, _ := Words(c.text, 1<<30); h != c.half {
			t.Errorf("Words(%q) = %d half words, want %d", c.text, h, c.half)
		}
	}
}

func TestScan(t *testing.T) {
	// 0.01 min at 200 wpm = 2 words. The finding covers what is cut.
	two := Config{MaxTime: 0.01, WordsPerMinute: 200}
	twoCut := Config{MaxTime: 0.01, WordsPerMinute: 200, Truncate: true}
	scannertest.Table(t, New, []scannertest.Case[Config]{
		{Name: "fits", Cfg: two, Text: "two words", Valid: true, Sanitized: "two words"},
		{Name: "fits_trailing_space", Cfg: two, Text: " two  words \n", Valid: true, Sanitized: " two  words \n"},
		{Name: "too_long", Cfg: two, Text: "three words here", Sanitized: "three words here", Spans: [][2]int{{11, 16}}},
		{Name: "truncate", Cfg: twoCut, Text: "Hello,  world! and more words", Sanitized: "Hello,  world!", Spans: [][2]int{{14, 29}}},
		{Name: "truncate_cjk", Cfg: twoCut, Text: "東京タワーです", Sanitized: "東京タワ", Spans: [][2]int{{12, 21}}},
		{Name: "wpm", Cfg: Config{MaxTime: 1, WordsPerMinute: 3}, Text: "a b c d", Sanitized: "a b c d", Spans: [][2]int{{5, 7}}},
		{Name: "empty", Cfg: two, Text: "", Valid: true, Sanitized: ""},
	})
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, New, []scannertest.BadConfig[Config]{
		{Cfg: DefaultConfig(), Field: "max_time"},
		{Cfg: Config{MaxTime: -1, WordsPerMinute: 200}, Field: "max_time"},
		{Cfg: Config{MaxTime: 1}, Field: "words_per_minute"},
	})
	scannertest.DecodesYAML(t, DefaultConfig(), "max_time: 0.5\ntruncate: true\n", Config{MaxTime: 0.5, Truncate: true, WordsPerMinute: 200})
	scannertest.FingerprintsDiffer(t, New, Config{MaxTime: 1, WordsPerMinute: 200}, Config{MaxTime: 2, WordsPerMinute: 200},
		Config{MaxTime: 1, WordsPerMinute: 100}, Config{MaxTime: 1, WordsPerMinute: 200, Truncate: true})
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{{MaxTime: 0.02, WordsPerMinute: 200, Truncate: true}, {MaxTime: 5, WordsPerMinute: 200}} {
		s := scannertest.Must(t, New, cfg)
		scannertest.Run(t, s)
	}
}

func FuzzScan(f *testing.F) {
	for _, s := range []string{"a b c d e", "東京タワー", "\xff\xfe x y", "  lead  trail  "} {
		f.Add(s)
	}
	s := scannertest.Must(f, New, Config{MaxTime: 0.01, WordsPerMinute: 200, Truncate: true})
	f.Fuzz(func(t *testing.T, text string) {
		res := scannertest.Check(t, s, scannertest.Answer(text))
		if !strings.HasPrefix(text, res.Sanitized) {
			t.Fatalf("sanitized %q not a prefix of %q", res.Sanitized, text)
		}
		if h, _ := Words(res.Sanitized, 1<<30); h > s.maxHalfWords {
			t.Fatalf("sanitized %q has %d half words, budget %d", res.Sanitized, h, s.maxHalfWords)
		}
		if res.Valid && res.Sanitized != text {
			t.Fatal("valid answer changed")
		}
	})
}

func BenchmarkScan(b *testing.B) {
	text := strings.Repeat("The committee reviewed the budget and approved new library hours. ", 16)[:1024]
	s := scannertest.Must(b, New, Config{MaxTime: 0.5, WordsPerMinute: 200, Truncate: true})
	scannertest.Bench(b, s, scannertest.Answer(text))
}
