// Package secrets finds credentials (API keys, tokens, private keys,
// passwords in connection strings) in prompts and outputs, like LLM Guard's
// Secrets scanner, and can redact them.
//
// # Rules
//
// The rules are gitleaks' default rule set (gitleaks.toml from
// github.com/zricethezav/gitleaks/v8 v8.30.1, MIT licence, embedded
// unchanged as data; see gitleaks.LICENSE) plus llmshield's own rules in
// extra.toml for token formats gitleaks misses, plus any rules and
// allowlists from the configuration. Every gitleaks rule id is covered:
// path-only rules, which look at file names a prompt does not have, get a
// content rule of the same id in extra.toml (pkcs12-file: a base64 PKCS#12
// blob). Rules restricted to file paths in gitleaks (e.g. a password in a
// .tf file) run on every text, since a prompt has no path.
//
// The engine follows gitleaks' algorithm, written here: an Aho-Corasick
// pass (internal/normalize/ahocorasick) over the lower-cased text finds the
// rules' keywords, only the rules gated by a keyword present (and those
// without keywords) run their RE2 expressions, and each match must clear
// the rule's entropy floor and its own and the global allowlists. Two
// refinements keep it fast without changing what is found (see window.go;
// a differential test against gitleaks checks it): a rule whose every
// match contains a keyword and has a bounded length runs only in windows
// around the keyword's occurrences, and gitleaks' "name = value" rules run
// only where a keyword is followed by an assignment operator. Texts over
// 64 KiB are scanned in overlapping segments, so cost stays linear.
//
// Start-up stays a few milliseconds: the two refinements above depend on
// an analysis of each rule's expression, which for the built-in rules is
// recorded in the generated analysis_table.go (go generate; a test fails
// when it is stale, and the scanner analyses the rules itself when the
// embedded rule files differ from those the table was made from), and the
// built-in rules' and allowlists' regular expressions are compiled on
// first use, once per process. Rules and allowlists from the
// configuration are compiled and checked by Validate and New, so a bad
// expression there is a configuration error.
//
// # Why not gitleaks as a library
//
// Issue 13 asked to measure both (TestEvalOptions, TestMatchesGitleaks,
// BenchmarkScan1KB vs BenchmarkGitleaksDetectString1KB, in this package):
//
//   - Detection: with the same rules the engine flags every text gitleaks
//     flags (7,406 texts: the noseyparker examples and the benign prompts);
//     recall on the noseyparker examples is 0.437 for gitleaks and 0.445
//     for the engine (gitleaks' path-restricted rules run here).
//   - Speed: about 2x faster than gitleaks' DetectString on a 1 KB prompt
//     in the same run, allocating less (14 KB against 17 KB per call);
//     gitleaks' DetectString also cannot be cancelled.
//   - Weight: gitleaks' detect package pulls in 377 packages (159 outside
//     the standard library: viper, zerolog, archive decoders, a WebAssembly
//     regex runtime); a program using it is 7.1 MB larger, one using this
//     package 1.1 MB (go-toml reads the rule files), and llmshield grows by
//     0.4 MB.
//
// gitleaks stays a test-only dependency, for the comparison and for
// TestCoversGitleaksRuleIDs, which fails when a gitleaks update adds a
// rule id that gitleaks.toml lacks.
//
// # Findings and redaction
//
// Each finding names the rule id and the byte span of the secret itself
// (the rule's capture group), never the secret. Further occurrences of a
// found secret elsewhere in the text are reported and redacted too. With
// Redact (the default, as in LLM Guard, which always redacts) the
// sanitised text replaces each secret according to RedactMode: "all" →
// "******", "partial" → its first two and last two characters around ".."
// (secrets shorter than eight characters are redacted fully, since four
// characters would give most of them away), "hash" → the hex MD5 digest
// of the secret, as LLM Guard does (it tells equal secrets apart without
// showing them). An unsalted digest of a random token cannot be inverted,
// but one of a human-chosen password (the password rules find those) can
// be looked up in a dictionary; prefer "all" where that matters.
package secrets

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "secrets"

// Redaction modes.
const (
	RedactAll     = "all"
	RedactPartial = "partial"
	RedactHash    = "hash"
)

// Redacted replaces a secret in RedactAll mode.
const Redacted = "******"

// partialMin is the shortest secret that RedactPartial shows partly.
const partialMin = 8

// fewSecrets is how many distinct secrets repeats looks for one by one.
const fewSecrets = 4

// Config configures Scanner.
type Config struct {
	// Redact replaces secrets in the sanitised text. Default true.
	Redact bool `yaml:"redact"`
	// RedactMode is "all" (default), "partial" or "hash".
	RedactMode string `yaml:"redact_mode"`
	// Rules are extra rules, checked like the built-in ones. Their ids
	// must not clash with a built-in rule's.
	Rules []Rule `yaml:"rules"`
	// Allowlists exempt matches of every rule.
	Allowlists []Allowlist `yaml:"allowlists"`
	// DisabledRules lists rule ids not to run.
	DisabledRules []string `yaml:"disabled_rules"`
}

