// Package emotiondetection flags texts that express blocked emotions, like
// LLM Guard's EmotionDetection, with the 28 GoEmotions labels.
//
// LLM Guard runs a GoEmotions classifier (SamLowe/roberta-base-go_emotions).
// The built-in implementation here is a lexicon (lexicon.go, English, the
// project's own lists in the style of the NRC emotion lexicon): words,
// phrases and emoji are cues for emotions, strong cues weigh 0.6 and weak
// ones 0.3, a negator in the three words before a cue cancels it ("not
// happy"), and each emotion's score combines its distinct cues as a noisy
// OR, 1-Π(1-w). neutral is 1 minus the highest other score. Text is
// normalised with internal/normalize first.
//
// Parameters follow LLM Guard: threshold (default 0.5), blocked_emotions
// (default: the negative GoEmotions labels anger, annoyance,
// disappointment, disapproval, disgust, embarrassment, fear, grief,
// nervousness, remorse, sadness; names are checked against the 28 labels)
// and match_type (full, the default, or sentence: the maximum over
// sentences, which keeps cues from different sentences of a long text from
// adding up). The risk is the highest score of a blocked emotion.
//
// Limits: a lexicon sees words, not context: sarcasm, quoted speech and
// emotions described rather than expressed ("the film is about grief")
// fool it. eval_test.go measures it against sentiment labels as a proxy
// (there is no GoEmotions data in the shared datasets).
//
// With model (a registry id or name, or a local model directory) the text
// is scored by the user's emotion classifier (classifier.Classifier, e.g.
// SamLowe/roberta-base-go_emotions) as in LLM Guard: its labels come from
// config.json id2label, blocked_emotions must be among them (matched
// without regard to case; an unknown one is a start-up error naming it),
// and the text is flagged when a blocked emotion scores at least
// threshold. match_type full reads the whole text in token windows,
// sentence each sentence; the risk is the maximum over the parts. For a
// multi-label (sigmoid) model such as GoEmotions the risk is the highest
// blocked label's probability, exactly LLM Guard's rule; for a single-label
// (softmax) model it is the summed probability of the blocked emotions,
// which is at least each one's, so it flags everything LLM Guard would.
package emotiondetection

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/hashfeat"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "emotion_detection"

// Match types.
const (
	MatchFull     = "full"
	MatchSentence = "sentence"
)

const (
	maxBytes    = 256 << 10
	maxFindings = 50
)

// Config configures Scanner.
type Config struct {
	// Threshold is the emotion score at which a text is flagged, in (0,1]. Default 0.5.
	Threshold float64 `yaml:"threshold"`
	// BlockedEmotions are GoEmotions labels that flag a text.
	BlockedEmotions []string `yaml:"blocked_emotions"`
	// MatchType is "full" (default) or "sentence".
	MatchType string `yaml:"match_type"`
	// Model is an emotion classifier: a registry id or name, or a local
	// model directory. Empty uses the built-in lexicon.
	Model string `yaml:"model"`
}

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in lexicon).
func (c Config) ConfiguredModel() string { return c.Model }

// Classifier is the user model; *classifier.Classifier implements it.
type Classifier = classifier.Model

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithClassifier gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithClassifier(m Classifier) Option { return func(s *Scanner) { s.model = m } }

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Threshold: 0.5, BlockedEmotions: DefaultBlocked(), MatchType: MatchFull}
}

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold: %v outside (0,1]", c.Threshold)
	}
	if len(c.BlockedEmotions) == 0 {
		return fmt.Errorf("blocked_emotions: at least one emotion is required (labels: %s)", strings.Join(Labels[:], ", "))
	}
	for i, e := range c.BlockedEmotions {
		if c.Model != "" {
			if strings.TrimSpace(e) == "" {
				return fmt.Errorf("blocked_emotions[%d]: empty emotion", i)
			}
			continue // checked against the model's labels by New
		}
		if !slices.Contains(Labels[:], strings.ToLower(strings.TrimSpace(e))) {
			return fmt.Errorf("blocked_emotions[%d]: unknown emotion %q (labels: %s)", i, e, strings.Join(Labels[:], ", "))
		}
	}
	// An empty match_type is the default; any case is accepted.
	return rulescan.OneOfFold("match_type", cmp.Or(c.MatchType, MatchFull), MatchFull, MatchSentence)
}

