package scannertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/scanner"
)

// Answer is the input of an output scan of text, the answer to a fixed
// prompt.
func Answer(text string) scanner.Input {
	return scanner.Input{Prompt: "Tell me something.", Output: text, Stage: scanner.StageOutput}
}

// Case is one row of a table test (see Table): a configuration, the text
// to scan, and what the scan must return.
type Case[C any] struct {
	Name string
	Cfg  C
	// Text is scanned as the prompt, or as the answer to a fixed prompt
	// when the scanner only checks outputs.
	Text string
	// Valid is the verdict.
	Valid bool
	// Sanitized is the text the scan must return: Text itself unless the
	// scanner rewrites it.
	Sanitized string
	// Spans are the findings' [Start, End) byte offsets, in order; nil
	// when there must be none.
	Spans [][2]int
}

// Table runs each case as a subtest: it builds a scanner from the case's
// Cfg with build, scans the case's Text as Check does, and fails where the
// verdict, the sanitised text or the findings' spans differ from the
// case's, or where a flagged text has no risk.
func Table[C any, S scanner.Scanner](t *testing.T, build func(C) (S, error), cases []Case[C]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			s, err := build(c.Cfg)
			if err != nil {
				t.Fatal(err)
			}
			res := Check(t, s, caseInput(s, c.Text))
			if res.Valid != c.Valid || res.Sanitized != c.Sanitized {
				t.Errorf("valid %v sanitized %q, want %v %q", res.Valid, res.Sanitized, c.Valid, c.Sanitized)
			}
			if !res.Valid && !(res.Risk > 0) {
				t.Errorf("flagged with risk %v", res.Risk)
			}
			var spans [][2]int
			for _, f := range res.Findings {
				spans = append(spans, [2]int{f.Start, f.End})
			}
			if d := cmp.Diff(c.Spans, spans); d != "" {
				t.Errorf("spans (-want +got):\n%s", d)
			}
		})
	}
}

// caseInput is the input a table scans for text: the prompt, or the
// answer to a fixed prompt when s only checks outputs.
func caseInput(s scanner.Scanner, text string) scanner.Input {
	if !supportsPrompt(s) {
		return Answer(text)
	}
	return scanner.Input{Prompt: text}
}

// Verdicts scans each text of want with s as Table does (the prompt, or
// the answer to a fixed prompt when s only checks outputs) and checks the
// result as Check does, failing t where the verdict is not want[text]
// (true: valid). explain, when not nil, adds what the test can say about
// a text to its failure. It returns the results by text, for checks of
// their own.
func Verdicts(t testing.TB, s scanner.Scanner, want map[string]bool, explain func(text string) string) map[string]scanner.Result {
	t.Helper()
	got := make(map[string]scanner.Result, len(want))
	for text, valid := range want {
		res := Check(t, s, caseInput(s, text))
		if res.Valid != valid {
			why := ""
			if explain != nil {
				why = "; " + explain(text)
			}
			t.Errorf("%q: valid %v, want %v (risk %.3f, findings %+v%s)", text, res.Valid, valid, res.Risk, res.Findings, why)
		}
		got[text] = res
	}
	return got
}

// BadConfig is a configuration that a scanner's New must refuse with an
// error that names Field.
type BadConfig[C any] struct {
	Cfg   C
	Field string
}

// RefusesConfigs checks that build refuses each bad configuration with an
// error naming its field.
func RefusesConfigs[C, S any](t testing.TB, build func(C) (S, error), bad []BadConfig[C]) {
	t.Helper()
	for _, c := range bad {
		if _, err := build(c.Cfg); err == nil || !strings.Contains(err.Error(), c.Field) {
			t.Errorf("%+v: err %v, want one naming %s", c.Cfg, err, c.Field)
		}
	}
}

// DecodesYAML decodes doc into a copy of base as the configuration loader
// does (see DecodeYAML) and fails t unless the result is want; it also
// checks that a key base does not have, the first key of doc misspelt, is
// refused.
func DecodesYAML[C any](t testing.TB, base C, doc string, want C) {
	t.Helper()
	got := base
	DecodeYAML(t, doc, &got)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("decode %q (-want +got):\n%s", doc, d)
	}
	key, _, ok := strings.Cut(doc, ":")
	if !ok {
		return
	}
	bad := strings.Replace(doc, key, key+"x", 1)
	dec := yaml.NewDecoder(strings.NewReader(bad))
	dec.KnownFields(true)
	if err := dec.Decode(&got); err == nil {
		t.Errorf("decode %q: unknown key %s accepted", bad, key+"x")
	}
}

// FingerprintsDiffer checks that each of the configurations gives a
// scanner with a fingerprint of its own: each differs from the first in a
// setting that can change a verdict.
func FingerprintsDiffer[C any, S scanner.Fingerprinter](t testing.TB, build func(C) (S, error), cfgs ...C) {
	t.Helper()
	seen := map[string]int{}
	for i, c := range cfgs {
		s, err := build(c)
		if err != nil {
			t.Fatalf("configuration %d: %v", i, err)
		}
		fp := s.Fingerprint()
		if j, ok := seen[fp]; ok {
			t.Errorf("configurations %d and %d share a fingerprint: %+v and %+v", j, i, cfgs[j], c)
		}
		seen[fp] = i
	}
}

// Bench benchmarks scans of in with s, reporting bytes per second and
// allocations; a scan error fails b.
func Bench(b *testing.B, s scanner.Scanner, in scanner.Input) {
	b.Helper()
	b.SetBytes(int64(len(in.Text())))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Scan(context.Background(), in); err != nil {
			b.Fatal(fmt.Errorf("%s: %w", s.Name(), err))
		}
	}
}

// Must returns build(cfg), failing t at once when build refuses cfg: the
// scanner a test, fuzz target or benchmark needs.
func Must[C, S any](t testing.TB, build func(C) (S, error), cfg C) S {
	t.Helper()
	s, err := build(cfg)
	if err != nil {
		t.Fatalf("%+v: %v", cfg, err)
	}
	return s
}

// ReadJSON decodes the JSON file at path (a golden corpus under testdata,
// say) into a T, failing tb when it cannot.
func ReadJSON[T any](tb testing.TB, path string) T {
	tb.Helper()
	var v T
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return v
}

// RefusesConfigsWith is RefusesConfigs for a New that takes options (a
// user model, say): it builds each bad configuration with opts.
func RefusesConfigsWith[C, S, O any](t testing.TB, build func(C, ...O) (S, error), bad []BadConfig[C], opts ...O) {
	t.Helper()
	RefusesConfigs(t, func(c C) (S, error) { return build(c, opts...) }, bad)
}