// DefaultConfig returns the defaults: every built-in rule, redaction on,
// mode "all".
func DefaultConfig() Config { return Config{Redact: true, RedactMode: RedactAll} }

// Validate checks the configuration (including that every regular
// expression compiles); errors name the field.
func (c Config) Validate() error {
	_, _, err := c.compile()
	return err
}

// compile returns the rules to run and the global allowlists.
func (c Config) compile() ([]*compiledRule, []compiledAllowlist, error) {
	// An empty setting is the default.
	if err := rulescan.OneOf("redact_mode", cmp.Or(c.RedactMode, RedactAll), RedactAll, RedactPartial, RedactHash); err != nil {
		return nil, nil, err
	}
	set, err := builtin()
	if err != nil {
		return nil, nil, fmt.Errorf("built-in rules: %w", err)
	}
	ids := make(map[string]bool, len(set.rules)+len(c.Rules))
	for _, r := range set.rules {
		ids[r.id] = true
	}
	disabled := make(map[string]bool, len(c.DisabledRules))
	for i, id := range c.DisabledRules {
		if !ids[id] {
			return nil, nil, fmt.Errorf("disabled_rules[%d]: no built-in rule %q", i, id)
		}
		disabled[id] = true
	}
	var rules []*compiledRule
	for _, r := range set.rules {
		if !disabled[r.id] {
			rules = append(rules, r)
		}
	}
	for i, r := range c.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		if ids[r.ID] {
			return nil, nil, fmt.Errorf("%s.id: %q is already a rule id", field, r.ID)
		}
		cr, err := compileRule(r, field, originUser, nil)
		if err != nil {
			return nil, nil, err
		}
		ids[r.ID] = true
		rules = append(rules, cr)
	}
	if len(rules) == 0 {
		return nil, nil, fmt.Errorf("disabled_rules: every rule is disabled and rules is empty, so nothing would be detected")
	}
	global := slices.Clone(set.allowlists)
	for i, a := range c.Allowlists {
		ca, err := compileAllowlist(a, fmt.Sprintf("allowlists[%d]", i), true, false)
		if err != nil {
			return nil, nil, err
		}
		global = append(global, ca)
	}
	return rules, global, nil
}

// Scanner finds secrets. It is immutable after New and safe for concurrent
// use.
type Scanner struct {
	rulescan.Shell
	cfg Config
	eng *engine
}

var (
	_ rulescan.Scanner = (*Scanner)(nil)
	_ scanner.Rewriter = (*Scanner)(nil)
)

// New validates cfg and compiles the rules. The scanner suits prompts and
// outputs; its fingerprint follows the configuration and the built-in
// rules' version.
func New(cfg Config) (*Scanner, error) {
	rules, global, err := cfg.compile()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	eng := newEngine(rules, global)
	if cfg.RedactMode == "" {
		cfg.RedactMode = RedactAll
	}
	return &Scanner{Shell: rulescan.NewShell(Name, scanner.StageBoth, rulesVersion, cfg), cfg: cfg, eng: eng}, nil
}

// rulesVersion changes whenever the built-in rules change.
const rulesVersion = "gitleaks-8.30.1+llmshield-1"

// Rewrites reports whether the scanner redacts.
func (s *Scanner) Rewrites() bool { return s.cfg.Redact }

// RuleIDs lists the ids of the rules the scanner runs, in order.
func (s *Scanner) RuleIDs() []string {
	ids := make([]string, len(s.eng.rules))
	for i, r := range s.eng.rules {
		ids[i] = r.id
	}
	return ids
}

// Scan looks for secrets in in.Text(). It returns ctx.Err() once ctx is
// done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		hits, err := s.eng.detect(ctx, text)
		if err != nil {
			return err
		}
		hits = s.resolve(text, hits)
		for _, h := range hits {
			r := s.eng.rules[h.rule]
			detail := fmt.Sprintf("%s rule %s matched a secret of %d bytes", r.origin, r.id, h.end-h.start)
			if h.otherInstance {
				detail = fmt.Sprintf("another occurrence of a secret found by %s rule %s", r.origin, r.id)
			}
			rulescan.Flag(res, scanner.Finding{Rule: r.id, Start: h.start, End: h.end, Score: 1, Detail: detail})
		}
		if s.cfg.Redact && len(hits) > 0 {
			res.Sanitized = redact(text, hits, s.cfg.RedactMode)
		}
		return nil
	})
}

