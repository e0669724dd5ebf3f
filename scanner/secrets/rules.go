package secrets

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2"

	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
)

// gitleaksTOML is gitleaks' default rule set (v8.30.1, config/gitleaks.toml,
// MIT licence, see gitleaks.LICENSE), embedded unchanged as data.
//
//go:embed gitleaks.toml
var gitleaksTOML []byte

// extraTOML holds llmshield's own rules, in the same schema, for token
// formats gitleaks does not cover (see the file's header).
//
//go:embed extra.toml
var extraTOML []byte

// Rule is a secret-detection rule. The built-in rules use gitleaks' schema
// (TOML, camelCase keys); user rules come from the scanner's YAML config
// (snake_case keys). A rule is considered when one of its keywords occurs
// in the text (case-insensitive; a rule without keywords always runs), its
// regular expression matches, the secret (capture group SecretGroup, or the
// first non-empty group, or the whole match) has a Shannon entropy above
// Entropy (when Entropy is set), and no allowlist allows it.
type Rule struct {
	// ID names the rule in findings, e.g. "aws-access-token".
	ID string `toml:"id" yaml:"id"`
	// Description says what the rule detects.
	Description string `toml:"description" yaml:"description"`
	// Regex is an RE2 regular expression.
	Regex string `toml:"regex" yaml:"regex"`
	// SecretGroup picks the capture group holding the secret (0: the first
	// non-empty group, or the whole match when there is none).
	SecretGroup int `toml:"secretGroup" yaml:"secret_group"`
	// Entropy is the minimum Shannon entropy (bits per character, exclusive)
	// of the secret; 0 disables the check.
	Entropy float64 `toml:"entropy" yaml:"entropy"`
	// Keywords gate the rule: it only runs when one occurs in the text.
	Keywords []string `toml:"keywords" yaml:"keywords"`
	// Allowlists exempt matches of this rule.
	Allowlists []Allowlist `toml:"allowlists" yaml:"allowlists"`

	// Path restricts a gitleaks rule to files; prompts have no path, so
	// the scanner ignores it (and reads it only to accept gitleaks' schema).
	Path string `toml:"path" yaml:"-"`
}

// Allowlist exempts matches: one whose target matches one of Regexes, or
// whose secret contains one of Stopwords (case-insensitive), is allowed.
// With Condition "and" every kind of check listed must pass.
type Allowlist struct {
	Description string `toml:"description" yaml:"description"`
	// Regexes are RE2 regular expressions matched against RegexTarget.
	Regexes []string `toml:"regexes" yaml:"regexes"`
	// RegexTarget is "secret" (the default), "match" (the whole rule
	// match) or "line" (the line around the match).
	RegexTarget string `toml:"regexTarget" yaml:"regex_target"`
	// Stopwords are substrings that, found in the secret, allow it.
	Stopwords []string `toml:"stopwords" yaml:"stopwords"`
	// Condition is "or" (default: any check allows) or "and".
	Condition string `toml:"condition" yaml:"condition"`

	// Paths and Commits are gitleaks' file and commit checks. A prompt has
	// neither, so they never match (as in gitleaks for a bare string).
	Paths   []string `toml:"paths" yaml:"-"`
	Commits []string `toml:"commits" yaml:"-"`
}

// ruleFile is the TOML schema of gitleaks.toml and extra.toml.
type ruleFile struct {
	Title      string      `toml:"title"`
	MinVersion string      `toml:"minVersion"`
	Allowlist  *Allowlist  `toml:"allowlist"`
	Allowlists []Allowlist `toml:"allowlists"`
	Rules      []Rule      `toml:"rules"`
}

func parseRuleFile(name string, data []byte) (ruleFile, error) {
	var f ruleFile
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return ruleFile{}, fmt.Errorf("%s: %w", name, err)
	}
	if f.Allowlist != nil {
		f.Allowlists = append([]Allowlist{*f.Allowlist}, f.Allowlists...)
		f.Allowlist = nil
	}
	return f, nil
}

// Regex targets and allowlist conditions.
const (
	TargetSecret = "secret"
	TargetMatch  = "match"
	TargetLine   = "line"

	ConditionOr  = "or"
	ConditionAnd = "and"
)

// lazyRegexp returns a compiled regular expression: one compiled already,
// or one compiled on first use (see compileBuiltin).
type lazyRegexp func() (*regexp.Regexp, error)

