// Package gibberish flags nonsense text, like LLM Guard's Gibberish
// scanner, with a small character-level model trained by this project
// (training/gibberish, one command: make -C training gibberish) and
// embedded in the binary (model.bin, about 460 KB).
//
// # Model
//
// Text is mapped to symbols (letters and combining marks lower-cased,
// digits to 0, anything else to a space). Hashed tables built from real
// text in about 150 languages found on the build machine (man pages and
// program message translations, package READMEs, Go-module source code,
// English prompts) give each character trigram and bigram a quantised
// log-count, and a hashed set holds the words seen at least twice. Nine
// features (mean trigram and bigram scores, share of unseen trigrams,
// share of known words, word repetition, share of letters, length, share
// of words over 20 letters, longest run of one letter) feed a 9-16-1 MLP
// trained against synthetic gibberish: random letters of the text's own
// alphabet, keyboard mashing, letters shuffled inside words, repeated
// tokens and random characters of a script. Accuracy on held-out sources
// is in training/README.md.
//
// # Limits and differences from LLM Guard
//
//   - LLM Guard runs a fine-tuned transformer with four labels (clean,
//     mild gibberish, noise, word salad). This model has one score: the
//     probability of gibberish; Threshold (default 0.5) applies to it.
//   - Word salad (real words in a random order) is not detected: character
//     statistics cannot see it, and training for it raised false positives.
//   - Text of fewer than MinLetters letters (default 10) gets no verdict
//     (valid, risk 0): "ok", "thx!" or an emoji are not gibberish.
//   - Text whose letters are mostly Han or Hangul gets no verdict either:
//     their alphabets are too large for character statistics to separate
//     real text from random characters (held-out false positive rates were
//     85-95% before this rule).
package gibberish

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/internal/sentence"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "gibberish"

// ModelVersion changes whenever model.bin is retrained.
const ModelVersion = "1"

// Match types.
const (
	MatchFull     = "full"
	MatchSentence = "sentence"
)

//go:embed model.bin
var modelBin []byte

// Config configures Scanner.
type Config struct {
	// Threshold is the gibberish probability at or above which text is
	// flagged. Default 0.5.
	Threshold float64 `yaml:"threshold"`
	// MatchType is "full" (the whole text, default) or "sentence" (each
	// sentence; the text is flagged if one is).
	MatchType string `yaml:"match_type"`
	// MinLetters is the fewest letters a text (or sentence) needs for a
	// verdict. Default 10.
	MinLetters int `yaml:"min_letters"`
	// Model is a user gibberish classifier (see usermodel.go): a registry
	// id or name, or a local model directory. Empty uses the built-in model.
	Model string `yaml:"model"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Threshold: 0.5, MatchType: MatchFull, MinLetters: 10} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
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

// Scanner flags gibberish. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	cfg  Config
	m    *model
	pool sync.Pool
	fp   string
	// user is the user model, userLabels its gibberish labels.
	user       Classifier
	userLabels []string
}

var (
	_ scanner.Scanner       = (*Scanner)(nil)
	_ scanner.Fingerprinter = (*Scanner)(nil)
	_ scanner.Stager        = (*Scanner)(nil)
)

// New validates cfg and loads the embedded model; WithClassifier supplies
// the user model that cfg.Model names.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	m, err := parseModel(modelBin)
	if err != nil {
		return nil, fmt.Errorf("%s: embedded model: %w", Name, err)
	}
	s := &Scanner{cfg: cfg, m: m,
		fp: rulescan.Fingerprint(Name, ModelVersion+"/"+cfg.MatchType+"/"+fmt.Sprint(cfg.MinLetters), cfg.Threshold)}
	s.pool.New = func() any { return new(featurizer) }
	return withModel(s, opts)
}

// Name returns "gibberish".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner suits prompts and outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageBoth }

// Fingerprint identifies the configuration and model.
func (s *Scanner) Fingerprint() string { return s.fp }

// Score returns the gibberish probability of text, and false when text
// gets no verdict (too few letters, or mostly Han or Hangul).
func (s *Scanner) Score(text string) (float64, bool) {
	letters, big := 0, 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
			if unicode.In(r, unicode.Han, unicode.Hangul) {
				big++
			}
		}
	}
	if letters < s.cfg.MinLetters || 2*big > letters {
		return 0, false
	}
	f := s.pool.Get().(*featurizer)
	f.reset(s.m)
	f.add(text)
	p := s.m.prob(f.features())
	s.pool.Put(f)
	if math.IsNaN(p) {
		p = 1
	}
	return p, true
}

// chunkBytes bounds one scoring unit in full mode; longer texts are scored
// in pieces and the highest score counts, so gibberish appended to a long
// text is not averaged away.
const chunkBytes = 4096

func pieces(text string) [][2]int {
	var out [][2]int
	for a := 0; a < len(text); {
		b := min(a+chunkBytes, len(text))
		if b < len(text) {
			if k := strings.LastIndexAny(text[a:b], " \n\t"); k > chunkBytes/2 {
				b = a + k + 1
			}
			for b < len(text) && b > a && text[b]&0xC0 == 0x80 {
				b--
			}
		}
		out = append(out, [2]int{a, b})
		a = b
	}
	return out
}

// Scan flags in.Text() when its gibberish probability (or that of one of
// its sentences) reaches Threshold. It returns ctx.Err() once ctx is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	if s.user != nil {
		return s.scanModel(ctx, in.Text())
	}
	start := time.Now()
	text := in.Text()
	var spans [][2]int
	if s.cfg.MatchType == MatchSentence {
		spans = sentence.Spans(text)
	} else {
		spans = pieces(text)
	}
	res := scanner.Clean(text, scanner.MethodHeuristic)
	best := 0.0
	for i, sp := range spans {
		if i%64 == 63 {
			if err := ctx.Err(); err != nil {
				return scanner.Result{}, err
			}
		}
		p, ok := s.Score(text[sp[0]:sp[1]])
		if !ok {
			continue
		}
		best = max(best, p)
		if p >= s.cfg.Threshold && len(res.Findings) < 100 {
			res.Findings = append(res.Findings, scanner.Finding{Rule: Name, Start: sp[0], End: sp[1], Score: p,
				Detail: fmt.Sprintf("gibberish probability %.2f", p)})
		}
	}
	res.Risk = scanner.ClampRisk(best)
	res.Valid = len(res.Findings) == 0
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	res.Duration = time.Since(start)
	return res, nil
}
