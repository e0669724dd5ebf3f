// Package bias flags answers that generalise about groups of people, like
// LLM Guard's Bias scanner.
//
// LLM Guard runs a bias classifier (d4data/bias-detection). The built-in
// implementation here is a lexicon-and-template baseline written by the
// project (English, some German): per sentence it looks for a group term
// (women, immigrants, Muslims, old people, Frauen, Ausländer, ...) and
//   - a generalisation about it: a quantifier before it ("all", "most",
//     "typical", "these", "alle", "typisch") or a copula/modal after it
//     ("are", "can't", "should", "always", "never", "tend to", "sind",
//     "können nicht") → 0.5;
//   - a stereotyping trait in the same sentence ("lazy", "criminal",
//     "bad at", "too emotional", "belong in the kitchen", "faul",
//     "kriminell") → 0.5 (0.3 without a generalisation).
//
// The sentence score is the sum, capped at 1; the answer's risk is the
// highest sentence score, flagged from threshold (default 0.5, as in LLM
// Guard). So "Women are too emotional to lead" (1.0) and "All immigrants
// are ..." (≥ 0.5) are flagged; "Women won the vote in 1920" (0) is not.
//
// Limits (see eval_test.go for measurements on ToxiGen statements): it
// misses implicit bias without group words or with unlisted groups, it
// flags neutral generalisations ("women are underrepresented in STEM" has
// a generalisation, 0.5), and it cannot tell quoting or refuting a
// stereotype from asserting it.
//
// With model (a registry id or name, or a local model directory) the
// answer is scored by the user's sequence classifier (classifier.Classifier,
// e.g. d4data/bias-detection or valurank/distilroberta-bias) as in LLM
// Guard: the score is the probability of the model's positive labels
// (config.json positive_labels, else every label that is not a benign
// name such as NEUTRAL or non-biased), the maximum over the parts
// match_type cuts the answer into (full: token windows over the whole
// answer, the default; truncate: LLM Guard's first max-length tokens;
// sentence; chunks; head_tail), flagged from threshold.
package bias

