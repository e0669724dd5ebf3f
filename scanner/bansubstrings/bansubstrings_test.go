package bansubstrings

import (
	"fmt"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestScan(t *testing.T) {
	scannertest.Table(t, New, []scannertest.Case[Config]{
		{Name: "str", Cfg: Config{Substrings: []string{"acme"}}, Text: "Buy ACME widgets", Sanitized: "Buy ACME widgets", Spans: [][2]int{{4, 8}}},
		{Name: "case_sensitive_miss", Cfg: Config{Substrings: []string{"acme"}, CaseSensitive: true}, Text: "Buy ACME widgets", Valid: true, Sanitized: "Buy ACME widgets"},
		{Name: "word_miss", Cfg: Config{Substrings: []string{"cat"}, MatchType: MatchWord}, Text: "concatenate", Valid: true, Sanitized: "concatenate"},
		{Name: "word_hit", Cfg: Config{Substrings: []string{"cat"}, MatchType: MatchWord}, Text: "a cat, again", Sanitized: "a cat, again", Spans: [][2]int{{2, 5}}},
		{Name: "str_inside_word", Cfg: Config{Substrings: []string{"cat"}}, Text: "concatenate", Sanitized: "concatenate", Spans: [][2]int{{3, 6}}},
		{Name: "redact", Cfg: Config{Substrings: []string{"secret", "password"}, Redact: true}, Text: "my Password is secret!", Sanitized: "my [REDACTED] is [REDACTED]!", Spans: [][2]int{{3, 11}, {15, 21}}},
		{Name: "redact_overlap", Cfg: Config{Substrings: []string{"abc", "bcd"}, Redact: true}, Text: "xabcdy", Sanitized: "x[REDACTED]y", Spans: [][2]int{{1, 4}, {2, 5}}},
		{Name: "contains_all_partial", Cfg: Config{Substrings: []string{"foo", "bar"}, ContainsAll: true}, Text: "foo only", Valid: true, Sanitized: "foo only"},
		{Name: "contains_all", Cfg: Config{Substrings: []string{"foo", "bar"}, ContainsAll: true}, Text: "bar and foo", Sanitized: "bar and foo", Spans: [][2]int{{0, 3}, {8, 11}}},
		{Name: "unicode_fold", Cfg: Config{Substrings: []string{"straße"}, Redact: true}, Text: "Die STRASSE und die STRAßE", Sanitized: "Die STRASSE und die [REDACTED]", Spans: [][2]int{{20, 27}}},
		{Name: "length_changing_fold", Cfg: Config{Substrings: []string{"istanbul"}, Redact: true}, Text: "İİ İstanbul", Sanitized: "İİ [REDACTED]", Spans: [][2]int{{5, 14}}},
		{Name: "empty_text", Cfg: Config{Substrings: []string{"x"}}, Text: "", Valid: true, Sanitized: ""},
	})
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{}, Field: "substrings"},
		{Cfg: Config{Substrings: []string{"a", ""}}, Field: "substrings[1]"},
		{Cfg: Config{Substrings: []string{"a"}, MatchType: "regex"}, Field: "match_type"},
	})
	scannertest.DecodesYAML(t, Config{}, "substrings: [a, b]\nmatch_type: word\ncase_sensitive: true\nredact: true\ncontains_all: true\n",
		Config{Substrings: []string{"a", "b"}, MatchType: "word", CaseSensitive: true, Redact: true, ContainsAll: true})
}

func TestConformance(t *testing.T) {
	s := scannertest.Must(t, New, Config{Substrings: []string{"ignore", "password", "İ"}, Redact: true})
	scannertest.Run(t, s)
	w := scannertest.Must(t, New, Config{Substrings: []string{"idiot", "email"}, MatchType: MatchWord, CaseSensitive: true})
	scannertest.Run(t, w)
}

func BenchmarkScan1000Substrings(b *testing.B) {
	var subs []string
	for i := range 1000 {
		subs = append(subs, fmt.Sprintf("bannedterm%04d", i))
	}
	s := scannertest.Must(b, New, Config{Substrings: subs, Redact: true})
	scannertest.Bench(b, s, scanner.Input{Prompt: strings.Repeat("The quick brown fox jumps over the lazy dog and mentions bannedterm0042 once. ", 5000)})
}
