// Package bansubstrings flags (and optionally redacts) configured
// substrings, like LLM Guard's BanSubstrings. All substrings are found in
// one pass with an Aho-Corasick automaton, so hundreds of entries cost
// about as much as one.
//
// Case-insensitive matching folds each rune with unicode.ToLower (simple
// case folding). Word matching requires that neither the rune before nor
// the rune after a match is a letter, digit or underscore. Invalid UTF-8
// bytes are matched as themselves and count as non-letters.
package bansubstrings

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "ban_substrings"

// Redaction replaces each match when Redact is set.
const Redaction = "[REDACTED]"

// Match types.
const (
	MatchStr  = "str"
	MatchWord = "word"
)

// Config configures Scanner.
type Config struct {
	// Substrings to ban. At least one non-empty entry.
	Substrings []string `yaml:"substrings"`
	// MatchType is "str" (anywhere, the default) or "word" (whole words).
	MatchType string `yaml:"match_type"`
	// CaseSensitive matches case exactly. Default false.
	CaseSensitive bool `yaml:"case_sensitive"`
	// Redact replaces matches with "[REDACTED]" in Sanitized.
	Redact bool `yaml:"redact"`
	// ContainsAll flags only texts that contain every substring.
	ContainsAll bool `yaml:"contains_all"`
}

// DefaultConfig returns the defaults; Substrings must still be set.
func DefaultConfig() Config { return Config{MatchType: MatchStr} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if len(c.Substrings) == 0 {
		return fmt.Errorf("substrings: at least one substring is required")
	}
	for i, s := range c.Substrings {
		if s == "" {
			return fmt.Errorf("substrings[%d]: empty substring", i)
		}
		if !utf8.ValidString(s) {
			return fmt.Errorf("substrings[%d]: not valid UTF-8", i)
		}
	}
	// An empty setting is the default.
	return rulescan.OneOf("match_type", cmp.Or(c.MatchType, MatchStr), MatchStr, MatchWord)
}

// Scanner flags banned substrings. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
	ac  *ahocorasick.Matcher
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg and compiles the matcher. The scanner suits prompts and
// outputs.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	if cfg.MatchType == "" {
		cfg.MatchType = MatchStr
	}
	pats := make([]string, len(cfg.Substrings))
	for i, s := range cfg.Substrings {
		if cfg.CaseSensitive {
			pats[i] = s
		} else {
			pats[i], _ = fold(s)
		}
	}
	return &Scanner{Shell: rulescan.NewShell(Name, scanner.StageBoth, "1", cfg), cfg: cfg, ac: ahocorasick.New(pats)}, nil
}

// fold lower-cases s rune by rune. When that changes byte lengths it also
// returns off, mapping each folded byte to its offset in s (len+1 entries);
// otherwise off is nil and offsets are unchanged.
func fold(s string) (string, []int32) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s), nil
	}
	b := make([]byte, 0, len(s))
	var off []int32
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var n int
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[i])
			n = 1
		} else {
			before := len(b)
			b = utf8.AppendRune(b, unicode.ToLower(r))
			n = len(b) - before
		}
		if n != size && off == nil {
			off = make([]int32, 0, len(s)+1)
			for j := 0; j < len(b)-n; j++ {
				off = append(off, int32(j)) // identical so far
			}
		}
		if off != nil {
			for range n {
				off = append(off, int32(i))
			}
		}
		i += size
	}
	if off != nil {
		off = append(off, int32(len(s)))
	}
	return string(b), off
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Scan flags banned substrings in in.Text(). It returns ctx.Err() if ctx is
// done before the scan.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(_ context.Context, text string, res *scanner.Result) error {
		hay, off := text, []int32(nil)
		if !s.cfg.CaseSensitive {
			hay, off = fold(text)
		}
		orig := func(i int) int {
			if off == nil {
				return i
			}
			return int(off[i])
		}
		var ms rulescan.Matches
		seen := make([]bool, len(s.cfg.Substrings))
		nseen := 0
		s.ac.Each(hay, func(m ahocorasick.Match) bool {
			a, b := orig(m.Start), orig(m.End)
			if s.cfg.MatchType == MatchWord {
				prev, _ := utf8.DecodeLastRuneInString(text[:a])
				next, _ := utf8.DecodeRuneInString(text[b:])
				if a > 0 && isWordRune(prev) || b < len(text) && isWordRune(next) {
					return true
				}
			}
			if !seen[m.Pattern] {
				seen[m.Pattern] = true
				nseen++
			}
			ms = append(ms, rulescan.Match{Start: a, End: b, Pattern: m.Pattern})
			return true
		})
		if nseen == 0 || s.cfg.ContainsAll && nseen < len(s.cfg.Substrings) {
			return nil
		}
		ms.Sort()
		res.Valid, res.Risk = false, 1
		res.Findings = ms.Findings(Name, func(p int) string { return fmt.Sprintf("banned substring #%d", p) })
		if s.cfg.Redact {
			res.Sanitized = ms.Redact(text, Redaction)
		}
		return nil
	})
}
