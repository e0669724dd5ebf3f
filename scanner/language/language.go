// Package language flags text that is not in an allowed language, like
// LLM Guard's Language scanner: ValidLanguages lists ISO 639-1 codes,
// MatchType "full" judges the whole text and "sentence" each sentence.
//
// # How a text is judged
//
//  1. Its letters are counted by script. When the dominant script is not
//     used by any allowed language (Cyrillic text, allowed ["en", "de"]),
//     the text is flagged whatever its length, with confidence 1: a script
//     is reliable evidence even for one word. The script is counted on the
//     whole text; the language on its first 16 KB (in sentence mode, on
//     the sentences that start in its first 64 KB).
//  2. Otherwise a text with fewer than MinLetters letters (default 20) gets
//     no verdict and passes: "ok", "Danke!" or a name says too little
//     about a language, and whatlanggo's guesses on such texts are mostly
//     wrong (see the accuracy table in scanner/language/README.md).
//  3. Otherwise whatlanggo names a language with a confidence; a language
//     outside the allow-list is flagged when the confidence reaches
//     Threshold (default 0.6, LLM Guard's default); below it, no verdict.
//
// # Identifier: whatlanggo, not lingua-go
//
// Measured on 16,797 texts neither library trained on (MultiJail,
// GermEval, Debian message translations and man pages; table and commands
// in README.md), lingua-go is more accurate, most of all on short texts,
// but adds 132.6 MB to a binary against whatlanggo's 0.5 MB. The
// binary-size budget for language identification here is 5 MB, so the
// scanner uses whatlanggo and makes up for its weakness on short texts with
// the script rule and the no-verdict rule above.
//
// # Differences from LLM Guard
//
//   - LLM Guard runs the xlm-roberta language-detection model (20
//     languages) and fails a text on which no language reaches the
//     threshold; here such a text, and a short one, passes unless its
//     script rules it out (a guard that blocks every "ok" is not usable).
//   - 60+ languages via whatlanggo rather than the model's 20; codes
//     whatlanggo does not know are configuration errors.
package language

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/llmshield/llmshield/internal/langid"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/internal/sentence"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "language"

// Match types.
const (
	MatchFull     = "full"
	MatchSentence = "sentence"
)

// Config configures Scanner.
type Config struct {
	// ValidLanguages are the allowed ISO 639-1 codes. Required.
	ValidLanguages []string `yaml:"valid_languages"`
	// Threshold is the identifier confidence needed to flag a text as in
	// another language. Default 0.6.
	Threshold float64 `yaml:"threshold"`
	// MatchType is "full" (default) or "sentence".
	MatchType string `yaml:"match_type"`
	// MinLetters is the fewest letters a text (or sentence) needs for a
	// language verdict; the script rule applies regardless. Default 20.
	MinLetters int `yaml:"min_letters"`
	// Model is a user language classifier (see usermodel.go): a registry
	// id or name, or a local model directory. Empty uses the built-in
	// identifier.
	Model string `yaml:"model"`
}

// DefaultConfig returns the defaults; ValidLanguages must still be set.
func DefaultConfig() Config { return Config{Threshold: 0.6, MatchType: MatchFull, MinLetters: 20} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if len(c.ValidLanguages) == 0 {
		return fmt.Errorf("valid_languages: at least one ISO 639-1 code is required")
	}
	for i, l := range c.ValidLanguages {
		if !langid.Supported(l) {
			return fmt.Errorf("valid_languages[%d]: unknown or unsupported ISO 639-1 code %q", i, l)
		}
	}
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold: must be in (0, 1], got %v", c.Threshold)
	}
	switch c.MatchType {
	case MatchFull, MatchSentence:
	default:
		return fmt.Errorf("match_type: unknown %q (want %q or %q)", c.MatchType, MatchFull, MatchSentence)
	}
	if c.MinLetters < 1 {
		return fmt.Errorf("min_letters: must be at least 1, got %d", c.MinLetters)
	}
	return nil
}

// Scanner checks languages. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	cfg Config
	fp  string
	// user is the user model, other its labels outside ValidLanguages.
	user  Classifier
	other []string
}

var (
	_ scanner.Scanner       = (*Scanner)(nil)
	_ scanner.Fingerprinter = (*Scanner)(nil)
	_ scanner.Stager        = (*Scanner)(nil)
)

// New validates cfg; WithClassifier supplies the user model that
// cfg.Model names.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	langs := slices.Clone(cfg.ValidLanguages)
	slices.Sort(langs)
	cfg.ValidLanguages = langs
	v := fmt.Sprintf("1/%s/%s/%d", strings.Join(langs, ","), cfg.MatchType, cfg.MinLetters)
	return withModel(&Scanner{cfg: cfg, fp: rulescan.Fingerprint(Name, v, cfg.Threshold)}, opts)
}

// Name returns "language".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner suits prompts and outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageBoth }

// Fingerprint identifies the configuration.
func (s *Scanner) Fingerprint() string { return s.fp }

// maxDetectBytes bounds the text given to the identifier; in sentence
// mode, only sentences that start in the first maxSentenceBytes are given
// to it (whatlanggo costs about a millisecond per sentence).
const (
	maxDetectBytes   = 16 << 10
	maxSentenceBytes = 64 << 10
)

func judge(text string, valid []string, threshold float64, minLetters int, identify bool) (flagged bool, conf float64, detail string) {
	letters, sc := langid.ScriptOf(text)
	if sc == nil || letters == 0 {
		return false, 0, ""
	}
	if !slices.ContainsFunc(sc.Langs, func(l string) bool { return slices.Contains(valid, l) }) {
		return true, 1, fmt.Sprintf("%s script, used by none of the allowed languages", sc.Name)
	}
	if letters < minLetters || !identify {
		return false, 0, ""
	}
	if len(text) > maxDetectBytes {
		// whatlanggo's cost grows with the text; its first 16 KB decide.
		cut := maxDetectBytes
		for cut > 0 && text[cut]&0xC0 == 0x80 {
			cut--
		}
		text = text[:cut]
	}
	r := langid.Detect(text)
	if r.Lang == "" || slices.Contains(valid, r.Lang) || r.Confidence < threshold {
		return false, 0, ""
	}
	return true, r.Confidence, fmt.Sprintf("language %s (confidence %.2f) not allowed", r.Lang, r.Confidence)
}

// Scan flags in.Text() (or a sentence of it) in a language outside
// ValidLanguages. It returns ctx.Err() once ctx is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	if s.user != nil {
		return s.scanModel(ctx, in.Text())
	}
	start := time.Now()
	text := in.Text()
	spans := [][2]int{{0, len(text)}}
	if s.cfg.MatchType == MatchSentence {
		spans = sentence.Spans(text)
	}
	res := scanner.Clean(text, scanner.MethodHeuristic)
	for i, sp := range spans {
		if i%64 == 63 {
			if err := ctx.Err(); err != nil {
				return scanner.Result{}, err
			}
		}
		// Sentences starting beyond maxSentenceBytes get the script rule only.
		flagged, conf, detail := judge(text[sp[0]:sp[1]], s.cfg.ValidLanguages, s.cfg.Threshold, s.cfg.MinLetters, sp[0] < maxSentenceBytes)
		if !flagged {
			continue
		}
		res.Risk = max(res.Risk, conf)
		if len(res.Findings) < 100 {
			res.Findings = append(res.Findings, scanner.Finding{Rule: Name, Start: sp[0], End: sp[1], Score: conf, Detail: detail})
		}
	}
	res.Valid = len(res.Findings) == 0
	res.Duration = time.Since(start)
	return res, nil
}
