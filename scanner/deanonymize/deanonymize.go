// Package deanonymize puts the values the anonymize scanner replaced back
// into the LLM's answer, like LLM Guard's Deanonymize scanner. It reads the
// conversation's vault (scanner.Input.Vault); without one it changes
// nothing, so one conversation's data never restores into another's.
//
// Matching strategies (LLM Guard's names): exact (the placeholder as
// written), case_insensitive, fuzzy (a placeholder the model altered
// slightly: "[REDACTED PERSON 1]", "REDACTED_PERSON_1"; Levenshtein
// distance from github.com/lithammer/fuzzysearch, at most a fifth of the
// placeholder's length) and combined_exact_fuzzy (exact first, then fuzzy
// for what is left).
//
// Restoring never flags a text: the result is always valid with risk 0.
// The scanner is not a scanner.Fingerprinter, as its output depends on the
// vault.
package deanonymize

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/lithammer/fuzzysearch/fuzzy"

	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "deanonymize"

// Matching strategies.
const (
	Exact              = "exact"
	CaseInsensitive    = "case_insensitive"
	Fuzzy              = "fuzzy"
	CombinedExactFuzzy = "combined_exact_fuzzy"
)

// fuzzyMaxText bounds the text the fuzzy strategies search (they cost
// O(text × placeholder²)); longer texts get exact matching only.
const fuzzyMaxText = 1 << 20

// Config configures Scanner.
type Config struct {
	// MatchingStrategy is exact (default), case_insensitive, fuzzy or
	// combined_exact_fuzzy.
	MatchingStrategy string `yaml:"matching_strategy"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{MatchingStrategy: Exact} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	switch c.MatchingStrategy {
	case Exact, CaseInsensitive, Fuzzy, CombinedExactFuzzy, "":
		return nil
	}
	return fmt.Errorf("matching_strategy: unknown %q (want %s, %s, %s or %s)", c.MatchingStrategy, Exact, CaseInsensitive, Fuzzy, CombinedExactFuzzy)
}

// Scanner restores anonymised values. It is immutable and safe for
// concurrent use.
type Scanner struct{ cfg Config }

var (
	_ scanner.Scanner  = (*Scanner)(nil)
	_ scanner.Stager   = (*Scanner)(nil)
	_ scanner.Rewriter = (*Scanner)(nil)
)

// New validates cfg.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	if cfg.MatchingStrategy == "" {
		cfg.MatchingStrategy = Exact
	}
	return &Scanner{cfg: cfg}, nil
}

// Name returns "deanonymize".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner runs on outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageOutput }

// Rewrites reports that the scanner changes text.
func (s *Scanner) Rewrites() bool { return true }

type span struct {
	a, b int
	p    scanner.VaultPair
}

// Scan restores the vault's originals in in.Text().
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	start := time.Now()
	text := in.Text()
	res := scanner.Clean(text, scanner.MethodHeuristic)
	if in.Vault == nil || in.Vault.Len() == 0 || text == "" {
		res.Duration = time.Since(start)
		return res, nil
	}
	pairs := in.Vault.Pairs()
	var spans []span
	taken := func(a, b int) bool {
		for _, sp := range spans {
			if a < sp.b && sp.a < b {
				return true
			}
		}
		return false
	}
	st := s.cfg.MatchingStrategy
	if st == Exact || st == CombinedExactFuzzy || st == Fuzzy && len(text) > fuzzyMaxText {
		for _, p := range pairs {
			for off := 0; ; {
				i := strings.Index(text[off:], p.Placeholder)
				if i < 0 {
					break
				}
				a, b := off+i, off+i+len(p.Placeholder)
				if !taken(a, b) {
					spans = append(spans, span{a, b, p})
				}
				off = b
			}
		}
	}
	if st == CaseInsensitive {
		for _, p := range pairs {
			re := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(p.Placeholder))
			for _, loc := range re.FindAllStringIndex(text, -1) {
				if !taken(loc[0], loc[1]) {
					spans = append(spans, span{loc[0], loc[1], p})
				}
			}
		}
	}
	if (st == Fuzzy || st == CombinedExactFuzzy) && len(text) <= fuzzyMaxText {
		found, err := fuzzyFind(ctx, text, pairs, taken)
		if err != nil {
			return scanner.Result{}, err
		}
		spans = append(spans, found...)
	}
	if len(spans) == 0 {
		res.Duration = time.Since(start)
		return res, nil
	}
	sortSpans(spans)
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(text[last:sp.a])
		b.WriteString(sp.p.Original)
		last = sp.b
		res.Findings = append(res.Findings, scanner.Finding{Rule: sp.p.Entity, Start: sp.a, End: sp.b, Score: 1, Detail: "placeholder restored"})
	}
	b.WriteString(text[last:])
	res.Sanitized = b.String()
	res.Duration = time.Since(start)
	return res, nil
}

func sortSpans(s []span) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].a < s[j-1].a; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// fuzzyFind returns non-overlapping windows of text within Levenshtein
// distance len(placeholder)/5 (at least 1) of a placeholder, compared
// case-insensitively; at each position the closest placeholder wins.
// Windows start at a word start or a bracket, never cut a word, and must
// carry the placeholder's digits unchanged ("_2" is another entity than
// "_1", however close the strings are).
func fuzzyFind(ctx context.Context, text string, pairs []scanner.VaultPair, taken func(a, b int) bool) ([]span, error) {
	lower := strings.ToLower(text)
	if len(lower) != len(text) {
		lower = text // lowering changed lengths: compare as written
	}
	type cand struct {
		lp, digits string
		maxD       int
	}
	cands := make([]cand, len(pairs))
	for k, p := range pairs {
		cands[k] = cand{strings.ToLower(p.Placeholder), pii.Digits(p.Placeholder), max(1, len(p.Placeholder)/5)}
	}
	startOK := func(i int) bool {
		return text[i] == '[' || isWord(text[i]) && (i == 0 || !isWord(text[i-1]))
	}
	bestAt := func(i int) (best, bestEnd, bestK int) {
		best, bestEnd, bestK = 1<<30, -1, -1
		for k, c := range cands {
			for l := len(c.lp) - c.maxD; l <= len(c.lp)+c.maxD; l++ {
				e := i + l
				if l <= 0 || e > len(text) || text[e-1] != ']' && !isWord(text[e-1]) || e < len(text) && isWord(text[e-1]) && isWord(text[e]) {
					continue
				}
				w := lower[i:e]
				if pii.Digits(w) != c.digits {
					continue
				}
				if d := fuzzy.LevenshteinDistance(w, c.lp); d <= c.maxD && d < best {
					best, bestEnd, bestK = d, e, k
				}
			}
		}
		return best, bestEnd, bestK
	}
	var out []span
	for i := 0; i < len(text); i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if !startOK(i) {
			continue
		}
		d, end, k := bestAt(i)
		if end < 0 {
			continue
		}
		// A later start inside the window may fit better ("to [REDACTED ...]").
		for j := i + 1; j < end && j <= i+8; j++ {
			if !startOK(j) {
				continue
			}
			if d2, e2, k2 := bestAt(j); e2 > 0 && d2 < d {
				i, d, end, k = j, d2, e2, k2
			}
		}
		if !taken(i, end) {
			out = append(out, span{i, end, pairs[k]})
			i = end - 1
		}
	}
	return out, nil
}

func isWord(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}
