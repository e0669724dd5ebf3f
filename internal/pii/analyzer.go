// Package pii finds personal data in text: e-mail addresses, phone
// numbers, payment cards, IBANs, US social security numbers, IP addresses,
// URLs, UUIDs, crypto wallets, dates of birth, passport / driving-licence /
// tax numbers, and person, organisation and location names. It is the
// recognizer engine of the anonymize and sensitive scanners, kept under
// internal/ because its API is theirs, not a stable one.
//
// Every match carries a confidence in [0,1]. Structured types are found by
// regular expressions (RE2, linear time) and then validated: Luhn for
// cards, mod-97 and the per-country length for IBANs, the SSA's
// never-issued rules for SSNs, Base58Check and bech32 checksums for
// Bitcoin addresses, the DNI control letter for Spanish tax ids, and
// github.com/nyaruka/phonenumbers for phone numbers (its Go port has no
// matcher, so candidates come from our own pattern). Context words near a
// candidate ("phone", "geboren", "pasaporte", ...) raise its confidence;
// the weakest patterns (dates of birth, passport, licence and tax numbers)
// are only reported with context.
//
// Names come from gazetteers (first names and surnames in EN/DE/FR/ES/IT,
// countries and cities, company suffixes; plus names taken from the train
// split of the Presidio synthetic data, see gazetteer/README) combined
// with capitalisation, titles ("Mr", "Frau", "Mme", "Sr.") and cue
// phrases ("my name is", "je m'appelle", "works at"). With Options.NER
// the names a statistical model finds are added (see addNER); figures
// without the model are in the package test (TestPresidio), with the
// built-in model in internal/ner's TestPresidioWithNER.
//
// Overlapping matches are resolved greedily: the higher score wins, then
// the longer match.
package pii

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Match is one entity found in a text. Start and End are byte offsets
// (End exclusive).
type Match struct {
	Type       string
	Start, End int
	Score      float64
}

// PatternSpec is a user-defined recognizer (LLM Guard's regex_patterns).
type PatternSpec struct {
	// Name is the entity type reported, e.g. "EMPLOYEE_ID".
	Name string `yaml:"name" json:"name"`
	// Expressions are RE2 patterns; at least one.
	Expressions []string `yaml:"expressions" json:"expressions"`
	// Context words raise the score by 0.35 when found near a match.
	Context []string `yaml:"context" json:"context"`
	// Score is the base confidence (default 0.75).
	Score float64 `yaml:"score" json:"score"`
	// Examples are texts each expression set must match (checked at start-up).
	Examples []string `yaml:"examples" json:"examples"`
	// Languages limits the recognizer to these languages (empty: all).
	Languages []string `yaml:"languages" json:"languages"`
}

// Options configure an Analyzer.
type Options struct {
	// EntityTypes restricts the types reported (empty: all built-in types,
	// and every custom pattern's).
	EntityTypes []string
	// Language is "en" (default), "de", "fr", "es" or "it". It sets the
	// default region for phone numbers and enables that language's cue
	// words; names of every supported language are always recognised.
	Language string
	// Patterns are user-defined recognizers.
	Patterns []PatternSpec
	// AllowedNames are values never reported (case-insensitive, exact).
	AllowedNames []string
	// HiddenNames are values always reported as CUSTOM (case-insensitive).
	HiddenNames []string
	// NER, when set, adds the person, organisation and location names a
	// statistical model finds (internal/ner's built-in model) to the
	// gazetteer-and-context ones; see Analyzer.Analyze for how they combine.
	NER NER
}

// NER is a named-entity recognizer: it returns Person, Organization and
// Location matches (byte offsets, confidence in [0,1]) in any order.
type NER interface {
	Entities(ctx context.Context, text string) ([]Match, error)
}

// Languages supported by Options.Language.
var Languages = []string{"en", "de", "fr", "es", "it"}

var entityNameRe = lazyRegexp(`^[A-Z][A-Z0-9_]*$`)

// Analyzer finds entities. It is immutable and safe for concurrent use.
type Analyzer struct {
	types    map[string]bool
	patterns []pattern
	regions  []string
	allowed  map[string]bool
	hidden   *regexp.Regexp
	names    *nameFinder
	ner      NER
	lang     string
}

