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
//     rescaled risk.
//
// With model (a registry id or name, or a local model directory) the answer
// is scored by the user's sequence classifier (classifier.Classifier, e.g.
// ProtectAI/distilroberta-base-rejection-v1) as in LLM Guard: the refusal
// label is found by name in config.json id2label (REJECTION, then REFUSAL,
// then REFUSED, without regard to case; for a two-label model with generic
// names, LABEL_1), and a model with none of them is a start-up error
// listing its labels. The answer is flagged when P(refusal) is at least
// threshold; match_type full reads the whole answer in token windows,
// sentence each sentence, and the risk is the maximum over the parts.
package norefusal

import (
	"cmp"
	"context"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/rulescan"
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
	// Model is a refusal classifier: a registry id or name, or a local
	// model directory. Empty uses the built-in classifier.
	Model string `yaml:"model"`
}

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in classifier).
func (c Config) ConfiguredModel() string { return c.Model }

// Classifier is the user model; *classifier.Classifier implements it.
type Classifier = classifier.Model

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithClassifier gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithClassifier(m Classifier) Option { return func(s *Scanner) { s.user = m } }

// refusalNames are the labels that mean "refusal", in order of preference.
var refusalNames = []string{"rejection", "refusal", "refused"}

// RefusalLabel returns the label of labels that means a refusal: REJECTION,
// REFUSAL or REFUSED (any case), else LABEL_1 of a two-label model whose
// labels are LABEL_0 and LABEL_1; an error lists the labels when none is.
func RefusalLabel(labels []string) (string, error) {
	for _, n := range refusalNames {
		if i := slices.IndexFunc(labels, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), n) }); i >= 0 {
			return labels[i], nil
		}
	}
	if len(labels) == 2 && strings.EqualFold(labels[0], "LABEL_0") && strings.EqualFold(labels[1], "LABEL_1") {
		return labels[1], nil
	}
	return "", fmt.Errorf("no refusal label among the model's labels [%s] (want REJECTION, REFUSAL or REFUSED, or LABEL_0/LABEL_1)", strings.Join(labels, ", "))
}

// DefaultConfig returns LLM Guard's defaults.
func DefaultConfig() Config { return Config{Threshold: 0.75, MatchType: MatchFull} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if !(c.Threshold > 0 && c.Threshold < 1) {
		return fmt.Errorf("threshold: %v outside (0,1)", c.Threshold)
	}
	// An empty match_type is the default; any case is accepted.
	return rulescan.OneOfFold("match_type", cmp.Or(c.MatchType, MatchFull), MatchFull, MatchSentence)
}

// Scanner flags refusals. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg   Config
	model *Model

	user  Classifier // the user's model, if configured
	label string     // its refusal label
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg and loads the built-in model, or, with Config.Model,
// finds the refusal label of the classifier WithClassifier gives.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	s := &Scanner{cfg: cfg}
	if err := modelscan.Setup(Name, cfg, s, opts, "WithClassifier", func(s *Scanner) bool { return s.user != nil }); err != nil {
		return nil, err
	}
	cfg.MatchType = strings.ToLower(cfg.MatchType)
	if cfg.MatchType == "" {
		cfg.MatchType = MatchFull
	}
	s.cfg = cfg
	if s.user != nil {
		l, err := RefusalLabel(s.user.Labels())
		if err != nil {
			return nil, fmt.Errorf("%s: model: %s: %w", Name, cfg.Model, err)
		}
		s.label = l
		s.Shell = rulescan.ShellWith(Name, scanner.StageOutput, fmt.Sprintf("%s/model/%s/%s/%g/%s", Name, s.user.Version(), l, cfg.Threshold, cfg.MatchType))
		return s, nil
	}
	m, err := DecodeModel(modelBin)
	if err != nil {
		return nil, fmt.Errorf("%s: built-in model: %w", Name, err)
	}
	s.model, s.Shell = m, rulescan.HashedShell(Name, scanner.StageOutput, fmt.Appendf(nil, "%s\x00%v\x00%s\x00", Name, cfg.Threshold, cfg.MatchType), modelBin)
	return s, nil
}

// Scan scores in.Text().
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		res.Method = scanner.MethodML
		if strings.TrimSpace(text) == "" {
			return nil
		}
		if s.user != nil {
			return s.scanModel(ctx, text, res)
		}
		best, a, b := 0.0, 0, 0
		if s.cfg.MatchType == MatchSentence {
			for i, sp := range sentences(text, maxSentences) {
				if i%16 == 15 {
					if err := ctx.Err(); err != nil {
						return err
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
		return nil
	})
}

// scanModel scores a non-blank text with the user's classifier.
func (s *Scanner) scanModel(ctx context.Context, text string, res *scanner.Result) error {
	return modelscan.Judge(ctx, Name, s.cfg.Model, s.user, text, modelscan.MatchType(s.cfg.MatchType), []string{s.label}, s.cfg.Threshold, res, func(v modelscan.Verdict) scanner.Finding {
		return scanner.Finding{Rule: "REJECTION", Detail: fmt.Sprintf("model label %s probability %.3f ≥ %.2f", s.label, v.Prediction.Score, s.cfg.Threshold)}
	})
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
