// Package bantopics flags texts about banned topics, like LLM Guard's
// BanTopics, from built-in weighted lexicons.
//
// LLM Guard classifies the text zero-shot against the configured topic
// names with an NLI model. llmshield's built-in implementation instead
// looks the text up in its own lexicons (lexicons.go, English and German)
// for ten topics: violence, weapons, drugs, self_harm, sexual, politics,
// religion, medical, legal, financial. Text and entries are normalised with
// internal/normalize (case, accents, look-alikes, leetspeak, invisible
// characters) and matched in one Aho-Corasick pass on word boundaries
// (entries ending in "*" match any word with that stem). Each entry has a
// weight (1 unambiguous, 0.6 strong, 0.3 weak); a topic's score combines
// its distinct entries found as a noisy OR, 1-Π(1-w), so one unambiguous
// or strong word, or three weak ones, reach the default threshold 0.6
// (LLM Guard's default); one or two weak words do not.
//
// Parameters: topics (required, as in LLM Guard; built-in names and a few
// aliases such as "suicide", "sexual content", "financial advice";
// unknown names are a configuration error rather than silently matching
// nothing) and threshold. The lexicon score is not an entailment
// probability: it finds topic words, not intent, so "how do vaccines
// work?" is medical.
//
// With model (a registry id or name, or a local model directory) the
// scanner classifies zero-shot as LLM Guard does, with the user's NLI
// model (classifier.PairClassifier): each topic, free text then, becomes
// the hypothesis hypothesis_template (default LLM Guard's "This example is
// about {}.") with the text as premise, and a topic whose entailment
// probability reaches threshold flags the text. Differences from LLM
// Guard: multi_label defaults to true (each topic scored against
// contradiction on its own; LLM Guard's softmax over the topics, false
// here, always flags one of the topics when they are few and none
// applies); the comparison is score >= threshold (LLM Guard: >); the model
// sees the text truncated to its maximum length, as in LLM Guard.
//
// Lexicon precision/recall on data they were never built from is in
// scanner/bantopics/EVAL.md.
package bantopics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "ban_topics"

const maxFindings = 100

// Config configures Scanner.
type Config struct {
	// Topics to ban: built-in topic names (see TopicNames) or aliases.
	Topics []string `yaml:"topics"`
	// Threshold is the topic score at which a text is flagged, in (0,1].
	// Default 0.6.
	Threshold float64 `yaml:"threshold"`
	// Model is a zero-shot NLI model: a registry id or name, or a local
	// model directory. Empty uses the built-in lexicons.
	Model string `yaml:"model"`
	// HypothesisTemplate turns a topic into the hypothesis the model
	// judges; "{}" stands for the topic. Model only. Default
	// classifier.DefaultHypothesisTemplate.
	HypothesisTemplate string `yaml:"hypothesis_template"`
	// MultiLabel scores each topic on its own (entailment against
	// contradiction); false takes a softmax over the topics, as LLM Guard
	// does. Model only. Default true.
	MultiLabel bool `yaml:"multi_label"`
}

// DefaultConfig returns the defaults; Topics must still be set.
func DefaultConfig() Config {
	return Config{Threshold: 0.6, HypothesisTemplate: classifier.DefaultHypothesisTemplate, MultiLabel: true}
}

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in lexicons).
func (c Config) ConfiguredModel() string { return c.Model }

// canonical resolves a topic name or alias.
func canonical(topic string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(topic))
	k = strings.NewReplacer(" ", "_", "-", "_").Replace(k)
	if _, ok := lexicons[k]; ok {
		return k, true
	}
	c, ok := topicAliases[k]
	return c, ok
}

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if len(c.Topics) == 0 {
		return fmt.Errorf("topics: at least one topic is required (built-in: %s)", strings.Join(TopicNames(), ", "))
	}
	for i, t := range c.Topics {
		if c.Model != "" {
			// Zero-shot: any topic name the model can judge.
			if strings.TrimSpace(t) == "" || !utf8.ValidString(t) {
				return fmt.Errorf("topics[%d]: %q is empty or not valid UTF-8", i, t)
			}
			continue
		}
		if _, ok := canonical(t); !ok {
			return fmt.Errorf("topics[%d]: unknown topic %q (built-in: %s; any topic works with a model)", i, t, strings.Join(TopicNames(), ", "))
		}
	}
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold: %v outside (0,1]", c.Threshold)
	}
	if c.Model != "" && strings.Count(c.HypothesisTemplate, "{}") != 1 {
		return fmt.Errorf("hypothesis_template: %q must contain {} (the topic) exactly once", c.HypothesisTemplate)
	}
	return nil
}

// NLI is a zero-shot classifier; *classifier.PairClassifier implements it.
type NLI interface {
	ZeroShot(ctx context.Context, text string, candidates []string, template string, multiLabel bool) ([]float64, error)
	// Version identifies the weights (for fingerprints).
	Version() string
}

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithNLI gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithNLI(m NLI) Option { return func(s *Scanner) { s.nli = m } }

type entry struct {
	topic  int // index into Scanner.topics
	weight float64
	prefix bool
	label  string
}

