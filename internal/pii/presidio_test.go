package pii_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasplit"
	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/internal/pii/piieval"
)

var (
	evalSplit = flag.String("split", "test", "Presidio split to score: train, val or test (tune on val only)")
	evalMiss  = flag.String("misses", "", "print missed and spurious spans of this entity type (val split only)")
)

// TestPresidio scores the analyzer per entity type on one split of the
// Presidio synthetic data (default: test), as piieval.Score counts.
// P(noaddr) leaves out predictions that fall inside a gold ADDRESS /
// STREET_ADDRESS span. Run with -v to see the table:
//
//	go test ./internal/pii -run TestPresidio -v -args -split=test
func TestPresidio(t *testing.T) {
	split := *evalSplit
	rows := piieval.Presidio(t, split)
	a, err := pii.New(pii.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var miss piieval.Miss
	if *evalMiss != "" && split != datasplit.Test {
		miss = func(r piieval.Row, s piieval.Span, missed bool, score float64) {
			switch {
			case s.Type != *evalMiss:
			case missed:
				t.Logf("MISS %s %q in %q", s.Type, r.Text[s.Start:s.End], r.Text)
			default:
				t.Logf("FP   %s %q (%.2f) in %q", s.Type, r.Text[s.Start:s.End], score, r.Text)
			}
		}
	}
	scores, err := piieval.Score(context.Background(), rows, analyze(a), miss)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\nsplit %s, %d rows, threshold %.1f\n%s", split, len(rows), piieval.Threshold, scores.Table())
	if split != datasplit.Test {
		return
	}
	bars := map[string]float64{pii.Email: 0.95, pii.CreditCard: 0.95, pii.IBAN: 0.95, pii.USSSN: 0.95, pii.Phone: 0.95, pii.Person: 0.70, pii.Organization: 0.60}
	for typ, bar := range bars {
		c := scores.Of(typ)
		if c.Gold == 0 {
			t.Errorf("%s: no gold spans in the test split", typ)
			continue
		}
		if r := c.Recall(); r < bar {
			t.Errorf("%s: recall %.3f below the bar %.2f", typ, r, bar)
		}
	}
}

func analyze(a *pii.Analyzer) piieval.Analyze {
	return func(ctx context.Context, text string) ([]pii.Match, error) {
		return a.Analyze(ctx, text, piieval.Threshold)
	}
}

// TestBenignFlagRate reports, per entity type, the share of benign
// prompts (piieval.Benign, never used for tuning) in which the analyzer
// finds that type. Names of people and places in such prompts are often
// real entities, so for them this is a flag rate, not a false-positive
// rate; for the structured types every hit is checked to be at most 1 %.
//
//	go test ./internal/pii -run TestBenignFlagRate -v
func TestBenignFlagRate(t *testing.T) {
	texts := piieval.Benign(t)
	a, err := pii.New(pii.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rates, err := piieval.FlagRates(context.Background(), texts, analyze(a))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d benign prompts; any entity: %.3f\n", len(texts), rates[piieval.Any])
	for _, typ := range pii.AllTypes {
		fmt.Fprintf(&b, "%-16s %6.3f\n", typ, rates[typ])
	}
	t.Log("\n" + b.String())
	for _, typ := range []string{pii.Email, pii.CreditCard, pii.IBAN, pii.USSSN, pii.Crypto, pii.UUID} {
		if r := rates[typ]; r > 0.01 {
			t.Errorf("%s flagged in %.3f of benign prompts", typ, r)
		}
	}
}