func compiledRegexp(re *regexp.Regexp) lazyRegexp {
	return func() (*regexp.Regexp, error) { return re, nil }
}

// deferredRegexp compiles expr once, on the first call, for every caller
// (concurrent scans included).
func deferredRegexp(expr string) lazyRegexp {
	return sync.OnceValues(func() (*regexp.Regexp, error) { return regexp.Compile(expr) })
}

// compiledAllowlist is an Allowlist ready to run.
type compiledAllowlist struct {
	target    string
	re        lazyRegexp                  // the regexes joined with |; nil when none
	stopwords func() *ahocorasick.Matcher // lower-cased, built on first use; nil when none
	and       bool
	hasOther  bool // paths or commits: checks that can never pass here
}

// allowed reports whether the allowlist exempts a finding. It fails only
// when a deferred regular expression does not compile.
func (a *compiledAllowlist) allowed(secret, match, line string) (bool, error) {
	target := secret
	switch a.target {
	case TargetMatch:
		target = match
	case TargetLine:
		target = line
	}
	reOK := false
	if a.re != nil && target != "" {
		re, err := a.re()
		if err != nil {
			return false, err
		}
		reOK = re.MatchString(target)
	}
	stopOK := a.stopwords != nil && secret != "" && a.stopwords().Contains(strings.ToLower(secret))
	if !a.and {
		return reOK || stopOK, nil
	}
	if a.hasOther {
		return false, nil
	}
	return (a.re == nil || reOK) && (a.stopwords == nil || stopOK), nil
}

// compileAllowlist validates and compiles a. field names it in errors.
// user is true for allowlists from the scanner's config, which get the
// stricter checks (an allowlist that allows everything is refused).
// deferred leaves the regular expressions to be compiled on first use
// (built-in allowlists whose expressions a test compiles).
func compileAllowlist(a Allowlist, field string, user, deferred bool) (compiledAllowlist, error) {
	c := compiledAllowlist{hasOther: len(a.Paths) > 0 || len(a.Commits) > 0}
	switch strings.ToLower(a.RegexTarget) {
	case "", TargetSecret:
		c.target = TargetSecret
	case TargetMatch:
		c.target = TargetMatch
	case TargetLine:
		c.target = TargetLine
	default:
		return c, fmt.Errorf("%s.regex_target: unknown %q (want %q, %q or %q)", field, a.RegexTarget, TargetSecret, TargetMatch, TargetLine)
	}
	switch strings.ToLower(a.Condition) {
	case "", ConditionOr:
	case ConditionAnd:
		c.and = true
	default:
		return c, fmt.Errorf("%s.condition: unknown %q (want %q or %q)", field, a.Condition, ConditionOr, ConditionAnd)
	}
	if len(a.Regexes) == 0 && len(a.Stopwords) == 0 && !c.hasOther {
		return c, fmt.Errorf("%s: needs at least one of regexes or stopwords", field)
	}
	var parts []string
	for i, r := range a.Regexes {
		f := fmt.Sprintf("%s.regexes[%d]", field, i)
		if r == "" {
			return c, fmt.Errorf("%s: empty regular expression", f)
		}
		if deferred {
			parts = append(parts, "(?:"+r+")")
			continue
		}
		re, err := regexp.Compile(r)
		if err != nil {
			return c, fmt.Errorf("%s: invalid regular expression: %w", f, err)
		}
		if user && re.MatchString("") {
			return c, fmt.Errorf("%s: %q matches the empty string, so it would allow every secret", f, r)
		}
		parts = append(parts, "(?:"+r+")")
	}
	if len(parts) > 0 {
		if deferred {
			c.re = deferredRegexp(strings.Join(parts, "|"))
		} else {
			c.re = compiledRegexp(regexp.MustCompile(strings.Join(parts, "|"))) // each part compiled above
		}
	}
	var stop []string
	for i, w := range a.Stopwords {
		if w == "" {
			if user {
				return c, fmt.Errorf("%s.stopwords[%d]: empty stopword would allow every secret", field, i)
			}
			continue
		}
		stop = append(stop, strings.ToLower(w))
	}
	if len(stop) > 0 {
		// Building the matcher cannot fail; generic-api-key's 1,500
		// stopwords took milliseconds of start-up.
		c.stopwords = sync.OnceValue(func() *ahocorasick.Matcher { return ahocorasick.New(stop) })
	}
	return c, nil
}