// Scanner flags banned topics. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg     Config
	topics  []string
	entries []entry
	ac      *ahocorasick.Matcher
	nli     NLI
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg and compiles the lexicons of the configured topics,
// or, when cfg.Model is set, prepares zero-shot classification with the
// model given by WithNLI.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	s := &Scanner{cfg: cfg}
	if err := modelscan.Setup(Name, cfg, s, opts, "WithNLI", func(s *Scanner) bool { return s.nli != nil }); err != nil {
		return nil, err
	}
	if s.nli != nil {
		for _, t := range cfg.Topics {
			if t = strings.TrimSpace(t); !slices.Contains(s.topics, t) {
				s.topics = append(s.topics, t)
			}
		}
		s.Shell = rulescan.HashedShell(Name, scanner.StageBoth,
			fmt.Appendf(nil, "%s\x00nli\x00%s\x00%q\x00%v\x00%q\x00%v", Name, s.nli.Version(), s.topics, cfg.Threshold, cfg.HypothesisTemplate, cfg.MultiLabel))
		return s, nil
	}
	for _, t := range cfg.Topics {
		c, _ := canonical(t)
		if !slices.Contains(s.topics, c) {
			s.topics = append(s.topics, c)
		}
	}
	slices.Sort(s.topics)
	var pats []string
	seen := map[string]int{}
	for ti, t := range s.topics {
		for _, e := range lexicons[t] {
			txt, prefix := strings.CutSuffix(e.text, "*")
			n := strings.TrimSpace(normalize.String(txt))
			key := t + "\x00" + n + fmt.Sprint(prefix)
			if i, ok := seen[key]; ok { // the same entry listed for two languages
				s.entries[i].weight = max(s.entries[i].weight, e.weight)
				continue
			}
			seen[key] = len(s.entries)
			pats = append(pats, n)
			s.entries = append(s.entries, entry{topic: ti, weight: e.weight, prefix: prefix, label: e.text})
		}
	}
	s.ac = ahocorasick.New(pats)
	s.Shell = rulescan.HashedShell(Name, scanner.StageBoth, fmt.Appendf(nil, "%s\x00v1\x00%q\x00%v", Name, s.topics, cfg.Threshold))
	return s, nil
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Scores returns each configured topic's score for text, and the entries
// found (spans in text).
func (s *Scanner) Scores(text string) (map[string]float64, []scanner.Finding) {
	nr := normalize.Normalize(text, normalize.Options{})
	defer nr.Release()
	seg := &nr.Segments[0]
	norm := seg.Text
	found := make([]bool, len(s.entries))
	findings := []scanner.Finding{}
	s.ac.Each(norm, func(m ahocorasick.Match) bool {
		e := &s.entries[m.Pattern]
		if m.Start > 0 {
			if r, _ := utf8.DecodeLastRuneInString(norm[:m.Start]); isWord(r) {
				return true
			}
		}
		if !e.prefix && m.End < len(norm) {
			if r, _ := utf8.DecodeRuneInString(norm[m.End:]); isWord(r) {
				return true
			}
		}
		if !found[m.Pattern] && len(findings) < maxFindings {
			a, b := seg.Span(m.Start, m.End)
			findings = append(findings, scanner.Finding{Rule: s.topics[e.topic], Start: a, End: b, Score: e.weight,
				Detail: fmt.Sprintf("%s term %q", s.topics[e.topic], e.label)})
		}
		found[m.Pattern] = true
		return true
	})
	keep := make([]float64, len(s.topics))
	for i := range keep {
		keep[i] = 1
	}
	for i, f := range found {
		if f {
			keep[s.entries[i].topic] *= 1 - s.entries[i].weight
		}
	}
	scores := make(map[string]float64, len(s.topics))
	for i, t := range s.topics {
		scores[t] = math.Round((1-keep[i])*1e6) / 1e6
	}
	return scores, findings
}

// Scan flags in.Text() when a configured topic's score reaches the threshold.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		if s.nli != nil {
			return s.scanModel(ctx, text, res)
		}
		scores, findings := s.Scores(text)
		for _, t := range s.topics {
			res.Risk = max(res.Risk, scores[t])
		}
		res.Risk = scanner.ClampRisk(res.Risk)
		if res.Risk >= s.cfg.Threshold {
			res.Valid = false
			// report only the entries of topics over the threshold
			for _, f := range findings {
				if scores[f.Rule] >= s.cfg.Threshold {
					res.Findings = append(res.Findings, f)
				}
			}
		}
		return nil
	})
}

// scanModel classifies text zero-shot against the topics with the NLI
// model. Empty (white-space) text is valid, as in LLM Guard.
func (s *Scanner) scanModel(ctx context.Context, text string, res *scanner.Result) error {
	if judge, err := modelscan.Texts(Name, s.cfg.Threshold, res, text); !judge {
		return err
	}
	scores, err := s.nli.ZeroShot(ctx, text, s.topics, s.cfg.HypothesisTemplate, s.cfg.MultiLabel)
	if err == nil && len(scores) != len(s.topics) {
		err = fmt.Errorf("%d scores for %d topics", len(scores), len(s.topics))
	}
	if err != nil {
		return modelscan.Err(Name, s.cfg.Model, err)
	}
	for i, sc := range scores {
		risk := scanner.ClampRisk(sc)
		res.Risk = max(res.Risk, risk)
		if risk >= s.cfg.Threshold {
			res.Valid = false
			res.Findings = append(res.Findings, scanner.Finding{Rule: s.topics[i], Score: risk,
				Detail: fmt.Sprintf("zero-shot: %q entailed with probability %.3f", strings.Replace(s.cfg.HypothesisTemplate, "{}", s.topics[i], 1), sc)})
		}
	}
	return nil
}
