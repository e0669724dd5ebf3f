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
// flagged answers.
//
// With model (a registry id or name, or a local model directory) the
// similarity is the cosine of the prompt's and the answer's sentence
// embeddings from the user's model (classifier.Embedder), as in LLM Guard;
// pooling is auto (sentence-transformers' 1_Pooling/config.json, else
// mean), mean or cls (BGE models, LLM Guard's default, use cls). The
// threshold then defaults to LLM Guard's 0.5 instead of the lexical 0.075
// (threshold 0 means "the method's default"). Blank prompts or answers are
// not judged. Texts are truncated to the model's maximum length.
package relevance

import (
	"context"
	"fmt"
	"math"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/lexsim"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "relevance"

// maxBytes bounds how much of prompt and answer is compared.
const maxBytes = 64 << 10

// Config configures Scanner.
type Config struct {
	// Threshold: answers whose similarity to the prompt is below it are
	// flagged, in (0,1); 0 means the method's default: LexicalThreshold,
	// or ModelThreshold with a model.
	Threshold float64 `yaml:"threshold"`
	// Model is a sentence-embedding model: a registry id or name, or a
	// local model directory. Empty uses the built-in lexical similarity.
	Model string `yaml:"model"`
	// Pooling of the model's per-token outputs: auto (default), mean or cls.
	Pooling string `yaml:"pooling"`
}

// Default thresholds of the two methods.
const (
	// LexicalThreshold is the built-in method's, tuned in eval_test.go.
	LexicalThreshold = 0.075
	// ModelThreshold is LLM Guard's, for embedding cosine similarity.
	ModelThreshold = 0.5
)

// DefaultConfig returns the defaults (threshold by method, auto pooling).
func DefaultConfig() Config { return Config{Pooling: string(classifier.PoolingAuto)} }

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in lexical similarity).
func (c Config) ConfiguredModel() string { return c.Model }

// threshold is the effective threshold.
func (c Config) threshold() float64 {
	switch {
	case c.Threshold != 0:
		return c.Threshold
	case c.Model != "":
		return ModelThreshold
	}
	return LexicalThreshold
}

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if c.Threshold != 0 && !(c.Threshold > 0 && c.Threshold < 1) {
		return fmt.Errorf("threshold: %v outside (0,1) (0: the method's default)", c.Threshold)
	}
	if _, err := classifier.ParsePooling(c.Pooling); err != nil {
		return fmt.Errorf("pooling: %w", err)
	}
	return nil
}

// Embedder embeds texts; *classifier.Embedder implements it.
type Embedder interface {
	EmbedBatch(ctx context.Context, texts []string) ([][]float32, error)
	// Version identifies the weights (for fingerprints).
	Version() string
}

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithEmbedder gives the scanner the model that Config.Model names, with
// Config.Pooling applied (scanner/builtin loads it through the model hub).
func WithEmbedder(m Embedder) Option { return func(s *Scanner) { s.emb = m } }

// Scanner compares answers with prompts. It is immutable and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
	thr float64
	emb Embedder
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg; when cfg.Model is set, the model comes from
// WithEmbedder.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	s := &Scanner{cfg: cfg, thr: cfg.threshold()}
	if err := modelscan.Setup(Name, cfg, s, opts, "WithEmbedder", func(s *Scanner) bool { return s.emb != nil }); err != nil {
		return nil, err
	}
	fp := fmt.Sprintf("%s/v1/%g", Name, s.thr)
	if s.emb != nil {
		fp = fmt.Sprintf("%s/embed/%s/%s/%g", Name, s.emb.Version(), cfg.Pooling, s.thr)
	}
	s.Shell = rulescan.ShellWith(Name, scanner.StageOutput, fp)
	return s, nil
}

// Similarity returns the lexical similarity of prompt and answer and
// whether both have content words.
func Similarity(prompt, answer string) (float64, bool) {
	p := lexsim.New(normalize.Cut(prompt, maxBytes))
	a := lexsim.New(normalize.Cut(answer, maxBytes))
	if p.Len() == 0 || a.Len() == 0 {
		return 0, false
	}
	return lexsim.Cosine(p, a), true
}

// Scan compares in.Output with in.Prompt.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, _ string, res *scanner.Result) error {
		if !in.IsOutput() {
			return nil // nothing to compare a prompt with
		}
		if s.emb != nil {
			return s.scanModel(ctx, in, res)
		}
		if sim, ok := Similarity(in.Prompt, in.Output); ok {
			s.judge(res, "lexical", sim)
		}
		return nil
	})
}

// scanModel compares the embeddings of prompt and answer.
func (s *Scanner) scanModel(ctx context.Context, in scanner.Input, res *scanner.Result) error {
	if judge, err := modelscan.Texts(Name, s.thr, res, in.Prompt, in.Output); !judge {
		return err
	}
	vs, err := s.emb.EmbedBatch(ctx, []string{in.Prompt, in.Output})
	if err == nil && len(vs) != 2 {
		err = fmt.Errorf("%d embeddings for 2 texts", len(vs))
	}
	var sim float64
	if err == nil {
		sim, err = classifier.Cosine(vs[0], vs[1])
	}
	if err != nil {
		return modelscan.Err(Name, s.cfg.Model, err)
	}
	s.judge(res, "embedding", sim)
	return nil
}

// judge flags an answer whose similarity (of the kind named) to the
// prompt is below the threshold; the risk grows as the similarity falls.
func (s *Scanner) judge(res *scanner.Result, kind string, sim float64) {
	if sim < s.thr {
		rulescan.Flag(res, scanner.Finding{Rule: "irrelevant", Score: scanner.ClampRisk((s.thr - sim) / s.thr),
			Detail: fmt.Sprintf("%s similarity %.3f < %g", kind, math.Round(sim*1000)/1000, s.thr)})
	}
}