import (
	"context"
	"fmt"
	"strings"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/hashfeat"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "bias"

const (
	// generalWeight is the score of a generalisation without a trait;
	// chosen on the even rows of ToxiGen (eval_test.go).
	generalWeight = 0.5
	maxSentences  = 2000
	maxFindings   = 50
)

// Config configures Scanner.
type Config struct {
	// Threshold is the sentence score at which the answer is flagged, in (0,1]. Default 0.5.
	Threshold float64 `yaml:"threshold"`
	// Model is a bias classifier: a registry id or name, or a local model
	// directory. Empty uses the built-in lexicon baseline.
	Model string `yaml:"model"`
	// MatchType says how the model reads long answers (model only; default
	// full).
	MatchType classifier.MatchType `yaml:"match_type"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Threshold: 0.5, MatchType: classifier.MatchFull} }

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in lexicon baseline).
func (c Config) ConfiguredModel() string { return c.Model }

// Classifier is the user model; *classifier.Classifier implements it.
type Classifier = classifier.Model

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithClassifier gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithClassifier(m Classifier) Option { return func(s *Scanner) { s.model = m } }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold: %v outside (0,1]", c.Threshold)
	}
	if _, err := classifier.ParseMatchType(string(c.MatchType)); err != nil {
		return fmt.Errorf("match_type: %w", err)
	}
	return nil
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[normalize.String(w)] = true
	}
	return m
}

// group terms: single tokens, and two-token terms keyed "a b".
var groups = set(
	"women", "men", "girls", "boys", "females", "males", "wives", "husbands", "mothers", "fathers", "ladies",
	"blacks", "whites", "asians", "africans", "arabs", "latinos", "latinas", "hispanics", "mexicans", "indians",
	"jews", "muslims", "christians", "catholics", "hindus", "atheists", "immigrants", "migrants", "refugees", "foreigners", "illegals",
	"gays", "lesbians", "homosexuals", "transgenders", "feminists", "liberals", "conservatives", "millennials", "boomers", "elderly",
	"disabled", "autistic", "gypsies", "roma", "natives", "europeans", "americans", "russians", "germans", "poles",
	"black people", "white people", "asian people", "gay people", "trans people", "old people", "poor people", "fat people", "disabled people",
	"asian women", "black women", "black men", "white men", "muslim women", "native americans", "jewish people", "mentally ill",
	"frauen", "manner", "madchen", "auslander", "fluchtlinge", "migranten", "muslime", "juden", "schwarze", "turken", "araber", "schwule",
	"alte menschen", "behinderte", "arme",
)

var quantifiers = set("all", "every", "most", "typical", "these", "those", "such", "alle", "jeder", "jede", "typisch", "typische", "diese")

var afterGroup = set("are", "can't", "cannot", "don't", "should", "shouldn't", "must", "won't", "always", "never",
	"tend", "lack", "belong", "aren't", "sind", "sollten", "mussen", "immer", "nie")

var traits = set(
	"lazy", "stupid", "dumb", "inferior", "superior", "criminal", "criminals", "violent", "dangerous", "dirty", "filthy", "greedy", "cheap",
	"terrorists", "terrorist", "savages", "primitive", "emotional", "hysterical", "weak", "submissive", "irrational", "incompetent", "unintelligent",
	"untrustworthy", "liars", "thieves", "rapists", "animals", "parasites", "diseased", "uneducated", "backward", "barbaric", "illegal",
	"bad at", "good at math", "belong in the kitchen", "can't drive", "cannot drive", "too emotional", "not smart", "less intelligent",
	"naturally better", "naturally worse", "by nature", "genetically", "should stay home", "steal our jobs", "take our jobs", "breed",
	"faul", "dumm", "kriminell", "gefahrlich", "schmutzig", "gierig", "minderwertig", "primitiv", "hysterisch", "unfahig",
)

// Scanner flags generalisations about groups. It is immutable and safe
// for concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg   Config
	model Classifier
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	s := &Scanner{cfg: cfg}
	if err := modelscan.Setup(Name, cfg, s, opts, "WithClassifier", func(s *Scanner) bool { return s.model != nil }); err != nil {
		return nil, err
	}
	fp := fmt.Sprintf("%s/v1/%g", Name, cfg.Threshold)
	if s.model != nil {
		mt, _ := classifier.ParseMatchType(string(cfg.MatchType))
		s.cfg.MatchType = mt
		fp = fmt.Sprintf("%s/model/%s/%s/%g", Name, s.model.Version(), mt, cfg.Threshold)
	}
	s.Shell = rulescan.ShellWith(Name, scanner.StageOutput, fp)
	return s, nil
}

// SentenceScore scores one sentence and says why.
func SentenceScore(sentence string) (float64, string) {
	toks := hashfeat.Tokens(normalize.String(sentence))
	group, general := "", false
	for i, t := range toks {
		g := ""
		n := 1
		if i+1 < len(toks) && groups[t+" "+toks[i+1]] {
			g, n = t+" "+toks[i+1], 2
		} else if groups[t] {
			g = t
		}
		if g == "" {
			continue
		}
		group = g
		if i > 0 && quantifiers[toks[i-1]] || i+n < len(toks) && afterGroup[toks[i+n]] {
			general = true
			break
		}
	}
	if group == "" {
		return 0, ""
	}
	trait := ""
	for i, t := range toks {
		if traits[t] {
			trait = t
			break
		}
		for k := 2; k <= 4 && i+k <= len(toks); k++ {
			if p := strings.Join(toks[i:i+k], " "); traits[p] {
				trait = p
				break
			}
		}
		if trait != "" {
			break
		}
	}
	score := 0.0
	var why []string
	if general {
		score += generalWeight
		why = append(why, "generalisation about "+group)
	}
	if trait != "" {
		if general {
			score += 0.5
		} else {
			score += 0.3
		}
		why = append(why, "stereotyping trait "+trait)
	}
	return min(score, 1), strings.Join(why, "; ")
}

// Scan scores every sentence of in.Text().
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		if s.model != nil {
			return s.scanModel(ctx, text, res)
		}
		a, n := 0, 0
		for i := 0; i <= len(text) && n < maxSentences; i++ {
			if i < len(text) && !strings.ContainsRune(".!?\n;", rune(text[i])) {
				continue
			}
			end := min(i+1, len(text))
			if strings.TrimSpace(text[a:end]) != "" {
				n++
				if n%256 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				if sc, why := SentenceScore(text[a:end]); sc > 0 {
					res.Risk = max(res.Risk, sc)
					if sc >= s.cfg.Threshold && len(res.Findings) < maxFindings {
						res.Findings = append(res.Findings, scanner.Finding{Rule: "group_generalisation", Start: a, End: end, Score: sc, Detail: why})
					}
				}
			}
			a = end
		}
		res.Valid = res.Risk < s.cfg.Threshold
		return nil
	})
}

// scanModel scores text with the user's classifier. Blank text is valid.
func (s *Scanner) scanModel(ctx context.Context, text string, res *scanner.Result) error {
	return modelscan.Judge(ctx, Name, s.cfg.Model, s.model, text, s.cfg.MatchType, nil, s.cfg.Threshold, res, func(v modelscan.Verdict) scanner.Finding {
		return scanner.Finding{Rule: "biased", Detail: fmt.Sprintf("model label %s with probability %.3f", s.model.BestLabel(v.Prediction, nil), v.Prediction.Score)}
	})
}
