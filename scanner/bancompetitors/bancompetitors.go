// Package bancompetitors flags (and by default redacts) mentions of
// competitors, like LLM Guard's BanCompetitors.
//
// LLM Guard finds organisation names with a NER model and compares them
// with the competitor list. Built in, this scanner is a gazetteer instead:
// every competitor and alias is matched directly, so it needs no model and
// finds names a NER model misses (lower-case, inside product names), but
// it only knows the names it is given. Matching:
//   - text and names are normalised with internal/normalize (case folding,
//     accents, fullwidth and look-alike letters, leetspeak such as
//     "G00gle", invisible characters);
//   - exact matches use one Aho-Corasick pass over all names and must start
//     and end on word boundaries ("Meta" does not match "metadata");
//   - fuzzy matches (on by default) compare each name of at least 7
//     letters with the same number of words of the text by Levenshtein
//     distance (github.com/lithammer/fuzzysearch): at most 1 edit for
//     names of 7–11 characters, 2 from 12 on; the first letter must agree
//     (this keeps the scan linear and cuts false matches; a typo in the
//     first letter is missed). A fuzzy match scores 1 - d/(len+1).
//
// With a user NER model (model: a registry id or name or a local
// directory with model.onnx, tokenizer.json and IOB2 labels in
// config.json, loaded by scanner/builtin through the classifier hub), a
// gazetteer match counts only where it overlaps an entity of one of
// entity_types (default ORG) scoring at least threshold, as LLM Guard
// counts only ORG entities: "an apple a day" no longer matches "Apple".
// The finding covers the entity and the match (the whole organisation name
// is redacted) and scores the lower of the two scores. Entities are
// aggregated with aggregation_strategy (Hugging Face's names; default
// simple, as LLM Guard). Unlike LLM Guard, the entity text is matched
// with the gazetteer's normalisation, aliases and fuzzy matching rather
// than compared verbatim with the list.
//
// Parameters follow LLM Guard: competitors, threshold (default 0.5; a
// match flags the text when its score reaches it), redact (default true,
// replaces each match with "[REDACTED]"), model. Additions: aliases
// (canonical name → other spellings, reported under the canonical name),
// fuzzy, entity_types and aggregation_strategy.
package bancompetitors

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lithammer/fuzzysearch/fuzzy"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "ban_competitors"

// Redaction replaces each match when Redact is set.
const Redaction = "[REDACTED]"

const (
	maxFindings    = 100
	fuzzyMinLen    = 7
	fuzzyTwoLen    = 12
	maxNameEntries = 10000
)

// Config configures Scanner.
type Config struct {
	// Competitors are the names to ban. At least one.
	Competitors []string `yaml:"competitors"`
	// Aliases maps a competitor to other names for it; matches of an
	// alias are reported under the competitor. Keys must be listed in
	// Competitors.
	Aliases map[string][]string `yaml:"aliases"`
	// Threshold is the match score at which the text is flagged, in (0,1].
	// Exact matches score 1. Default 0.5.
	Threshold float64 `yaml:"threshold"`
	// Redact replaces matches with "[REDACTED]". Default true.
	Redact bool `yaml:"redact"`
	// Fuzzy enables edit-distance matching of longer names. Default true.
	Fuzzy bool `yaml:"fuzzy"`
	// Model is a token-classification (NER) model: a registry id or name,
	// or a local model directory. Empty uses the gazetteer alone.
	Model string `yaml:"model"`
	// EntityTypes are the model's entity types a match must fall in
	// (labels B-ORG/I-ORG name type ORG). Default [ORG].
	EntityTypes []string `yaml:"entity_types"`
	// AggregationStrategy groups the model's token labels into entities:
	// none, simple (default), first, average or max.
	AggregationStrategy string `yaml:"aggregation_strategy"`
}

// DefaultConfig returns the defaults; Competitors must still be set.
func DefaultConfig() Config {
	return Config{Threshold: 0.5, Redact: true, Fuzzy: true, EntityTypes: []string{"ORG"}, AggregationStrategy: string(classifier.AggregateSimple)}
}