type cue struct {
	toks   []string
	prefix bool // last token is a stem
	weight float64
	label  int
	id     int
}

// Scanner flags blocked emotions. It is immutable and safe for concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg     Config
	blocked []int
	byFirst map[string][]*cue
	stems   []*cue // single-token stems
	ncues   int

	model      Classifier
	modelBlock []string // the model's own names of the blocked emotions
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg and indexes the lexicon, or, with Config.Model, checks
// the blocked emotions against the labels of the classifier WithClassifier
// gives.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	s := &Scanner{cfg: cfg, byFirst: map[string][]*cue{}}
	if err := modelscan.Setup(Name, cfg, s, opts, "WithClassifier", func(s *Scanner) bool { return s.model != nil }); err != nil {
		return nil, err
	}
	s.cfg.MatchType = strings.ToLower(cfg.MatchType)
	if s.cfg.MatchType == "" {
		s.cfg.MatchType = MatchFull
	}
	for li, label := range Labels {
		for _, entry := range lexicon[label] {
			w := weakCue
			if t, ok := strings.CutPrefix(entry, "!"); ok {
				entry, w = t, strongCue
			}
			entry, prefix := strings.CutSuffix(entry, "*")
			toks := hashfeat.Tokens(normalize.String(entry))
			if len(toks) == 0 {
				continue
			}
			c := &cue{toks: toks, prefix: prefix, weight: w, label: li, id: s.ncues}
			s.ncues++
			if prefix && len(toks) == 1 {
				s.stems = append(s.stems, c)
			} else {
				s.byFirst[toks[0]] = append(s.byFirst[toks[0]], c)
			}
		}
	}
	if s.model != nil {
		return s.withModel()
	}
	for _, e := range cfg.BlockedEmotions {
		i := slices.Index(Labels[:], strings.ToLower(strings.TrimSpace(e)))
		if !slices.Contains(s.blocked, i) {
			s.blocked = append(s.blocked, i)
		}
	}
	slices.Sort(s.blocked)
	names := make([]string, len(s.blocked))
	for i, b := range s.blocked {
		names[i] = Labels[b]
	}
	s.Shell = rulescan.ShellWith(Name, scanner.StageBoth, fmt.Sprintf("%s/v1/%g/%s/%s", Name, cfg.Threshold, strings.Join(names, ","), s.cfg.MatchType))
	return s, nil
}

// withModel maps the blocked emotions to the model's labels.
func (s *Scanner) withModel() (*Scanner, error) {
	labels := s.model.Labels()
	for i, e := range s.cfg.BlockedEmotions {
		j := slices.IndexFunc(labels, func(l string) bool { return strings.EqualFold(l, strings.TrimSpace(e)) })
		if j < 0 {
			return nil, fmt.Errorf("%s: blocked_emotions[%d]: model %s has no label %q (its labels: %s)", Name, i, s.cfg.Model, e, strings.Join(labels, ", "))
		}
		if !slices.Contains(s.modelBlock, labels[j]) {
			s.modelBlock = append(s.modelBlock, labels[j])
		}
	}
	slices.Sort(s.modelBlock)
	s.Shell = rulescan.ShellWith(Name, scanner.StageBoth,
		fmt.Sprintf("%s/model/%s/%g/%s/%s", Name, s.model.Version(), s.cfg.Threshold, strings.Join(s.modelBlock, ","), s.cfg.MatchType))
	return s, nil
}

// Scores returns the built-in lexicon's score of every GoEmotions label
// for text (also for a scanner that runs a user model).
func (s *Scanner) Scores(text string) map[string]float64 {
	sc := s.scores(text)
	out := make(map[string]float64, len(Labels))
	for i, l := range Labels {
		out[l] = sc[i]
	}
	return out
}

