// Package relevance flags answers that have little to do with the prompt,
// like LLM Guard's Relevance.
//
// LLM Guard compares sentence embeddings (BAAI/bge-small-en-v1.5) of the
// prompt and the answer and flags a cosine similarity under threshold 0.5.
// llmshield's built-in implementation is lexical: the cosine similarity of
// the prompt's and the answer's content-word stems (internal/lexsim:
// normalised, English and German stop words removed, words cut to six
// letters, 1+log tf weights). Lexical similarity between a question and a
// good answer is much lower than embedding similarity, so the default
// threshold is 0.075, chosen on a proxy task (eval_test.go): it flags answers
// that share almost no content word with the prompt. An answer that
// paraphrases without reusing any prompt word is flagged too; that is the
// limit of a lexical baseline.
//
// Texts with no content words on either side (empty prompt, "OK.") are
// not judged (valid, risk 0). Risk is (threshold-similarity)/threshold for
// flagged answers. model (a user-supplied embedding model) is not wired up
// yet (it needs pooling in the inference engine): setting it is a
// configuration error naming what is missing.
package relevance

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/llmshield/llmshield/internal/hashfeat"
	"github.com/llmshield/llmshield/internal/lexsim"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "relevance"

// maxBytes bounds how much of prompt and answer is compared.
const maxBytes = 64 << 10

// Config configures Scanner.
type Config struct {
	// Threshold: answers whose similarity to the prompt is below it are
	// flagged, in (0,1). Default 0.075 (lexical; see the package doc).
	Threshold float64 `yaml:"threshold"`
	// Model would be a sentence-embedding model; not supported yet.
	Model string `yaml:"model"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Threshold: 0.075} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if !(c.Threshold > 0 && c.Threshold < 1) {
		return fmt.Errorf("threshold: %v outside (0,1)", c.Threshold)
	}
	if c.Model != "" {
		return fmt.Errorf("model: sentence-embedding models are not supported yet (the inference engine has no pooling); remove model to use the built-in lexical similarity")
	}
	return nil
}

// Scanner compares answers with prompts. It is immutable and safe for
// concurrent use.
type Scanner struct {
	cfg Config
	fp  string
}

var (
	_ scanner.Scanner       = (*Scanner)(nil)
	_ scanner.Fingerprinter = (*Scanner)(nil)
	_ scanner.Stager        = (*Scanner)(nil)
)

// New validates cfg.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &Scanner{cfg: cfg, fp: fmt.Sprintf("%s/v1/%g", Name, cfg.Threshold)}, nil
}

// Name returns "relevance".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner checks outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageOutput }

// Fingerprint identifies the configuration.
func (s *Scanner) Fingerprint() string { return s.fp }

// Similarity returns the lexical similarity of prompt and answer and
// whether both have content words.
func Similarity(prompt, answer string) (float64, bool) {
	p := lexsim.New(hashfeat.Cut(prompt, maxBytes))
	a := lexsim.New(hashfeat.Cut(answer, maxBytes))
	if p.Len() == 0 || a.Len() == 0 {
		return 0, false
	}
	return lexsim.Cosine(p, a), true
}

// Scan compares in.Output with in.Prompt.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	start := time.Now()
	text := in.Text()
	res := scanner.Clean(text, scanner.MethodHeuristic)
	if !in.IsOutput() {
		res.Duration = time.Since(start)
		return res, nil // nothing to compare a prompt with
	}
	sim, ok := Similarity(in.Prompt, in.Output)
	if ok && sim < s.cfg.Threshold {
		res.Valid = false
		res.Risk = scanner.ClampRisk((s.cfg.Threshold - sim) / s.cfg.Threshold)
		res.Findings = append(res.Findings, scanner.Finding{Rule: "irrelevant", Score: res.Risk,
			Detail: fmt.Sprintf("lexical similarity %.3f < %g", math.Round(sim*1000)/1000, s.cfg.Threshold)})
	}
	res.Duration = time.Since(start)
	return res, nil
}