// New validates o and builds an Analyzer. Errors name the option.
func New(o Options) (*Analyzer, error) {
	if o.Language == "" {
		o.Language = "en"
	}
	if !slices.Contains(Languages, o.Language) {
		return nil, fmt.Errorf("language: unsupported %q (want one of %s)", o.Language, strings.Join(Languages, ", "))
	}
	a := &Analyzer{types: map[string]bool{}, regions: regionsFor(o.Language), allowed: map[string]bool{}, lang: o.Language}
	a.patterns = builtinPatterns()
	for i, p := range a.patterns {
		if p.needContext && p.pre == nil {
			a.patterns[i].pre = anyWord(p.context)
		}
	}
	for i, p := range o.Patterns {
		pt, err := compileSpec(p)
		if err != nil {
			return nil, fmt.Errorf("regex_patterns[%d]: %w", i, err)
		}
		if len(p.Languages) > 0 && !slices.Contains(p.Languages, o.Language) {
			continue
		}
		a.patterns = append(a.patterns, pt...)
	}
	known := map[string]bool{Custom: true}
	for _, t := range AllTypes {
		known[t] = true
	}
	for _, p := range o.Patterns {
		known[p.Name] = true
	}
	if len(o.EntityTypes) == 0 {
		for t := range known {
			a.types[t] = true
		}
	}
	for i, t := range o.EntityTypes {
		if !known[t] {
			return nil, fmt.Errorf("entity_types[%d]: unknown entity type %q (known: %s, or a regex_patterns name)", i, t, strings.Join(AllTypes, ", "))
		}
		a.types[t] = true
	}
	for i, n := range o.AllowedNames {
		if strings.TrimSpace(n) == "" {
			return nil, fmt.Errorf("allowed_names[%d]: empty name", i)
		}
		a.allowed[strings.ToLower(strings.TrimSpace(n))] = true
	}
	if len(o.HiddenNames) > 0 {
		alts := make([]string, len(o.HiddenNames))
		for i, n := range o.HiddenNames {
			if strings.TrimSpace(n) == "" {
				return nil, fmt.Errorf("hidden_names[%d]: empty name", i)
			}
			alts[i] = regexp.QuoteMeta(strings.TrimSpace(n))
		}
		// Longest first, so "Jane Doe" wins over "Jane".
		sort.Slice(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) })
		a.hidden = regexp.MustCompile(`(?i)` + strings.Join(alts, "|"))
		a.types[Custom] = true
	}
	if a.types[Person] || a.types[Organization] || a.types[Location] {
		a.names = defaultNameFinder(o.Language)
		a.ner = o.NER
	}
	return a, nil
}

func compileSpec(p PatternSpec) ([]pattern, error) {
	if !entityNameRe().MatchString(p.Name) {
		return nil, fmt.Errorf("name: %q must be upper snake case, e.g. EMPLOYEE_ID", p.Name)
	}
	if len(p.Expressions) == 0 {
		return nil, fmt.Errorf("expressions: at least one is required")
	}
	score := p.Score
	if score == 0 {
		score = 0.75
	}
	if score < 0 || score > 1 || score != score {
		return nil, fmt.Errorf("score: %v is outside [0,1]", p.Score)
	}
	ctx := make([]string, len(p.Context))
	for i, c := range p.Context {
		ctx[i] = strings.ToLower(c)
	}
	out := make([]pattern, 0, len(p.Expressions))
	for i, e := range p.Expressions {
		if e == "" {
			return nil, fmt.Errorf("expressions[%d]: empty", i)
		}
		re, err := regexp.Compile(e)
		if err != nil {
			return nil, fmt.Errorf("expressions[%d]: %w", i, err)
		}
		if re.MatchString("") {
			return nil, fmt.Errorf("expressions[%d]: matches the empty string", i)
		}
		out = append(out, pattern{entity: p.Name, re: re, score: score, validate: ok(score), context: ctx})
	}
	for i, ex := range p.Examples {
		hit := false
		for _, pt := range out {
			hit = hit || pt.re.MatchString(ex)
		}
		if !hit {
			return nil, fmt.Errorf("examples[%d]: %q is matched by no expression", i, ex)
		}
	}
	return out, nil
}

// Types reports whether the analyzer reports entity type t.
func (a *Analyzer) Types(t string) bool { return a.types[t] }

