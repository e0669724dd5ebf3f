// Package invisibletext flags and removes invisible characters: format
// characters (Unicode Cf: zero-width spaces and joiners, bidi controls,
// soft hyphen, BOM, tag characters), private-use characters (Co), and
// optionally unassigned code points (Cn) and C0/C1 control characters (Cc
// other than tab, line feed and carriage return). Such characters can hide
// instructions from human reviewers while models still read them.
//
// Zero-width joiners inside emoji sequences and tag characters inside emoji
// flag sequences are allowed by default (AllowEmojiSequences), so that
// family emoji and subdivision flags do not trip the scanner.
//
// Invalid UTF-8 bytes are not characters: they are neither flagged nor
// removed (the pipeline repairs encoding separately).
package invisibletext

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "invisible_text"

// Config configures Scanner.
type Config struct {
	// Categories are the Unicode general categories to flag: any of "Cf",
	// "Co", "Cn", "Cc". Default: Cf and Co.
	Categories []string `yaml:"categories"`
	// AllowEmojiSequences keeps zero-width joiners between emoji and tag
	// characters in flag sequences. Default true.
	AllowEmojiSequences bool `yaml:"allow_emoji_sequences"`
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{Categories: []string{"Cf", "Co"}, AllowEmojiSequences: true}
}

var known = []string{"Cf", "Co", "Cn", "Cc"}

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if len(c.Categories) == 0 {
		return fmt.Errorf("categories: must list at least one of %s", strings.Join(known, ", "))
	}
	for i, cat := range c.Categories {
		if !slices.Contains(known, cat) {
			return fmt.Errorf("categories[%d]: unknown category %q (want one of %s)", i, cat, strings.Join(known, ", "))
		}
	}
	return nil
}

// Scanner flags and removes invisible characters. It is immutable after New
// and safe for concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg            Config
	cf, co, cn, cc bool
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg and builds a Scanner. The scanner suits prompts and
// outputs.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	s := &Scanner{cfg: cfg}
	for _, c := range cfg.Categories {
		switch c {
		case "Cf":
			s.cf = true
		case "Co":
			s.co = true
		case "Cn":
			s.cn = true
		case "Cc":
			s.cc = true
		}
	}
	s.Shell = rulescan.NewShell(Name, scanner.StageBoth, "1", struct{ Cf, Co, Cn, Cc, Emoji bool }{s.cf, s.co, s.cn, s.cc, cfg.AllowEmojiSequences})
	return s, nil
}

// invisible reports whether r is flagged under the configured categories.
func (s *Scanner) invisible(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || r >= 0x7f && r < 0xa0:
		return s.cc
	case r < 0xa0:
		return false
	case unicode.Is(unicode.Cf, r):
		return s.cf
	case unicode.Is(unicode.Co, r):
		return s.co
	case s.cn && !unicode.Is(unicode.Cs, r) && !isAssigned(r):
		return true
	}
	return false
}

// isAssigned reports whether r is an assigned code point in Go's Unicode
// tables.
func isAssigned(r rune) bool {
	if cn, ok := unicode.Categories["Cn"]; ok {
		return !unicode.Is(cn, r)
	}
	for name, t := range unicode.Categories {
		if name != "C" && unicode.Is(t, r) {
			return true
		}
	}
	return false
}

func isEmoji(r rune) bool {
	return unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r) || r == 0xFE0F || r >= 0x1F3FB && r <= 0x1F3FF
}

// allowed reports whether the invisible rune at text[i:i+size] is part of an
// emoji sequence.
func allowed(text string, i, size int, r rune) bool {
	prev, _ := utf8.DecodeLastRuneInString(text[:i])
	next, _ := utf8.DecodeRuneInString(text[i+size:])
	switch {
	case r == 0x200D: // zero-width joiner between emoji
		return isEmoji(prev) && isEmoji(next)
	case r >= 0xE0020 && r <= 0xE007F: // tags in a flag sequence: 🏴 + tags + cancel tag
		j := i
		for j > 0 {
			p, n := utf8.DecodeLastRuneInString(text[:j])
			if p < 0xE0020 || p > 0xE007F {
				return p == 0x1F3F4
			}
			j -= n
		}
	}
	return false
}

// Scan flags invisible characters in in.Text() and returns the text with
// them removed. It returns ctx.Err() if ctx is done before the scan.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(_ context.Context, text string, res *scanner.Result) error {
		var b strings.Builder
		last := 0                           // text[last:i] not yet copied
		runStart, runEnd, runN := -1, -1, 0 // the run of invisible characters text[runStart:runEnd]
		var first rune
		flush := func() {
			if runStart >= 0 {
				rulescan.Flag(res, scanner.Finding{Rule: Name, Start: runStart, End: runEnd, Score: 1,
					Detail: fmt.Sprintf("%d invisible character(s), first %U", runN, first)})
			}
		}
		for i := 0; i < len(text); {
			c := text[i]
			if c >= 0x20 && c < 0x7f || c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if (r == utf8.RuneError && size == 1) || !s.invisible(r) || (s.cfg.AllowEmojiSequences && allowed(text, i, size, r)) {
				i += size
				continue
			}
			if runStart < 0 { // the first one
				b.Grow(len(text))
			}
			b.WriteString(text[last:i])
			last = i + size
			if runStart >= 0 && runEnd == i {
				runEnd = i + size
				runN++
			} else {
				flush()
				runStart, runEnd, runN, first = i, i+size, 1, r
			}
			i += size
		}
		flush()
		if runStart >= 0 {
			b.WriteString(text[last:])
			res.Sanitized = b.String()
		}
		return nil
	})
}