// resolve drops generic findings covered by a specific rule's finding
// (as gitleaks does) and duplicates, then adds further occurrences of each
// secret found. hits are sorted by start.
func (s *Scanner) resolve(text string, hits []hit) []hit {
	if len(hits) == 0 {
		return hits
	}
	out := hits[:0:0]
	// Overlapping hits form clusters (a sweep over the sorted hits); only
	// hits within one cluster can shadow each other.
	for lo := 0; lo < len(hits); {
		hi, end := lo+1, hits[lo].end
		for hi < len(hits) && hits[hi].start < end {
			end = max(end, hits[hi].end)
			hi++
		}
		cl := hits[lo:hi]
		for i, h := range cl {
			if s.shadowed(cl, i, h) {
				continue
			}
			out = append(out, h)
		}
		lo = hi
	}
	return s.repeats(text, out)
}

func (s *Scanner) shadowed(cl []hit, i int, h hit) bool {
	hr := s.eng.rules[h.rule]
	for j, o := range cl {
		if i == j || o.end <= h.start || o.start >= h.end {
			continue
		}
		or := s.eng.rules[o.rule]
		if hr.generic && !or.generic && o.start <= h.start && o.end >= h.end {
			return true // a specific rule found it
		}
		if o.start == h.start && o.end == h.end && j < i && hr.generic == or.generic {
			return true // the same span, found by an earlier rule
		}
	}
	return false
}

// repeats adds the occurrences of the found secrets that no rule matched
// (one Aho-Corasick pass over the text).
func (s *Scanner) repeats(text string, hits []hit) []hit {
	var secrets []string
	var rule []int
	seen := map[string]bool{}
	for _, h := range hits {
		sec := text[h.start:h.end]
		if len(sec) < partialMin || seen[sec] {
			continue
		}
		seen[sec] = true
		secrets = append(secrets, sec)
		rule = append(rule, h.rule)
	}
	if len(secrets) == 0 {
		return hits
	}
	// covered reports whether [a,b) overlaps a hit; hits are sorted by
	// start, and ends are checked over the hits that start before b.
	maxEnd := make([]int, len(hits)) // running maximum of ends
	for i, h := range hits {
		maxEnd[i] = h.end
		if i > 0 {
			maxEnd[i] = max(maxEnd[i], maxEnd[i-1])
		}
	}
	covered := func(a, b int) bool {
		k, _ := slices.BinarySearchFunc(hits, b, func(h hit, t int) int { return h.start - t })
		// hits[:k] start before b; one of them overlaps iff its end > a.
		return k > 0 && maxEnd[k-1] > a
	}
	var extra []hit
	lastEnd := -1
	add := func(p, a, b int) {
		if a < lastEnd || covered(a, b) {
			return
		}
		extra = append(extra, hit{rule: rule[p], start: a, end: b, mstart: a, mend: b, otherInstance: true})
		lastEnd = b
	}
	if len(secrets) <= fewSecrets {
		// A few secrets: searching for each costs less than building an
		// automaton. Occurrences are collected per secret, so sort them.
		type occ struct{ p, a int }
		var occs []occ
		for p, sec := range secrets {
			for off := 0; ; {
				i := strings.Index(text[off:], sec)
				if i < 0 {
					break
				}
				occs = append(occs, occ{p, off + i})
				off += i + 1
			}
		}
		slices.SortFunc(occs, func(x, y occ) int { return (x.a + len(secrets[x.p])) - (y.a + len(secrets[y.p])) })
		for _, o := range occs {
			add(o.p, o.a, o.a+len(secrets[o.p]))
		}
	} else {
		ahocorasick.New(secrets).Each(text, func(m ahocorasick.Match) bool {
			add(m.Pattern, m.Start, m.End)
			return true
		})
	}
	if len(extra) == 0 {
		return hits
	}
	out := append(hits, extra...)
	slices.SortStableFunc(out, func(x, y hit) int {
		if x.start != y.start {
			return x.start - y.start
		}
		return y.end - x.end
	})
	return out
}

// redact replaces the secrets' spans (merging overlapping ones).
func redact(text string, hits []hit, mode string) string {
	var sb strings.Builder
	sb.Grow(len(text))
	last := 0
	for i := 0; i < len(hits); {
		a, b := hits[i].start, hits[i].end
		j := i + 1
		for ; j < len(hits) && hits[j].start < b; j++ {
			b = max(b, hits[j].end)
		}
		i = j
		if a < last {
			a = last
		}
		if b <= a {
			continue
		}
		sb.WriteString(text[last:a])
		sb.WriteString(RedactValue(text[a:b], mode))
		last = b
	}
	sb.WriteString(text[last:])
	return sb.String()
}

// RedactValue returns what replaces secret in the given redaction mode (an
// unknown mode redacts fully).
func RedactValue(secret, mode string) string {
	switch mode {
	case RedactPartial:
		if utf8.RuneCountInString(secret) < partialMin {
			return Redacted
		}
		r := []rune(secret)
		return string(r[:2]) + ".." + string(r[len(r)-2:])
	case RedactHash:
		sum := md5.Sum([]byte(secret))
		return hex.EncodeToString(sum[:])
	default:
		return Redacted
	}
}
