// Package norefusal flags answers in which the model refuses, with a small
// classifier trained by the project, like LLM Guard's NoRefusal (which runs
// ProtectAI/distilroberta-base-rejection-v1).
//
// The built-in model (model.bin, 512 KiB, embedded) is a logistic
// regression over hashed word unigrams and bigrams, head-of-answer
// features and character trigrams (internal/hashfeat), evaluated in pure Go
// in tens of microseconds. It is trained by `go run ./training/norefusal`
// on generated refusals in ten languages (EN, DE, FR, ES, IT, PT, NL, ZH,
// JA, RU) and compliant answers built from benign text of the shared
// datasets; training/norefusal/README.md has the held-out accuracy table.
// Only the first 1024 bytes of the text (of each sentence in sentence
// mode) are read: refusals come first.
//
// Parameters follow LLM Guard: threshold (default 0.75) and match_type
// (full, the default, or sentence: the maximum over the first 64
// sentences). Differences:
//   - risk is the model's refusal probability itself, not LLM Guard's
//     rescaled risk;
//   - model: a user-supplied Hugging Face model is not wired up yet;
//     setting it is a configuration error, never silently ignored.
package norefusal

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "no_refusal"

// Match types.
const (
	MatchFull     = "full"
	MatchSentence = "sentence"
)

const maxSentences = 64

//go:embed model.bin
var modelBin []byte

// Config configures Scanner.
type Config struct {
	// Threshold is the refusal probability at which an answer is flagged,
	// in (0,1). Default 0.75, as in LLM Guard.
	Threshold float64 `yaml:"threshold"`
	// MatchType is "full" (default) or "sentence".
	MatchType string `yaml:"match_type"`
	// Model would name a user-supplied classifier; not supported yet, so
	// any value is an error.
	Model string `yaml:"model"`
}

// DefaultConfig returns LLM Guard's defaults.
func DefaultConfig() Config { return Config{Threshold: 0.75, MatchType: MatchFull} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if !(c.Threshold > 0 && c.Threshold < 1) {
		return fmt.Errorf("threshold: %v outside (0,1)", c.Threshold)
	}
	switch strings.ToLower(c.MatchType) {
	case MatchFull, MatchSentence, "":
	default:
		return fmt.Errorf("match_type: unknown %q (want %q or %q)", c.MatchType, MatchFull, MatchSentence)
	}
	if c.Model != "" {
		return fmt.Errorf("model: user-supplied models are not supported by %s yet (it needs the sequence-classification pipeline wired to this scanner); remove model to use the built-in classifier", Name)
	}
	return nil
}

// Scanner flags refusals. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	cfg   Config
	model *Model
	fp    string
}

var (
	_ scanner.Scanner       = (*Scanner)(nil)
	_ scanner.Fingerprinter = (*Scanner)(nil)
	_ scanner.Stager        = (*Scanner)(nil)
)

// New validates cfg and loads the built-in model.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	cfg.MatchType = strings.ToLower(cfg.MatchType)
	if cfg.MatchType == "" {
		cfg.MatchType = MatchFull
	}
	m, err := DecodeModel(modelBin)
	if err != nil {
		return nil, fmt.Errorf("%s: built-in model: %w", Name, err)
	}
	sum := sha256.New()
	fmt.Fprintf(sum, "%s\x00%v\x00%s\x00", Name, cfg.Threshold, cfg.MatchType)
	sum.Write(modelBin)
	return &Scanner{cfg: cfg, model: m, fp: hex.EncodeToString(sum.Sum(nil)[:16])}, nil
}

// Name returns "no_refusal".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner checks outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageOutput }

// Fingerprint identifies the configuration and the model.
func (s *Scanner) Fingerprint() string { return s.fp }

// Scan scores in.Text().
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	start := time.Now()
	text := in.Text()
	res := scanner.Clean(text, scanner.MethodML)
	if strings.TrimSpace(text) == "" {
		res.Duration = time.Since(start)
		return res, nil
	}
	best, a, b := 0.0, 0, 0
	if s.cfg.MatchType == MatchSentence {
		for i, sp := range sentences(text, maxSentences) {
			if i%16 == 15 {
				if err := ctx.Err(); err != nil {
					return scanner.Result{}, err
				}
			}
			if p := s.model.Score(text[sp[0]:sp[1]]); p > best {
				best, a, b = p, sp[0], sp[1]
			}
		}
	} else {
		best = s.model.Score(text)
	}
	res.Risk = scanner.ClampRisk(best)
	if best >= s.cfg.Threshold {
		res.Valid = false
		res.Findings = append(res.Findings, scanner.Finding{Rule: "REJECTION", Start: a, End: b, Score: res.Risk,
			Detail: fmt.Sprintf("refusal probability %.3f ≥ %.2f", best, s.cfg.Threshold)})
	}
	res.Duration = time.Since(start)
	return res, nil
}

// sentences returns the byte spans of up to limit non-blank sentences,
// split after . ! ? and their CJK forms, and at line breaks.
func sentences(text string, limit int) [][2]int {
	var out [][2]int
	start := 0
	emit := func(end int) {
		if strings.TrimSpace(text[start:end]) != "" {
			out = append(out, [2]int{start, end})
		}
		start = end
	}
	for i := 0; i < len(text) && len(out) < limit; {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch r {
		case '.', '!', '?', '。', '！', '？', '\n':
			emit(i)
		}
	}
	if len(out) < limit && start < len(text) {
		emit(len(text))
	}
	return out
}