// Analyze returns the entities in text scoring at least threshold, sorted
// by start, without overlaps. It checks ctx between recognizers.
func (a *Analyzer) Analyze(ctx context.Context, text string, threshold float64) (_ []Match, err error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	lower := lowerASCII(text)
	st := statsOf(text, lower)
	var all []Match
	for _, p := range a.patterns {
		if !a.types[p.entity] || p.pre != nil && !p.pre(st) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		all = a.runPattern(p, text, lower, all)
	}
	if (a.types[IBAN] || a.types[Crypto]) && st.alnumRun >= 14 {
		all = a.findTokens(text, lower, all)
	}
	if a.types[Phone] && st.digits >= 7 {
		all = a.findPhones(text, lower, all)
	}
	if a.names != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := len(all)
		all = a.names.find(text, lower, all, a.types)
		if a.ner != nil {
			if all, err = a.addNER(ctx, text, all, n); err != nil {
				return nil, err
			}
		}
	}
	if a.hidden != nil {
		for _, loc := range a.hidden.FindAllStringIndex(text, -1) {
			if wordBounded(text, loc[0], loc[1]) {
				all = append(all, Match{Type: Custom, Start: loc[0], End: loc[1], Score: 1})
			}
		}
	}
	kept := all[:0]
	for _, m := range all {
		if m.Score >= threshold && m.End > m.Start && !a.allowed[strings.ToLower(text[m.Start:m.End])] {
			kept = append(kept, m)
		}
	}
	return resolve(kept), nil
}

func (a *Analyzer) runPattern(p pattern, text, lower string, out []Match) []Match {
	if p.trigger == 0 {
		return a.runPatternIn(p, text, lower, 0, len(text), out)
	}
	for i := 0; i < len(text); {
		k := strings.IndexByte(text[i:], p.trigger)
		if k < 0 {
			break
		}
		s, e := i+k, i+k+1
		for s > 0 && p.span(text[s-1]) {
			s--
		}
		for e < len(text) && p.span(text[e]) {
			e++
		}
		out = a.runPatternIn(p, text, lower, s, e, out)
		i = e
	}
	return out
}

// runPatternIn matches p in text[from:to] (a window whose edges are not
// inside any possible match, so \b there means what it means in text).
func (a *Analyzer) runPatternIn(p pattern, text, lower string, from, to int, out []Match) []Match {
	for _, loc := range p.re.FindAllStringIndex(text[from:to], -1) {
		s, e := from+loc[0], from+loc[1]
		if e-s > maxMatchLength || e == s {
			continue
		}
		score, valid := p.score, true
		if p.validate != nil {
			score, valid = p.validate(text[s:e])
		}
		if !valid {
			continue
		}
		if hasContext(lower, s, e, p.context) {
			score = min(1, score+contextBoost)
		} else if p.needContext {
			continue
		}
		out = append(out, Match{Type: p.entity, Start: s, End: e, Score: score})
	}
	return out
}

// resolve drops overlapping matches: within each cluster of overlapping
// matches, higher score first, then longer, then earlier. The result is
// sorted by start.
func resolve(ms []Match) []Match {
	if len(ms) < 2 {
		return ms
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Start != ms[j].Start {
			return ms[i].Start < ms[j].Start
		}
		return ms[i].End > ms[j].End
	})
	out := make([]Match, 0, len(ms))
	for i := 0; i < len(ms); {
		j, end := i+1, ms[i].End
		for j < len(ms) && ms[j].Start < end {
			end = max(end, ms[j].End)
			j++
		}
		if j == i+1 {
			out = append(out, ms[i])
		} else {
			out = append(out, greedy(slices.Clone(ms[i:j]))...)
		}
		i = j
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

func greedy(ms []Match) []Match {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Score != ms[j].Score {
			return ms[i].Score > ms[j].Score
		}
		if li, lj := ms[i].End-ms[i].Start, ms[j].End-ms[j].Start; li != lj {
			return li > lj
		}
		return ms[i].Start < ms[j].Start
	})
	var out []Match
	for _, m := range ms {
		clash := false
		for _, k := range out {
			if m.Start < k.End && k.Start < m.End {
				clash = true
				break
			}
		}
		if !clash {
			out = append(out, m)
		}
	}
	return out
}

// wordBounded reports whether [s,e) does not cut a word on either side.
func wordBounded(text string, s, e int) bool {
	return (s == 0 || !isWordByte(text[s-1])) && (e == len(text) || !isWordByte(text[e]))
}
