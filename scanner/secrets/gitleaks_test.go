package secrets

// This file compares the scanner with gitleaks used as a library (option
// (a) of issue 13). gitleaks is a test-only dependency: it is not linked
// into llmshield.

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pelletier/go-toml/v2"
	gitleaksconfig "github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

var gitleaksDetector = sync.OnceValues(detect.NewDetectorDefaultConfig)

// gitleaksDetect adapts gitleaks' detector. It is not safe for concurrent
// use (it keeps state), so calls are serialised.
func gitleaksDetect(tb testing.TB) detectFunc {
	d, err := gitleaksDetector()
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	return func(text string) [][2]int {
		mu.Lock()
		defer mu.Unlock()
		var out [][2]int
		for _, f := range d.DetectString(text) {
			// gitleaks reports lines and columns; locate the secret.
			if i := strings.Index(text, f.Secret); i >= 0 && f.Secret != "" {
				out = append(out, [2]int{i, i + len(f.Secret)})
			} else {
				out = append(out, [2]int{0, 0})
			}
		}
		return out
	}
}

// gitleaksOnly is the scanner restricted to gitleaks' rules.
func gitleaksOnly(tb testing.TB) *Scanner {
	set, err := builtin()
	if err != nil {
		tb.Fatal(err)
	}
	cfg := DefaultConfig()
	for _, r := range set.rules[set.gitleaksN:] {
		if r.origin == originExtra && !isGitleaksID(tb, r.id) {
			cfg.DisabledRules = append(cfg.DisabledRules, r.id)
		}
	}
	s, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// gitleaksRuleIDs lists the rule ids of the gitleaks module this is built
// with (its own embedded default config, not our copy).
func gitleaksRuleIDs(tb testing.TB) []string {
	var f struct {
		Rules []struct {
			ID string `toml:"id"`
		} `toml:"rules"`
	}
	if err := toml.Unmarshal([]byte(gitleaksconfig.DefaultConfig), &f); err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, r := range f.Rules {
		ids = append(ids, r.ID)
	}
	return ids
}

func isGitleaksID(tb testing.TB, id string) bool {
	return slices.Contains(gitleaksRuleIDs(tb), id)
}

// TestCoversGitleaksRuleIDs checks that every rule id of gitleaks' default
// config is a content rule here, so that updating the gitleaks module
// without updating gitleaks.toml fails.
func TestCoversGitleaksRuleIDs(t *testing.T) {
	s := scannertest.Must(t, New, DefaultConfig())
	ours := s.RuleIDs()
	ids := gitleaksRuleIDs(t)
	if len(ids) < 200 {
		t.Fatalf("gitleaks lists only %d rules; parse problem?", len(ids))
	}
	for _, id := range ids {
		if !slices.Contains(ours, id) {
			t.Errorf("gitleaks rule %q is not covered", id)
		}
	}
	if string(gitleaksTOML) != gitleaksconfig.DefaultConfig {
		t.Errorf("gitleaks.toml differs from the gitleaks module's default config; copy it again and bump rulesVersion")
	}
}

// TestMatchesGitleaks is a differential test: on the shared data (and on
// a few built texts), the scanner restricted to gitleaks' rules finds a
// secret wherever gitleaks does.
func TestMatchesGitleaks(t *testing.T) {
	texts := []string{
		"aws AKIAIOSFODNN7EXAMPLQ",
		"token ghp_1234567890abcdefghijABCDEFGHIJ123456 end",
		"slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx1qWzYcWx9aTqZfP8sJ5L0m0cD2aA7wMdQ0iPZyZb3wq2sQmF0E\n-----END RSA PRIVATE KEY-----",
	}
	if dir := sharedDir(); dir != "" {
		for _, r := range readJSONL(t, dir+"/secrets/noseyparker_rule_examples.jsonl") {
			texts = append(texts, r.Text)
		}
		if !testing.Short() {
			for _, name := range benignFiles {
				for _, r := range readJSONL(t, dir+"/injection/"+name) {
					texts = append(texts, r.Text)
				}
			}
		}
	}
	ours := scannerDetect(t, gitleaksOnly(t))
	theirs := gitleaksDetect(t)
	var onlyTheirs, onlyOurs int
	for _, text := range texts {
		a, b := len(ours(text)) > 0, len(theirs(text)) > 0
		switch {
		case b && !a:
			onlyTheirs++
			t.Errorf("gitleaks flags, scanner does not: %.100q", text)
		case a && !b:
			onlyOurs++
		}
	}
	t.Logf("%d texts: flagged only by gitleaks %d, only by the scanner %d (path-restricted gitleaks rules run here)", len(texts), onlyTheirs, onlyOurs)
}

// TestEvalOptions measures both options of issue 13 on the shared data.
func TestEvalOptions(t *testing.T) {
	if testing.Short() {
		t.Skip("dataset evaluation skipped in -short mode")
	}
	a := evaluate(t, gitleaksDetect(t))
	b := evaluate(t, scannerDetect(t, gitleaksOnly(t)))
	all := scannertest.Must(t, New, DefaultConfig())
	c := evaluate(t, scannerDetect(t, all))
	t.Logf("(a) gitleaks library:             %v", a)
	t.Logf("(b) engine, gitleaks rules only:  %v", b)
	t.Logf("(b) engine, all rules (shipped):  %v", c)
	if b.recall < a.recall {
		t.Errorf("engine recall %.3f below gitleaks' %.3f with the same rules", b.recall, a.recall)
	}
}

// text1KB is a realistic 1 KB prompt with one secret in it.
func text1KB() string {
	var sb strings.Builder
	sb.WriteString("Hi! I'm deploying our billing service and something is off with the config below. ")
	sb.WriteString("Could you review it, explain what each setting does and suggest improvements for production? ")
	sb.WriteString("We run three replicas behind a load balancer, with a PostgreSQL database and a Redis cache.\n\n")
	sb.WriteString("```yaml\nservice:\n  name: billing\n  replicas: 3\n  port: 8080\n  log_level: debug\ndatabase:\n  host: db.internal\n  port: 5432\n  pool_size: 20\n")
	sb.WriteString("stripe:\n  api_key: sk_live_51H8s2kLmNoPqRsTuVwXyZ0123456789abcdEFGH\n```\n\n")
	for sb.Len() < 1024 {
		sb.WriteString("Also, the health check sometimes times out after a deploy; what timeout would you pick? ")
	}
	return sb.String()[:1024]
}

func BenchmarkScan1KB(b *testing.B) {
	s := scannertest.Must(b, New, DefaultConfig())
	text := text1KB()
	if res, _ := s.Scan(context.Background(), scanner.Input{Prompt: text}); res.Valid {
		b.Fatal("1 KB prompt not flagged")
	}
	scannertest.Bench(b, s, scanner.Input{Prompt: text})
}

func BenchmarkScan1KBClean(b *testing.B) {
	s := scannertest.Must(b, New, DefaultConfig())
	text := strings.Replace(text1KB(), "sk_live_51H8s2kLmNoPqRsTuVwXyZ0123456789abcdEFGH", "see the vault", 1)
	scannertest.Bench(b, s, scanner.Input{Prompt: text})
}

func BenchmarkGitleaksDetectString1KB(b *testing.B) {
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		b.Fatal(err)
	}
	text := text1KB()
	if len(d.DetectString(text)) == 0 {
		b.Fatal("gitleaks does not flag the 1 KB prompt")
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		d.DetectString(text)
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompileBuiltin measures what the first New in a process pays:
// parsing and compiling the built-in rules (New reuses them after that),
// with the generated analysis table (start-up) and without it (what a stale
// table costs: every expression analysed and compiled).
func BenchmarkCompileBuiltin(b *testing.B) {
	for _, c := range []struct {
		name     string
		useTable bool
	}{{"table", true}, {"analysed", false}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := compileBuiltin(c.useTable); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
