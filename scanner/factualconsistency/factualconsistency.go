// Package factualconsistency flags answers that state facts the prompt
// does not support, like LLM Guard's FactualConsistency.
//
// LLM Guard asks an NLI model whether the prompt entails the answer and
// flags an entailment score under minimum_score (default 0.75). The
// built-in implementation here is a measured baseline, not inference: it
// extracts the checkable claims of the answer, numbers (with thousands
// separators and decimal commas normalised: "3,000", "3.5", "3,5", "42%")
// and names (runs of capitalised words, excluding a single capitalised
// word at the start of a sentence and common sentence openers), and looks
// each up in the prompt (numbers by value; names by all of their words,
// case-folded and normalised). The score is the share of claims found;
// an answer with no checkable claim scores 1 (nothing contradicts the
// prompt). The answer is flagged when the score is below minimum_score;
// risk is 1-score.
//
// Limits: it cannot see paraphrased or negated claims ("did not win"),
// relations between correct names and numbers, or claims without numbers
// or names; a correct answer that adds true outside facts is flagged.
// eval_test.go measures it on a perturbation task.
//
// With model (a registry id or name, or a local model directory) the
// scanner asks the user's NLI model (classifier.PairClassifier) whether the
// prompt (premise) entails the answer (hypothesis), as LLM Guard does; the
// score is the entailment probability (softmax over the model's labels,
// the entailment label found by name in its config.json) and the answer
// is flagged below minimum_score, with risk 1-score. The pair is truncated
// to the model's maximum length, the longer text first.
package factualconsistency

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/hashfeat"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "factual_consistency"

const (
	maxBytes    = 64 << 10
	maxFindings = 50
)

// Config configures Scanner.
type Config struct {
	// MinimumScore is the share of the answer's claims the prompt must
	// support, in (0,1]. Default 0.75, as in LLM Guard.
	MinimumScore float64 `yaml:"minimum_score"`
	// Model is an NLI model: a registry id or name, or a local model
	// directory. Empty uses the built-in claim check.
	Model string `yaml:"model"`
}

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in claim check).
func (c Config) ConfiguredModel() string { return c.Model }

// NLI scores entailment; *classifier.PairClassifier implements it.
type NLI interface {
	Entailment(ctx context.Context, premise, hypothesis string) (float64, error)
	// Version identifies the weights (for fingerprints).
	Version() string
}

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithNLI gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithNLI(m NLI) Option { return func(s *Scanner) { s.nli = m } }

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{MinimumScore: 0.75} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if !(c.MinimumScore > 0 && c.MinimumScore <= 1) {
		return fmt.Errorf("minimum_score: %v outside (0,1]", c.MinimumScore)
	}
	return nil
}

// Scanner checks answers against prompts. It is immutable and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
	nli NLI
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg; when cfg.Model is set, the model comes from WithNLI.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	s := &Scanner{cfg: cfg}
	if err := modelscan.Setup(Name, cfg, s, opts, "WithNLI", func(s *Scanner) bool { return s.nli != nil }); err != nil {
		return nil, err
	}
	fp := fmt.Sprintf("%s/v1/%g", Name, cfg.MinimumScore)
	if s.nli != nil {
		fp = fmt.Sprintf("%s/nli/%s/%g", Name, s.nli.Version(), cfg.MinimumScore)
	}
	s.Shell = rulescan.ShellWith(Name, scanner.StageOutput, fp)
	return s, nil
}

// Claim is a checkable piece of the answer.
type Claim struct {
	Kind       string // "number" or "name"
	Start, End int    // byte span in the answer
	Text       string
	Supported  bool
}

// openers are capitalised words that often start sentences or stand alone
// without being names.
var openers = map[string]bool{
	"The": true, "A": true, "An": true, "This": true, "That": true, "These": true, "Those": true, "It": true, "In": true,
	"On": true, "At": true, "I": true, "We": true, "You": true, "He": true, "She": true, "They": true, "Yes": true, "No": true,
	"However": true, "But": true, "And": true, "Or": true, "If": true, "When": true, "While": true, "As": true, "For": true,
	"Der": true, "Die": true, "Das": true, "Ein": true, "Eine": true, "Es": true, "Ich": true, "Wir": true, "Sie": true, "Er": true,
}

type word struct {
	a, b int
	text string
}

func words(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		w := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || ((r == '.' || r == ',') && start >= 0)
		if w && start < 0 {
			start = i
		} else if !w && start >= 0 {
			out = append(out, word{start, i, s[start:i]})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{start, len(s), s[start:]})
	}
	// trailing separators belong to the sentence, not the word
	for i := range out {
		for strings.HasSuffix(out[i].text, ".") || strings.HasSuffix(out[i].text, ",") {
			out[i].text = out[i].text[:len(out[i].text)-1]
			out[i].b--
		}
	}
	return out
}

