package bansubstrings

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestScan(t *testing.T) {
	cases := []struct {
		name      string
		cfg       Config
		text      string
		valid     bool
		sanitized string
		spans     [][2]int
	}{
		{"str", Config{Substrings: []string{"acme"}}, "Buy ACME widgets", false, "Buy ACME widgets", [][2]int{{4, 8}}},
		{"case_sensitive_miss", Config{Substrings: []string{"acme"}, CaseSensitive: true}, "Buy ACME widgets", true, "Buy ACME widgets", nil},
		{"word_miss", Config{Substrings: []string{"cat"}, MatchType: MatchWord}, "concatenate", true, "concatenate", nil},
		{"word_hit", Config{Substrings: []string{"cat"}, MatchType: MatchWord}, "a cat, again", false, "a cat, again", [][2]int{{2, 5}}},
		{"str_inside_word", Config{Substrings: []string{"cat"}}, "concatenate", false, "concatenate", [][2]int{{3, 6}}},
		{"redact", Config{Substrings: []string{"secret", "password"}, Redact: true}, "my Password is secret!", false, "my [REDACTED] is [REDACTED]!", [][2]int{{3, 11}, {15, 21}}},
		{"redact_overlap", Config{Substrings: []string{"abc", "bcd"}, Redact: true}, "xabcdy", false, "x[REDACTED]y", [][2]int{{1, 4}, {2, 5}}},
		{"contains_all_partial", Config{Substrings: []string{"foo", "bar"}, ContainsAll: true}, "foo only", true, "foo only", nil},
		{"contains_all", Config{Substrings: []string{"foo", "bar"}, ContainsAll: true}, "bar and foo", false, "bar and foo", [][2]int{{0, 3}, {8, 11}}},
		{"unicode_fold", Config{Substrings: []string{"straße"}, Redact: true}, "Die STRASSE und die STRAßE", false, "Die STRASSE und die [REDACTED]", [][2]int{{20, 27}}},
		{"length_changing_fold", Config{Substrings: []string{"istanbul"}, Redact: true}, "İİ İstanbul", false, "İİ [REDACTED]", [][2]int{{5, 14}}},
		{"empty_text", Config{Substrings: []string{"x"}}, "", true, "", nil},
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
		{Config{}, "substrings"},
		{Config{Substrings: []string{"a", ""}}, "substrings[1]"},
		{Config{Substrings: []string{"a"}, MatchType: "regex"}, "match_type"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%+v: err %v, want one naming %s", c.cfg, err, c.field)
		}
	}
	var c Config
	scannertest.DecodeYAML(t, "substrings: [a, b]\nmatch_type: word\ncase_sensitive: true\nredact: true\ncontains_all: true\n", &c)
	want := Config{Substrings: []string{"a", "b"}, MatchType: "word", CaseSensitive: true, Redact: true, ContainsAll: true}
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	dec := yaml.NewDecoder(bytes.NewReader([]byte("substring: [a]\n")))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err == nil {
		t.Error("unknown field accepted")
	}
}

func TestConformance(t *testing.T) {
	s, err := New(Config{Substrings: []string{"ignore", "password", "İ"}, Redact: true})
	if err != nil {
		t.Fatal(err)
	}
	scannertest.Run(t, s)
	w, err := New(Config{Substrings: []string{"idiot", "email"}, MatchType: MatchWord, CaseSensitive: true})
	if err != nil {
		t.Fatal(err)
	}
	scannertest.Run(t, w)
}

func BenchmarkScan1000Substrings(b *testing.B) {
	var subs []string
	for i := range 1000 {
		subs = append(subs, fmt.Sprintf("bannedterm%04d", i))
	}
	s, err := New(Config{Substrings: subs, Redact: true})
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("The quick brown fox jumps over the lazy dog and mentions bannedterm0042 once. ", 5000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		s.Scan(context.Background(), scanner.Input{Prompt: text})
	}
}