// compiledRule is a Rule ready to run.
type compiledRule struct {
	id, description string
	re              lazyRegexp
	secretGroup     int
	entropy         float64
	keywords        []string // lower-cased
	allowlists      []compiledAllowlist
	generic         bool // a catch-all rule that yields to specific ones
	origin          string
	// window is the longest match in bytes when every match contains a
	// keyword (see windowable); 0 when the rule must see the whole text.
	window int
	// assign is set for rules of gitleaks' assignment template (see
	// assignmentRule): they only run when a keyword is followed by an
	// assignment operator.
	assign bool
	// stripped is an assignment-template rule's expression without its
	// leading identifier prefix, run from the keyword; the engine extends
	// each match back over the prefix itself. nil unless assign.
	stripped lazyRegexp
}

// Rule origins.
const (
	originGitleaks = "gitleaks"
	originExtra    = "llmshield"
	originUser     = "config"
)

// compileRule validates and compiles r. field names it in errors. known,
// when not nil, is r's entry in builtinAnalysis (a built-in rule whose
// table is current): the analysis is taken from it and the regular
// expressions are compiled on first use.
func compileRule(r Rule, field, origin string, known *ruleAnalysis) (*compiledRule, error) {
	user := origin == originUser
	if r.ID == "" {
		return nil, fmt.Errorf("%s.id: required", field)
	}
	if r.Regex == "" {
		return nil, fmt.Errorf("%s.regex: required (rule %q)", field, r.ID)
	}
	c := &compiledRule{id: r.ID, description: r.Description, secretGroup: r.SecretGroup,
		entropy: r.Entropy, origin: origin, generic: strings.Contains(strings.ToLower(r.ID), "generic")}
	if known == nil {
		re, err := regexp.Compile(r.Regex)
		if err != nil {
			return nil, fmt.Errorf("%s.regex: invalid regular expression (rule %q): %w", field, r.ID, err)
		}
		if user && re.MatchString("") {
			return nil, fmt.Errorf("%s.regex: %q matches the empty string (rule %q)", field, r.Regex, r.ID)
		}
		if r.SecretGroup < 0 || r.SecretGroup > re.NumSubexp() {
			return nil, fmt.Errorf("%s.secret_group: %d out of range, the regex has %d capture groups (rule %q)", field, r.SecretGroup, re.NumSubexp(), r.ID)
		}
		c.re = compiledRegexp(re)
	} else {
		c.re = deferredRegexp(r.Regex)
	}
	if math.IsNaN(r.Entropy) || r.Entropy < 0 || r.Entropy > 8 {
		return nil, fmt.Errorf("%s.entropy: %v outside [0, 8] bits per character (rule %q)", field, r.Entropy, r.ID)
	}
	for i, k := range r.Keywords {
		if k == "" {
			return nil, fmt.Errorf("%s.keywords[%d]: empty keyword (rule %q)", field, i, r.ID)
		}
		if !utf8.ValidString(k) {
			return nil, fmt.Errorf("%s.keywords[%d]: not valid UTF-8 (rule %q)", field, i, r.ID)
		}
		c.keywords = append(c.keywords, strings.ToLower(k))
	}
	if known != nil {
		c.window, c.assign = known.window, known.assign
		if c.assign {
			c.stripped = deferredRegexp(strippedExpr(r.Regex))
		}
	} else {
		if n, ok := windowable(r.Regex, c.keywords); ok && n > 0 {
			c.window = n
		}
		if c.assign = assignmentRule(r.Regex, c.keywords); c.assign {
			re, _ := c.re() // compiled above
			if st, err := regexp.Compile(strippedExpr(r.Regex)); err == nil && st.NumSubexp() == re.NumSubexp() {
				c.stripped = compiledRegexp(st)
			} else {
				c.assign = false
			}
		}
	}
	for i, a := range r.Allowlists {
		ca, err := compileAllowlist(a, fmt.Sprintf("%s.allowlists[%d]", field, i), user, known != nil)
		if err != nil {
			return nil, err
		}
		c.allowlists = append(c.allowlists, ca)
	}
	return c, nil
}

// strippedExpr is an assignment-template rule's expression without its
// identifier prefix.
func strippedExpr(expr string) string { return "(?i)" + expr[len(assignIdentPrefix):] }

