package regex

import (
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestScan(t *testing.T) {
	bearer := `Bearer [A-Za-z0-9\-._~+/]+`
	scannertest.Table(t, New, []scannertest.Case[Config]{
		{Name: "deny_hit", Cfg: Config{Patterns: []string{bearer}, IsBlocked: true}, Text: "auth: Bearer abc.def", Sanitized: "auth: Bearer abc.def", Spans: [][2]int{{6, 20}}},
		{Name: "deny_miss", Cfg: Config{Patterns: []string{bearer}, IsBlocked: true}, Text: "no token", Valid: true, Sanitized: "no token"},
		{Name: "deny_redact_search_first_only", Cfg: Config{Patterns: []string{`\d{3}`}, IsBlocked: true, Redact: true}, Text: "a 123 b 456", Sanitized: "a [REDACTED] b 456", Spans: [][2]int{{2, 5}}},
		{Name: "deny_redact_all", Cfg: Config{Patterns: []string{`\d{3}`}, IsBlocked: true, Redact: true, MatchType: MatchAll}, Text: "a 123 b 456", Sanitized: "a [REDACTED] b [REDACTED]", Spans: [][2]int{{2, 5}, {8, 11}}},
		{Name: "fullmatch_miss", Cfg: Config{Patterns: []string{`\d+`}, IsBlocked: true, MatchType: MatchFull}, Text: "123 abc", Valid: true, Sanitized: "123 abc"},
		{Name: "fullmatch_hit", Cfg: Config{Patterns: []string{`\d+`}, IsBlocked: true, MatchType: MatchFull}, Text: "123", Sanitized: "123", Spans: [][2]int{{0, 3}}},
		{Name: "allow_hit", Cfg: Config{Patterns: []string{`^[a-z ]+$`}, IsBlocked: false}, Text: "only lower case", Valid: true, Sanitized: "only lower case"},
		{Name: "allow_miss", Cfg: Config{Patterns: []string{`^[a-z ]+$`}, IsBlocked: false}, Text: "Mixed Case", Sanitized: "Mixed Case", Spans: [][2]int{{0, 0}}},
		{Name: "overlap_redact", Cfg: Config{Patterns: []string{`abc`, `bcd`}, IsBlocked: true, Redact: true, MatchType: MatchAll}, Text: "xabcdy", Sanitized: "x[REDACTED]y", Spans: [][2]int{{1, 4}, {2, 5}}},
		{Name: "empty_match_not_redacted", Cfg: Config{Patterns: []string{`x*`}, IsBlocked: true, Redact: true}, Text: "abc", Sanitized: "abc", Spans: [][2]int{{0, 0}}},
	})
}

func TestConfig(t *testing.T) {
	scannertest.RefusesConfigs(t, New, []scannertest.BadConfig[Config]{
		{Cfg: Config{}, Field: "patterns"},
		{Cfg: Config{Patterns: []string{"ok", "(unclosed"}}, Field: "patterns[1]"},
		{Cfg: Config{Patterns: []string{""}}, Field: "patterns[0]"},
		{Cfg: Config{Patterns: []string{"a"}, MatchType: "prefix"}, Field: "match_type"},
	})
	scannertest.DecodesYAML(t, DefaultConfig(), "patterns: ['\\d+']\nmatch_type: all\nredact: true\n",
		Config{Patterns: []string{`\d+`}, IsBlocked: true, MatchType: MatchAll, Redact: true})
}

func TestConformance(t *testing.T) {
	for _, cfg := range []Config{
		{Patterns: []string{`(?i)ignore\s+previous`, `\d{4}`}, IsBlocked: true, Redact: true, MatchType: MatchAll},
		{Patterns: []string{`(?i)weather`}, IsBlocked: false},
		{Patterns: []string{`.*`}, IsBlocked: true, MatchType: MatchFull},
	} {
		s := scannertest.Must(t, New, cfg)
		scannertest.Run(t, s)
	}
}

func BenchmarkScan(b *testing.B) {
	s := scannertest.Must(b, New, Config{Patterns: []string{`Bearer [A-Za-z0-9\-._~+/]+`, `\b\d{3}-\d{2}-\d{4}\b`}, IsBlocked: true, Redact: true, MatchType: MatchAll})
	scannertest.Bench(b, s, scanner.Input{Prompt: strings.Repeat("The quick brown fox jumps over the lazy dog, SSN 123-45-6789 here. ", 5000)})
}
