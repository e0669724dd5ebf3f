package ner

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasplit"
	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/internal/pii/piieval"
)

var (
	evalSplit   = flag.String("split", "test", "Presidio split to score: train, val or test (tune on val only)")
	evalVariant = flag.String("variant", "fp32", "built-in NER model precision: fp32 or int8")
	evalBackend = flag.String("backend", "purego", "inference backend: ort, purego or auto")
)

// TestPresidioWithNER scores internal/pii's analyzer on a split of the
// Presidio synthetic data without and with the built-in NER model, per
// entity type, as pii's TestPresidio does (overlap matching, threshold
// 0.5). The model trained on the train split only; the test split is only
// reported. Run:
//
//	go test ./internal/ner -run TestPresidioWithNER -v -args -split=test -backend=purego -variant=fp32
func TestPresidioWithNER(t *testing.T) {
	rows := piieval.Presidio(t, *evalSplit)
	src := source(t, *evalBackend, *evalVariant, Options{})
	base, err := pii.New(pii.Options{})
	if err != nil {
		t.Fatal(err)
	}
	withNER, err := pii.New(pii.Options{NER: src})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := src.Tagger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	analyzers := []struct {
		name string
		run  piieval.Analyze
	}{
		{"gazetteers", analyze(base)},
		{"model alone", func(ctx context.Context, s string) ([]pii.Match, error) {
			ms, err := tg.Matches(ctx, s)
			return slices.DeleteFunc(ms, func(m pii.Match) bool { return m.Score < piieval.Threshold }), err
		}},
		{"gazetteers+NER", analyze(withNER)},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "split %s, %d rows, threshold %.1f, model %s (%s, %s)\n", *evalSplit, len(rows), piieval.Threshold, tg.ID(), *evalVariant, tg.Backend())
	results := map[string]piieval.Scores{}
	for _, an := range analyzers {
		scores, err := piieval.Score(context.Background(), rows, an.run, nil)
		if err != nil {
			t.Fatal(err)
		}
		results[an.name] = scores
		fmt.Fprintf(&b, "\n%s\n%s", an.name, scores.Table())
	}
	t.Log("\n" + b.String())
	if *evalSplit != datasplit.Test {
		return
	}
	after := results["gazetteers+NER"]
	for typ, bar := range map[string]float64{pii.Person: 0.70, pii.Organization: 0.60} {
		c := after.Of(typ)
		if c.Gold == 0 {
			t.Fatalf("%s: no gold spans", typ)
		}
		if r := c.Recall(); r < bar {
			t.Errorf("%s: recall %.3f below the bar %.2f", typ, r, bar)
		}
	}
	// The model must add something: person F1 with it above without it.
	if with, without := after.Of(pii.Person).F1(), results["gazetteers"].Of(pii.Person).F1(); with <= without {
		t.Errorf("person F1 with NER %.3f is not above without %.3f", with, without)
	}
}

func analyze(a *pii.Analyzer) piieval.Analyze {
	return func(ctx context.Context, text string) ([]pii.Match, error) {
		return a.Analyze(ctx, text, piieval.Threshold)
	}
}

// TestBenignFlagRateWithNER reports, per name type, the share of benign
// prompts (piieval.Benign, never trained or tuned on) in which the
// analyzer finds that type, without and with the NER model. Benign
// prompts do name real people and places, so this is a flag rate, an
// upper bound of the false-positive rate. Run:
//
//	go test ./internal/ner -run TestBenignFlagRateWithNER -v
func TestBenignFlagRateWithNER(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("6,885 prompts: a report that asserts nothing, not run with -short or -race")
	}
	texts := piieval.Benign(t)
	src := source(t, *evalBackend, *evalVariant, Options{})
	types := []string{pii.Person, pii.Organization, pii.Location}
	base, err := pii.New(pii.Options{EntityTypes: types})
	if err != nil {
		t.Fatal(err)
	}
	withNER, err := pii.New(pii.Options{EntityTypes: types, NER: src})
	if err != nil {
		t.Fatal(err)
	}
	var rates [2]map[string]float64
	for k, an := range []*pii.Analyzer{base, withNER} {
		if rates[k], err = piieval.FlagRates(context.Background(), texts, analyze(an)); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d benign prompts, threshold %.1f\n%-16s %10s %10s\n", len(texts), piieval.Threshold, "type", "gazetteers", "+NER")
	for _, typ := range append(types, piieval.Any) {
		fmt.Fprintf(&b, "%-16s %10.3f %10.3f\n", typ, rates[0][typ], rates[1][typ])
	}
	t.Log("\n" + b.String())
}