// ConfiguredModel returns the user NER model the configuration names (""
// for the gazetteer alone).
func (c Config) ConfiguredModel() string { return c.Model }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if len(c.Competitors) == 0 {
		return fmt.Errorf("competitors: at least one competitor is required")
	}
	known := map[string]bool{}
	check := func(field, s string) error {
		if !utf8.ValidString(s) {
			return fmt.Errorf("%s: not valid UTF-8", field)
		}
		if len(tokens(normalize.String(s))) == 0 {
			return fmt.Errorf("%s: %q has no letters or digits", field, s)
		}
		return nil
	}
	for i, s := range c.Competitors {
		if err := check(fmt.Sprintf("competitors[%d]", i), s); err != nil {
			return err
		}
		known[s] = true
	}
	n := len(c.Competitors)
	for k, v := range c.Aliases {
		if !known[k] {
			return fmt.Errorf("aliases: key %q is not in competitors", k)
		}
		for i, a := range v {
			if err := check(fmt.Sprintf("aliases[%q][%d]", k, i), a); err != nil {
				return err
			}
		}
		n += len(v)
	}
	if n > maxNameEntries {
		return fmt.Errorf("competitors: %d names and aliases, more than %d", n, maxNameEntries)
	}
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold: %v outside (0,1]", c.Threshold)
	}
	return c.validateModel()
}

type name struct {
	norm      string   // normalised form
	words     []string // its tokens
	joined    string   // its tokens joined by single spaces
	runes     int      // letters and digits
	first     rune
	canonical int // index into cfg.Competitors
}

// Scanner flags competitor names. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg   Config
	names []name
	fuzzy []int // indices of names eligible for fuzzy matching
	ac    *ahocorasick.Matcher
	ner   NER
	types map[string]bool
	agg   classifier.Aggregation
}

var (
	_ rulescan.Scanner = (*Scanner)(nil)
	_ scanner.Rewriter = (*Scanner)(nil)
)

// New validates cfg and compiles the gazetteer; WithNER supplies the
// model that cfg.Model names.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	s := &Scanner{cfg: cfg}
	if err := modelscan.Setup(Name, cfg, s, opts, "WithNER", func(s *Scanner) bool { return s.ner != nil }); err != nil {
		return nil, err
	}
	if err := s.checkModel(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	add := func(raw string, canon int) {
		n := strings.TrimSpace(normalize.String(raw))
		w := tokens(n)
		nm := name{norm: n, words: w, joined: strings.Join(w, " "), canonical: canon}
		for _, t := range w {
			nm.runes += utf8.RuneCountInString(t)
		}
		nm.first, _ = utf8.DecodeRuneInString(w[0])
		s.names = append(s.names, nm)
	}
	for i, c := range cfg.Competitors {
		add(c, i)
		// aliases in a stable order
		for _, a := range cfg.Aliases[c] {
			add(a, i)
		}
	}
	pats := make([]string, len(s.names))
	for i, n := range s.names {
		pats[i] = n.norm
		if cfg.Fuzzy && n.runes >= fuzzyMinLen {
			s.fuzzy = append(s.fuzzy, i)
		}
	}
	s.ac = ahocorasick.New(pats)
	keys := make([]string, 0, len(cfg.Aliases))
	for k := range cfg.Aliases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	type kv struct {
		K string
		V []string
	}
	var al []kv
	for _, k := range keys {
		al = append(al, kv{k, cfg.Aliases[k]})
	}
	b, _ := json.Marshal(struct {
		Name, Version string
		C             []string
		A             []kv
		T             float64
		R, F          bool
		M             string `json:",omitempty"`
	}{Name, "1", cfg.Competitors, al, cfg.Threshold, cfg.Redact, cfg.Fuzzy, s.modelFingerprint()})
	s.Shell = rulescan.HashedShell(Name, scanner.StageBoth, b)
	return s, nil
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// tokens splits normalised text into runs of letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !isWord(r) })
}

// Rewrites reports whether the scanner redacts.
func (s *Scanner) Rewrites() bool { return s.cfg.Redact }

type match struct {
	a, b  int // normalised offsets
	score float64
	canon int
}

// Scan finds competitor names in in.Text().
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		hits, err := s.hits(ctx, text)
		if err != nil {
			return err
		}
		if s.ner != nil {
			res.Method = scanner.MethodML
			if hits, err = s.inEntities(ctx, text, hits); err != nil {
				return err
			}
		}
		spans := make([][2]int, 0, len(hits))
		for _, h := range hits {
			res.Risk = max(res.Risk, h.score)
			if len(res.Findings) < maxFindings {
				res.Findings = append(res.Findings, scanner.Finding{Rule: "competitor", Start: h.a, End: h.b, Score: h.score, Detail: h.detail})
			}
			spans = append(spans, [2]int{h.a, h.b})
		}
		if len(spans) > 0 {
			res.Valid = false
			if s.cfg.Redact {
				res.Sanitized = redact(text, spans)
			}
		}
		return nil
	})
}