func (s *Scanner) scores(text string) [len(Labels)]float64 {
	var keep [len(Labels)]float64
	for i := range keep {
		keep[i] = 1
	}
	seen := make(map[int]bool)
	for _, r := range text {
		if l, ok := emoji[r]; ok {
			li := slices.Index(Labels[:], l)
			if !seen[-1-li] {
				seen[-1-li] = true
				keep[li] *= 1 - strongCue
			}
		}
	}
	toks := hashfeat.Tokens(normalize.String(text))
	negated := func(i int) bool {
		for k := max(0, i-3); k < i; k++ {
			if negators[toks[k]] || strings.HasSuffix(toks[k], "n't") {
				return true
			}
		}
		return false
	}
	hit := func(c *cue, i int) {
		if seen[c.id] || negated(i) {
			return
		}
		seen[c.id] = true
		keep[c.label] *= 1 - c.weight
	}
	for i, t := range toks {
		for _, c := range s.byFirst[t] {
			if i+len(c.toks) > len(toks) {
				continue
			}
			ok := true
			for k := 1; k < len(c.toks); k++ {
				last := k == len(c.toks)-1
				if toks[i+k] != c.toks[k] && !(last && c.prefix && strings.HasPrefix(toks[i+k], c.toks[k])) {
					ok = false
					break
				}
			}
			if ok {
				hit(c, i)
			}
		}
		for _, c := range s.stems {
			if strings.HasPrefix(t, c.toks[0]) {
				hit(c, i)
			}
		}
	}
	var sc [len(Labels)]float64
	top := 0.0
	for i := range sc {
		sc[i] = math.Round((1-keep[i])*1e6) / 1e6
		if Labels[i] != "neutral" {
			top = max(top, sc[i])
		}
	}
	sc[len(Labels)-1] = math.Round((1-top)*1e6) / 1e6
	return sc
}

// Scan scores in.Text() and flags blocked emotions over the threshold.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		if s.model != nil {
			return s.scanModel(ctx, text, res)
		}
		body := normalize.Cut(text, maxBytes)
		type part struct{ a, b int }
		parts := []part{{0, len(body)}}
		if s.cfg.MatchType == MatchSentence {
			parts = parts[:0]
			a := 0
			for i := 0; i <= len(body); i++ {
				if i == len(body) || strings.IndexByte(".!?\n", body[i]) >= 0 {
					end := min(i+1, len(body))
					if strings.TrimSpace(body[a:end]) != "" {
						parts = append(parts, part{a, end})
					}
					a = end
				}
			}
		}
		for pi, p := range parts {
			if pi%256 == 255 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			sc := s.scores(body[p.a:p.b])
			for _, b := range s.blocked {
				res.Risk = max(res.Risk, sc[b])
				if sc[b] >= s.cfg.Threshold && len(res.Findings) < maxFindings {
					start, end := p.a, p.b
					if s.cfg.MatchType == MatchFull {
						start, end = 0, 0 // the whole text
					}
					res.Findings = append(res.Findings, scanner.Finding{Rule: Labels[b], Start: start, End: end, Score: sc[b],
						Detail: fmt.Sprintf("emotion %s score %.2f", Labels[b], sc[b])})
				}
			}
		}
		res.Risk = scanner.ClampRisk(res.Risk)
		res.Valid = res.Risk < s.cfg.Threshold
		return nil
	})
}

// scanModel scores text with the user's classifier. Blank text is valid.
func (s *Scanner) scanModel(ctx context.Context, text string, res *scanner.Result) error {
	v, err := modelscan.Run(ctx, Name, s.cfg.Model, s.model, text, modelscan.MatchType(s.cfg.MatchType), s.modelBlock, s.cfg.Threshold, res)
	if err != nil || !v.Flagged {
		return err
	}
	for _, l := range s.modelBlock {
		if p, ok := v.Prediction.Best.Result.Score(l); ok && p >= s.cfg.Threshold && len(res.Findings) < maxFindings {
			res.Findings = append(res.Findings, scanner.Finding{Rule: l, Start: v.Start, End: v.End, Score: scanner.ClampRisk(p),
				Detail: fmt.Sprintf("emotion %s probability %.3f", l, p)})
		}
	}
	if len(res.Findings) == 0 { // a softmax model: the blocked emotions together
		res.Findings = append(res.Findings, scanner.Finding{Rule: "blocked_emotions", Start: v.Start, End: v.End, Score: res.Risk,
			Detail: fmt.Sprintf("blocked emotions together have probability %.3f", v.Prediction.Score)})
	}
	return nil
}
