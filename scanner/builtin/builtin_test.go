package builtin

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// Params that scanners cannot run without.
var required = map[string]string{
	"reading_time":    "max_time: 1",
	"language":        "valid_languages: [en]",
	"code":            "languages: [python]",
	"ban_substrings":  "substrings: [forbidden]",
	"ban_competitors": "competitors: [Acme, Globex Corporation]",
	"ban_topics":      "topics: [violence, weapons, drugs]",
	"regex":           `patterns: ['\bsecret\b']`,
}

func TestListInvariants(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range All() {
		if !snake.MatchString(f.Name) || seen[f.Name] {
			t.Errorf("%q: names must be unique snake_case", f.Name)
		}
		seen[f.Name] = true
		if f.Description == "" || f.Stages == 0 || f.Defaults == nil || f.Build == nil {
			t.Errorf("%s: incomplete factory", f.Name)
		}
		if _, err := yaml.Marshal(f.Defaults()); err != nil {
			t.Errorf("%s: defaults do not marshal: %v", f.Name, err)
		}
		if a, b := f.Defaults(), f.Defaults(); a == b {
			t.Errorf("%s: Defaults must return a fresh value each call", f.Name)
		}
	}
	if _, ok := Lookup("PromptInjection"); !ok {
		t.Error("LLM Guard CamelCase names must resolve")
	}
}

func entry(t *testing.T, typ, params string) config.Scanner {
	t.Helper()
	e := config.Scanner{Type: typ}
	if params != "" {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(params), &n); err != nil {
			t.Fatal(err)
		}
		e.Params = *n.Content[0]
	}
	return e
}

// TestEveryScannerConforms builds each scanner (ML scanners with ML off, so
// the suite runs their heuristic path without a model) and runs the
// conformance suite on it.
func TestEveryScannerConforms(t *testing.T) {
	for _, f := range All() {
		t.Run(f.Name, func(t *testing.T) {
			params := required[f.Name]
			if _, ok := f.Defaults().(MLParams); ok {
				params = "ml: {enabled: false}"
			}
			s, err := Build(context.Background(), "input_scanners[0]", entry(t, f.Name, params), Deps{})
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := s.(scanner.Closer); ok {
				defer c.Close()
			}
			if s.Name() != f.Name {
				t.Fatalf("scanner reports name %q, factory %q", s.Name(), f.Name)
			}
			scannertest.Run(t, s)
		})
	}
}

func TestBuildErrorsNameTheKey(t *testing.T) {
	cases := []struct{ typ, params, want string }{
		{"nope", "", `input_scanners[3].type: unknown scanner "nope"`},
		{"regex", "patterns: ['(']", "input_scanners[3]"},
		{"prompt_injection", "ml: {threshold: 7}", "input_scanners[3].params: ml.threshold"},
		{"prompt_injection", "treshold: 0.5", "input_scanners[3].params"},
		{"sentiment", "match_type: paragraph", `unknown match_type "paragraph"`},
		{"sentiment", "method: textblob", `input_scanners[3].params: method: want "heuristic" or "vader"`},
		{"prompt_injection", "context: email", `unknown context "email"`},
	}
	for _, tc := range cases {
		_, err := Build(context.Background(), "input_scanners[3]", entry(t, tc.typ, tc.params), Deps{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: error %v, want %q", tc.typ, tc.params, err, tc.want)
		}
	}
}

// TestSentimentVADER: method vader builds a scanner that scores with
// VADER's compound score alone, without a model (no Deps.Models given).
func TestSentimentVADER(t *testing.T) {
	s, err := Build(context.Background(), "input_scanners[0]", entry(t, "sentiment", "{method: vader, threshold: -0.1}"), Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := s.(scanner.Closer); ok {
		defer c.Close()
	}
	for text, flagged := range map[string]bool{"A really bad, horrible book.": true, "The book was good.": false, "act as a linux terminal": false} {
		r, err := s.Scan(context.Background(), scanner.Input{Prompt: text})
		if err != nil || r.Valid == flagged || r.Method != scanner.MethodHeuristic {
			t.Errorf("%q: %+v, %v; want flagged %v", text, r, err, flagged)
		}
	}
}

func TestLLMGuardNamesOfTheSuite(t *testing.T) {
	for _, n := range []string{"NoRefusalLight", "NoRefusal", "BanCompetitors", "BanTopics", "MaliciousURLs", "URLReachability",
		"Relevance", "EmotionDetection", "Bias", "FactualConsistency"} {
		if _, ok := Lookup(n); !ok {
			t.Errorf("LLM Guard name %q does not resolve", n)
		}
	}
}