// hit is a gazetteer match at or over the threshold: a byte span of the
// text under scan.
type hit struct {
	a, b   int
	score  float64
	canon  int
	detail string
}

// hits returns the gazetteer's matches in text at or over the threshold,
// by start, dropping those inside a longer match.
func (s *Scanner) hits(ctx context.Context, text string) ([]hit, error) {
	nr := normalize.Normalize(text, normalize.Options{})
	defer nr.Release()
	seg := &nr.Segments[0]
	norm := seg.Text
	var ms []match
	s.ac.Each(norm, func(m ahocorasick.Match) bool {
		if m.Start > 0 {
			if r, _ := utf8.DecodeLastRuneInString(norm[:m.Start]); isWord(r) {
				return true
			}
		}
		if m.End < len(norm) {
			if r, _ := utf8.DecodeRuneInString(norm[m.End:]); isWord(r) {
				return true
			}
		}
		ms = append(ms, match{m.Start, m.End, 1, s.names[m.Pattern].canonical})
		return true
	})
	if len(s.fuzzy) > 0 {
		if err := s.fuzzyMatches(ctx, norm, &ms); err != nil {
			return nil, err
		}
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].a != ms[j].a {
			return ms[i].a < ms[j].a
		}
		return ms[i].b > ms[j].b
	})
	var out []hit
	lastEnd := -1
	for _, m := range ms {
		if m.score < s.cfg.Threshold || m.b <= lastEnd {
			continue // below threshold, or inside a longer match ("Acme" in "Acme Inc")
		}
		lastEnd = max(lastEnd, m.b)
		a, b := seg.Span(m.a, m.b)
		kind := "exact"
		if m.score < 1 {
			kind = "fuzzy"
		}
		out = append(out, hit{a, b, m.score, m.canon, fmt.Sprintf("%s match of competitor %q", kind, s.cfg.Competitors[m.canon])})
	}
	return out, nil
}

// fuzzyMatches adds near matches of the longer names over word windows of
// norm that no exact match covers.
func (s *Scanner) fuzzyMatches(ctx context.Context, norm string, ms *[]match) error {
	type word struct {
		a, b  int
		first rune
	}
	var words []word
	start := -1
	for i, r := range norm {
		if isWord(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			f, _ := utf8.DecodeRuneInString(norm[start:])
			words = append(words, word{start, i, f})
			start = -1
		}
	}
	if start >= 0 {
		f, _ := utf8.DecodeRuneInString(norm[start:])
		words = append(words, word{start, len(norm), f})
	}
	covered := func(a, b int) bool {
		for _, m := range *ms {
			if m.a < b && a < m.b {
				return true
			}
		}
		return false
	}
	var buf []byte
	for wi, w := range words {
		if wi%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for _, ni := range s.fuzzy {
			n := &s.names[ni]
			k := len(n.words)
			if n.first != w.first || wi+k > len(words) {
				continue
			}
			d := 1
			if n.runes >= fuzzyTwoLen {
				d = 2
			}
			// length filter on the joined window
			buf = buf[:0]
			runes := 0
			for j := wi; j < wi+k; j++ {
				if j > wi {
					buf = append(buf, ' ')
				}
				buf = append(buf, norm[words[j].a:words[j].b]...)
				runes += utf8.RuneCountInString(norm[words[j].a:words[j].b])
			}
			if runes-n.runes > d || n.runes-runes > d {
				continue
			}
			cand, target := string(buf), n.joined
			// dist 0 happens when only punctuation differs ("booking com"
			// for "Booking.com"): an exact match of the words.
			dist := 0
			if cand != target {
				dist = fuzzy.LevenshteinDistance(cand, target)
			}
			if dist > d {
				continue
			}
			a, b := w.a, words[wi+k-1].b
			if covered(a, b) {
				continue
			}
			*ms = append(*ms, match{a, b, 1 - float64(dist)/float64(n.runes+1), n.canonical})
		}
	}
	return nil
}

func redact(text string, spans [][2]int) string {
	slices.SortFunc(spans, func(x, y [2]int) int { return x[0] - y[0] })
	var sb strings.Builder
	last := 0
	for _, sp := range spans {
		if sp[1] <= last {
			continue
		}
		if sp[0] < last {
			sp[0] = last
		} else {
			sb.WriteString(text[last:sp[0]])
			sb.WriteString(Redaction)
		}
		last = sp[1]
	}
	sb.WriteString(text[last:])
	return sb.String()
}
