package readingtime

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/scanner"
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
	// 0.01 min at 200 wpm = 2 words.
	cases := []struct {
		name      string
		cfg       Config
		text      string
		valid     bool
		sanitized string
	}{
		{"fits", Config{MaxTime: 0.01, WordsPerMinute: 200}, "two words", true, "two words"},
		{"fits_trailing_space", Config{MaxTime: 0.01, WordsPerMinute: 200}, " two  words \n", true, " two  words \n"},
		{"too_long", Config{MaxTime: 0.01, WordsPerMinute: 200}, "three words here", false, "three words here"},
		{"truncate", Config{MaxTime: 0.01, WordsPerMinute: 200, Truncate: true}, "Hello,  world! and more words", false, "Hello,  world!"},
		{"truncate_cjk", Config{MaxTime: 0.01, WordsPerMinute: 200, Truncate: true}, "東京タワーです", false, "東京タワ"},
		{"wpm", Config{MaxTime: 1, WordsPerMinute: 3}, "a b c d", false, "a b c d"},
		{"empty", Config{MaxTime: 0.01, WordsPerMinute: 200}, "", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scannertest.Must(t, New, c.cfg)
			res, err := s.Scan(context.Background(), scanner.Input{Output: c.text, Stage: scanner.StageOutput})
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != c.valid || res.Sanitized != c.sanitized {
				t.Errorf("valid %v sanitized %q, want %v %q", res.Valid, res.Sanitized, c.valid, c.sanitized)
			}
			if !c.valid && (res.Risk != 1 || len(res.Findings) != 1) {
				t.Errorf("risk %v findings %+v", res.Risk, res.Findings)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		cfg   Config
		field string
	}{
		{DefaultConfig(), "max_time"},
		{Config{MaxTime: -1, WordsPerMinute: 200}, "max_time"},
		{Config{MaxTime: 1}, "words_per_minute"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: err %v, want one naming %s", c.cfg, err, c.field)
		}
	}
	c := DefaultConfig()
	scannertest.DecodeYAML(t, "max_time: 0.5\ntruncate: true\n", &c)
	if d := cmp.Diff(Config{MaxTime: 0.5, Truncate: true, WordsPerMinute: 200}, c); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	a, _ := New(Config{MaxTime: 1, WordsPerMinute: 200})
	b, _ := New(Config{MaxTime: 2, WordsPerMinute: 200})
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("fingerprint must change with max_time")
	}
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
		res, err := s.Scan(context.Background(), scanner.Input{Output: text, Stage: scanner.StageOutput})
		if err != nil {
			t.Fatal(err)
		}
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
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		s.Scan(context.Background(), scanner.Input{Output: text, Stage: scanner.StageOutput})
	}
}
