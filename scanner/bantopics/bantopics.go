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
// nothing) and threshold. Differences from LLM Guard:
//   - the score is a lexicon score, not an entailment probability; it
//     finds topic words, not intent, so "how do vaccines work?" is medical;
//   - model (a user-supplied zero-shot NLI model) is not wired up yet: it
//     needs sentence-pair encoding in the tokenizer. Setting it is a
//     start-up error naming what is missing, never silently ignored.
//
// Lexicon precision/recall on data they were never built from is in
// scanner/bantopics/EVAL.md.
package bantopics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
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
	// Model would be a zero-shot NLI model; not supported yet.
	Model string `yaml:"model"`
}

// DefaultConfig returns the defaults; Topics must still be set.
func DefaultConfig() Config { return Config{Threshold: 0.6} }

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
		if _, ok := canonical(t); !ok {
			return fmt.Errorf("topics[%d]: unknown topic %q (built-in: %s)", i, t, strings.Join(TopicNames(), ", "))
		}
	}
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold: %v outside (0,1]", c.Threshold)
	}
	if c.Model != "" {
		return fmt.Errorf("model: zero-shot classification with a user-supplied NLI model is not supported yet (the tokenizer lacks sentence-pair encoding); remove model to use the built-in lexicons")
	}
	return nil
}

type entry struct {
	topic  int // index into Scanner.topics
	weight float64
	prefix bool
	label  string
}

// Scanner flags banned topics. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	cfg     Config
	topics  []string
	entries []entry
	ac      *ahocorasick.Matcher
	fp      string
}

var (
	_ scanner.Scanner       = (*Scanner)(nil)
	_ scanner.Fingerprinter = (*Scanner)(nil)
	_ scanner.Stager        = (*Scanner)(nil)
)

// New validates cfg and compiles the lexicons of the configured topics.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	s := &Scanner{cfg: cfg}
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
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00v1\x00%q\x00%v", Name, s.topics, cfg.Threshold))
	s.fp = hex.EncodeToString(sum[:16])
	return s, nil
}

// Name returns "ban_topics".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner suits prompts and outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageBoth }

// Fingerprint identifies the configuration.
func (s *Scanner) Fingerprint() string { return s.fp }

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
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	start := time.Now()
	text := in.Text()
	res := scanner.Clean(text, scanner.MethodHeuristic)
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
	res.Duration = time.Since(start)
	return res, nil
}
