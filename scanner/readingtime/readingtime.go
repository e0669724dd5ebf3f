// Package readingtime flags answers that take too long to read, like LLM
// Guard's ReadingTime: the reading time is the number of words divided by
// a reading speed (200 words per minute, as LLM Guard assumes), and an
// answer whose reading time exceeds MaxTime minutes is flagged and, with
// Truncate, cut to the words that fit.
//
// A word is a run of characters that are not white space. Chinese and
// Japanese are written without spaces, so each Han, Hiragana or Katakana
// character counts as half a word (a reading speed of about 400 characters
// a minute, in line with published figures for those scripts).
//
// # Differences from LLM Guard
//
//   - The reading speed is configurable (words_per_minute, default 200).
//   - Truncation keeps the original text up to the end of the last word
//     that fits (white space and punctuation inside it intact) instead of
//     re-joining the words with single spaces.
//   - A truncated answer is still reported invalid (risk 1) with the
//     shortened text as Sanitized, as the redacting scanners do; a
//     pipeline that should pass it on uses the sanitized text.
package readingtime

import (
	"context"
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "reading_time"

// Config configures Scanner.
type Config struct {
	// MaxTime is the longest reading time allowed, in minutes. Required.
	MaxTime float64 `yaml:"max_time"`
	// Truncate cuts a long answer to the words readable in MaxTime.
	Truncate bool `yaml:"truncate"`
	// WordsPerMinute is the reading speed. Default 200.
	WordsPerMinute float64 `yaml:"words_per_minute"`
}

// DefaultConfig returns the defaults; MaxTime must still be set.
func DefaultConfig() Config { return Config{WordsPerMinute: 200} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if !(c.MaxTime > 0) || math.IsInf(c.MaxTime, 0) {
		return fmt.Errorf("max_time: must be a positive number of minutes, got %v", c.MaxTime)
	}
	if !(c.WordsPerMinute > 0) || math.IsInf(c.WordsPerMinute, 0) {
		return fmt.Errorf("words_per_minute: must be positive, got %v", c.WordsPerMinute)
	}
	return nil
}

// Scanner measures reading time. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
	// maxHalfWords is the word budget in half words.
	maxHalfWords int
}

var (
	_ rulescan.Scanner = (*Scanner)(nil)
	_ scanner.Rewriter = (*Scanner)(nil)
)

// New validates cfg. The scanner runs on outputs, as in LLM Guard.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	half := math.Floor(2 * cfg.MaxTime * cfg.WordsPerMinute)
	if half > math.MaxInt32 {
		half = math.MaxInt32
	}
	return &Scanner{Shell: rulescan.NewShell(Name, scanner.StageOutput, "1", cfg), cfg: cfg, maxHalfWords: int(half)}, nil
}

// Rewrites reports whether the scanner may change the text (truncation).
func (s *Scanner) Rewrites() bool { return s.cfg.Truncate }

func isCJK(r rune) bool {
	// U+30FC, the prolonged sound mark, is in the Common script.
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || r == 0x30FC)
}

// Words returns the length of text in half words (see the package doc),
// and the byte offset just after the last word that keeps the count
// within budget half words (len(text) when all of it fits).
func Words(text string, budget int) (halfWords, cut int) {
	cut = -1
	inWord := false
	for i, r := range text {
		switch {
		case unicode.IsSpace(r):
			inWord = false
			continue
		case isCJK(r):
			halfWords++
			inWord = false
		case !inWord:
			halfWords += 2
			inWord = true
		default:
			continue
		}
		if halfWords > budget && cut < 0 {
			cut = i
		}
	}
	if cut < 0 {
		return halfWords, len(text)
	}
	return halfWords, cut
}

// Scan flags an answer whose reading time exceeds MaxTime. It returns
// ctx.Err() once ctx is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(_ context.Context, text string, res *scanner.Result) error {
		half, cut := Words(text, s.maxHalfWords)
		if half <= s.maxHalfWords {
			return nil
		}
		// cut is where the first word beyond the budget starts; drop the
		// white space before it.
		end := cut
		for end > 0 {
			r, size := utf8.DecodeLastRuneInString(text[:end])
			if !unicode.IsSpace(r) {
				break
			}
			end -= size
		}
		if s.cfg.Truncate {
			res.Sanitized = text[:end]
		}
		minutes := float64(half) / 2 / s.cfg.WordsPerMinute
		rulescan.Flag(res, scanner.Finding{Rule: Name, Start: end, End: len(text), Score: 1,
			Detail: fmt.Sprintf("reading time %.2f min exceeds %.2f min at %g words per minute", minutes, s.cfg.MaxTime, s.cfg.WordsPerMinute)})
		return nil
	})
}
