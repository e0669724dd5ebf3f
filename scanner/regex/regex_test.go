package regex

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestScan(t *testing.T) {
	bearer := `Bearer [A-Za-z0-9\-._~+/]+`
	cases := []struct {
		name      string
		cfg       Config
		text      string
		valid     bool
		sanitized string
		spans     [][2]int
	}{
		{"deny_hit", Config{Patterns: []string{bearer}, IsBlocked: true}, "auth: Bearer abc.def", false, "auth: Bearer abc.def", [][2]int{{6, 20}}},
		{"deny_miss", Config{Patterns: []string{bearer}, IsBlocked: true}, "no token", true, "no token", nil},
		{"deny_redact_search_first_only", Config{Patterns: []string{`\d{3}`}, IsBlocked: true, Redact: true}, "a 123 b 456", false, "a [REDACTED] b 456", [][2]int{{2, 5}}},
		{"deny_redact_all", Config{Patterns: []string{`\d{3}`}, IsBlocked: true, Redact: true, MatchType: MatchAll}, "a 123 b 456", false, "a [REDACTED] b [REDACTED]", [][2]int{{2, 5}, {8, 11}}},
		{"fullmatch_miss", Config{Patterns: []string{`\d+`}, IsBlocked: true, MatchType: MatchFull}, "123 abc", true, "123 abc", nil},
		{"fullmatch_hit", Config{Patterns: []string{`\d+`}, IsBlocked: true, MatchType: MatchFull}, "123", false, "123", [][2]int{{0, 3}}},
		{"allow_hit", Config{Patterns: []string{`^[a-z ]+$`}, IsBlocked: false}, "only lower case", true, "only lower case", nil},
		{"allow_miss", Config{Patterns: []string{`^[a-z ]+$`}, IsBlocked: false}, "Mixed Case", false, "Mixed Case", [][2]int{{0, 0}}},
		{"overlap_redact", Config{Patterns: []string{`abc`, `bcd`}, IsBlocked: true, Redact: true, MatchType: MatchAll}, "xabcdy", false, "x[REDACTED]y", [][2]int{{1, 4}, {2, 5}}},
		{"empty_match_not_redacted", Config{Patterns: []string{`x*`}, IsBlocked: true, Redact: true}, "abc", false, "abc", [][2]int{{0, 0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Scan(context.Background(), scanner.Input{Prompt: c.text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != c.valid || res.Sanitized != c.sanitized {
				t.Errorf("valid %v sanitized %q, want %v %q", res.Valid, res.Sanitized, c.valid, c.sanitized)
			}
			var spans [][2]int
			for _, f := range res.Findings {
				spans = append(spans, [2]int{f.Start, f.End})
			}
			if d := cmp.Diff(c.spans, spans); d != "" {
				t.Errorf("spans (-want +got):\n%s", d)
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, c := range []struct {
		cfg   Config
		field string
	}{
		{Config{}, "patterns"},
		{Config{Patterns: []string{"ok", "(unclosed"}}, "patterns[1]"},
		{Config{Patterns: []string{""}}, "patterns[0]"},
		{Config{Patterns: []string{"a"}, MatchType: "prefix"}, "match_type"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: err %v, want one naming %s", c.cfg, err, c.field)
		}
	}
	c := DefaultConfig()
	scannertest.DecodeYAML(t, "patterns: ['\\d+']\nmatch_type: all\nredact: true\n", &c)
	want := Config{Patterns: []string{`\d+`}, IsBlocked: true, MatchType: MatchAll, Redact: true}
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	dec := yaml.NewDecoder(bytes.NewReader([]byte("pattern: [a]\n")))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{
		{Patterns: []string{`(?i)ignore\s+previous`, `\d{4}`}, IsBlocked: true, Redact: true, MatchType: MatchAll},
		{Patterns: []string{`(?i)weather`}, IsBlocked: false},
		{Patterns: []string{`.*`}, IsBlocked: true, MatchType: MatchFull},
	} {
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		scannertest.Run(t, s)
	}
}

func BenchmarkScan(b *testing.B) {
	s, err := New(Config{Patterns: []string{`Bearer [A-Za-z0-9\-._~+/]+`, `\b\d{3}-\d{2}-\d{4}\b`}, IsBlocked: true, Redact: true, MatchType: MatchAll})
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("The quick brown fox jumps over the lazy dog, SSN 123-45-6789 here. ", 5000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Scan(context.Background(), scanner.Input{Prompt: text})
	}
}
