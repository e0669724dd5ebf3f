package modeltest

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// Tiny is a scanner that runs one of the generated tiny sequence
// classifiers as its user model: the tests and benchmarks that the
// scanners with a classifier option share.
type Tiny struct {
	// Model is the tiny model ("tiny-binary", "tiny-multilabel"), Labels
	// its labels in output order (see ClassifierDir; none: the model's own).
	Model  string
	Labels []string
	// New builds the scanner on m, the model in dir, with threshold.
	New func(m classifier.Model, dir string, threshold float64) (scanner.Scanner, error)
}

// Each runs fn on each backend (see Backends) with the model loaded from
// its directory.
func (tm Tiny) Each(t *testing.T, fn func(t *testing.T, m classifier.Model, dir string)) {
	Backends(t, func(t *testing.T, backend string) {
		dir := ClassifierDir(t, tm.Model, tm.Labels...)
		fn(t, Load(t, backend, (*classifier.Hub).Get, dir), dir)
	})
}

// Straddle checks on each backend that the scanner's risk on in is the
// model's own: the largest probability of the flagged labels in the
// model's result for in's text, read apart from the scanner. The scanner
// flags in with a threshold just under it and passes it with one just
// over (see the function Straddle); the flagging scanner then runs the
// conformance suite with a 64 KiB huge input and opts.
func (tm Tiny) Straddle(t *testing.T, in scanner.Input, flagged []string, opts ...scannertest.Option) {
	tm.Each(t, func(t *testing.T, m classifier.Model, dir string) {
		p, err := m.Classify(context.Background(), in.Text(), classifier.MatchFull, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := 0.0
		for _, l := range flagged {
			v, ok := p.Best.Result.Score(l)
			if !ok {
				t.Fatalf("no score for %s among %v", l, p.Best.Result.Labels)
			}
			want = max(want, v)
		}
		s := Straddle(t, want, in, func(threshold float64) (scanner.Scanner, error) { return tm.New(m, dir, threshold) })
		scannertest.Run(t, s, append([]scannertest.Option{scannertest.WithHugeSize(64 << 10)}, opts...)...)
	})
}

// Bench benchmarks scans of in (a text of about 1 KB) by the scanner
// with threshold, on each backend (see BenchBackends).
func (tm Tiny) Bench(b *testing.B, in scanner.Input, threshold float64) {
	BenchBackends(b, func(b *testing.B, backend string) {
		dir := ClassifierDir(b, tm.Model, tm.Labels...)
		s, err := tm.New(Load(b, backend, (*classifier.Hub).Get, dir), dir, threshold)
		if err != nil {
			b.Fatal(err)
		}
		scannertest.Bench(b, s, in)
	})
}

// PickCase is a model's labels and the labels of one kind (refusal,
// gibberish, ...) that a scanner picks from them, joined with commas.
type PickCase struct {
	Labels []string
	Want   string
}

// PicksLabels checks a function that picks the labels of one kind from a
// model's labels: each good case gives its Want, each of bad is refused
// with an error that contains errText.
func PicksLabels(t *testing.T, pick func(labels []string) ([]string, error), good []PickCase, bad [][]string, errText string) {
	t.Helper()
	for _, c := range good {
		if got, err := pick(c.Labels); err != nil || strings.Join(got, ",") != c.Want {
			t.Errorf("%v: %v %v, want %s", c.Labels, got, err, c.Want)
		}
	}
	for _, labels := range bad {
		if _, err := pick(labels); err == nil || !strings.Contains(err.Error(), errText) {
			t.Errorf("%v: %v, want an error containing %q", labels, err, errText)
		}
	}
}