// builtinSet is the compiled built-in rule set: gitleaks' rules, then
// llmshield's, and gitleaks' global allowlist.
type builtinSet struct {
	rules      []*compiledRule
	allowlists []compiledAllowlist
	gitleaksN  int // rules[:gitleaksN] come from gitleaks.toml
}

// builtin compiles the embedded rules once per process; the result is
// immutable and shared by every Scanner.
var builtin = sync.OnceValues(func() (*builtinSet, error) {
	return compileBuiltin(builtinAnalysisDigest == rulesDigest())
})

// ruleAnalysis is what compileRule derives from a rule's expression and
// keywords; analysis_table.go holds it for every built-in rule.
type ruleAnalysis struct {
	id     string
	window int
	assign bool
}

// analysis_table.go (builtinAnalysis, builtinAnalysisDigest) is written
// by TestAnalysisTable from the rule files:
//
//go:generate go test -run ^TestAnalysisTable$ -args -update

// rulesDigest identifies the embedded rule files (analysis_table.go
// records the digest of those it was made from).
func rulesDigest() string {
	h := sha256.New()
	h.Write(gitleaksTOML)
	h.Write([]byte{0})
	h.Write(extraTOML)
	return hex.EncodeToString(h.Sum(nil))
}

// compileBuiltin compiles the built-in rules. With useTable (the embedded
// rule files are those builtinAnalysis was generated from) it takes each
// rule's analysis from the table and defers compiling the regular
// expressions to their first use, which keeps them off the start-up path:
// analysing and compiling some 270 expressions took tens of milliseconds.
// The table is written only after compiling every rule without it (see
// TestAnalysisTable), so the deferred expressions are known to compile.
// Without useTable every rule is compiled and analysed now.
func compileBuiltin(useTable bool) (*builtinSet, error) {
	var set builtinSet
	seen := map[string]bool{}
	for _, src := range []struct {
		name, origin string
		data         []byte
	}{{"gitleaks.toml", originGitleaks, gitleaksTOML}, {"extra.toml", originExtra, extraTOML}} {
		f, err := parseRuleFile(src.name, src.data)
		if err != nil {
			return nil, err
		}
		for i, a := range f.Allowlists {
			ca, err := compileAllowlist(a, fmt.Sprintf("%s: allowlists[%d]", src.name, i), false, useTable)
			if err != nil {
				return nil, err
			}
			set.allowlists = append(set.allowlists, ca)
		}
		for i, r := range f.Rules {
			if r.Regex == "" && r.Path != "" {
				// A path-only gitleaks rule (pkcs12-file) inspects file
				// names; extra.toml gives its id a content rule.
				continue
			}
			if seen[r.ID] {
				return nil, fmt.Errorf("%s: rules[%d].id: duplicate %q", src.name, i, r.ID)
			}
			seen[r.ID] = true
			var known *ruleAnalysis
			if useTable {
				k := len(set.rules)
				if k >= len(builtinAnalysis) || builtinAnalysis[k].id != r.ID {
					return nil, fmt.Errorf("%s: rules[%d]: analysis_table.go does not match the rule files", src.name, i)
				}
				known = &builtinAnalysis[k]
			}
			c, err := compileRule(r, fmt.Sprintf("%s: rules[%d]", src.name, i), src.origin, known)
			if err != nil {
				return nil, err
			}
			set.rules = append(set.rules, c)
		}
		if src.origin == originGitleaks {
			set.gitleaksN = len(set.rules)
		}
	}
	if len(set.rules) == 0 {
		return nil, errors.New("no built-in rules")
	}
	if useTable && len(set.rules) != len(builtinAnalysis) {
		return nil, errors.New("analysis_table.go does not match the rule files")
	}
	return &set, nil
}

// shannonEntropy returns the Shannon entropy of s in bits per character.
func shannonEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	var ascii [128]int
	var other map[rune]int
	n := 0
	for _, r := range s {
		n++
		if r < 128 {
			ascii[r]++
			continue
		}
		if other == nil {
			other = map[rune]int{}
		}
		other[r]++
	}
	inv := 1 / float64(n)
	h := 0.0
	add := func(c int) {
		if c > 0 {
			p := float64(c) * inv
			h -= p * math.Log2(p)
		}
	}
	for _, c := range ascii {
		add(c)
	}
	for _, c := range other {
		add(c)
	}
	return h
}