// number parses a word as a number: "3,000" and "3.000" (thousands),
// "3.5" and "3,5" (decimals).
func number(w string) (float64, bool) {
	if w == "" || !unicode.IsDigit(rune(w[0])) {
		return 0, false
	}
	for _, r := range w {
		if !(unicode.IsDigit(r) || r == '.' || r == ',') {
			return 0, false
		}
	}
	clean := w
	dot, comma := strings.Count(w, "."), strings.Count(w, ",")
	switch {
	case dot > 0 && comma > 0: // the later separator is the decimal one
		dec := strings.LastIndexAny(w, ".,")
		clean = strings.NewReplacer(",", "", ".", "").Replace(w[:dec]) + "." + w[dec+1:]
	case dot+comma > 1: // only thousands separators
		clean = strings.NewReplacer(",", "", ".", "").Replace(w)
	case dot+comma == 1:
		i := strings.IndexAny(w, ".,")
		if len(w)-i-1 == 3 {
			clean = w[:i] + w[i+1:] // "3,000", "3.000": thousands
		} else {
			clean = w[:i] + "." + w[i+1:]
		}
	}
	v, err := strconv.ParseFloat(clean, 64)
	return v, err == nil && !math.IsInf(v, 0)
}

func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// Claims extracts the answer's claims and marks those the prompt supports.
func Claims(prompt, answer string) []Claim {
	prompt, answer = normalize.Cut(prompt, maxBytes), normalize.Cut(answer, maxBytes)
	pw := words(prompt)
	nums := map[float64]bool{}
	for _, w := range pw {
		if v, ok := number(w.text); ok {
			nums[v] = true
		}
	}
	ptoks := map[string]bool{}
	for _, t := range hashfeat.Tokens(normalize.String(prompt)) {
		ptoks[t] = true
	}
	aw := words(answer)
	var claims []Claim
	for i := 0; i < len(aw); i++ {
		w := aw[i]
		if v, ok := number(w.text); ok {
			claims = append(claims, Claim{Kind: "number", Start: w.a, End: w.b, Text: w.text, Supported: nums[v]})
			continue
		}
		if !capitalised(w.text) {
			continue
		}
		// a run of capitalised words (allowing "of", "de", "von", "van" inside)
		j := i + 1
		for j < len(aw) && (capitalised(aw[j].text) || (j+1 < len(aw) && capitalised(aw[j+1].text) && isParticle(aw[j].text))) && aw[j].a-aw[j-1].b <= 1 {
			j++
		}
		sentenceStart := i == 0 || strings.ContainsAny(answer[aw[i-1].b:w.a], ".!?:\n")
		run := aw[i:j]
		for len(run) > 0 && openers[run[0].text] {
			run = run[1:]
		}
		if len(run) == 0 || (sentenceStart && j-i == 1) {
			i = j - 1
			continue
		}
		a, b := run[0].a, run[len(run)-1].b
		text := answer[a:b]
		ok := true
		for _, t := range hashfeat.Tokens(normalize.String(text)) {
			if !ptoks[t] && !isParticle(t) {
				ok = false
				break
			}
		}
		claims = append(claims, Claim{Kind: "name", Start: a, End: b, Text: text, Supported: ok})
		i = j - 1
	}
	return claims
}

func isParticle(w string) bool {
	switch strings.ToLower(w) {
	case "of", "de", "von", "van", "der", "la", "le", "del", "da", "di", "and", "the":
		return true
	}
	return false
}

// Score returns the share of the answer's claims the prompt supports (1
// when there are none) and the claims.
func Score(prompt, answer string) (float64, []Claim) {
	claims := Claims(prompt, answer)
	if len(claims) == 0 {
		return 1, claims
	}
	n := 0
	for _, c := range claims {
		if c.Supported {
			n++
		}
	}
	return float64(n) / float64(len(claims)), claims
}

// Scan checks in.Output against in.Prompt.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		if !in.IsOutput() || strings.TrimSpace(in.Prompt) == "" {
			return nil // nothing to check against
		}
		if s.nli != nil {
			return s.scanModel(ctx, in, res)
		}
		score, claims := Score(in.Prompt, in.Output)
		if score < s.cfg.MinimumScore {
			res.Valid = false
			res.Risk = scanner.ClampRisk(1 - score)
			for _, c := range claims {
				if !c.Supported && len(res.Findings) < maxFindings && c.End <= len(text) {
					res.Findings = append(res.Findings, scanner.Finding{Rule: "unsupported_" + c.Kind, Start: c.Start, End: c.End, Score: res.Risk,
						Detail: fmt.Sprintf("%s not found in the prompt (support %.2f < %g)", c.Kind, score, s.cfg.MinimumScore)})
				}
			}
		}
		return nil
	})
}

// scanModel scores the entailment of the answer by the prompt with the NLI
// model. A blank answer is valid, as in LLM Guard.
func (s *Scanner) scanModel(ctx context.Context, in scanner.Input, res *scanner.Result) error {
	if judge, err := modelscan.Texts(Name, s.cfg.MinimumScore, res, in.Prompt, in.Output); !judge {
		return err
	}
	score, err := s.nli.Entailment(ctx, in.Prompt, in.Output)
	if err == nil && (score != score || score < 0 || score > 1) {
		err = fmt.Errorf("entailment score %v outside [0,1]", score)
	}
	if err != nil {
		return modelscan.Err(Name, s.cfg.Model, err)
	}
	if score < s.cfg.MinimumScore {
		rulescan.Flag(res, scanner.Finding{Rule: "not_entailed", Score: scanner.ClampRisk(1 - score),
			Detail: fmt.Sprintf("the prompt entails the answer with probability %.3f < %g", score, s.cfg.MinimumScore)})
	}
	return nil
}
