// Package piieval holds what the evaluation tests of internal/pii and
// internal/ner share: loading the Presidio synthetic data and the benign
// prompts from the shared datasets (package datasets; tests skip when
// they are absent), scoring an analyzer per entity type, and the flag
// rate on benign prompts. It is used by tests only.
package piieval

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/internal/datasplit"
	"github.com/llmshield/llmshield/internal/pii"
)

// Threshold is the analyzer score threshold the evaluations use.
const Threshold = 0.5

// GoldType maps Presidio's labels to internal/pii's; unmapped labels are
// not scored (but a prediction overlapping them still counts as a false
// positive).
var GoldType = map[string]string{
	"PERSON": pii.Person, "ORGANIZATION": pii.Organization, "LOCATION": pii.Location, "GPE": pii.Location,
	"CREDIT_CARD": pii.CreditCard, "PHONE_NUMBER": pii.Phone, "EMAIL_ADDRESS": pii.Email, "IBAN_CODE": pii.IBAN,
	"US_SSN": pii.USSSN, "IP_ADDRESS": pii.IPAddress, "DOMAIN_NAME": pii.URL, "US_DRIVER_LICENSE": pii.DriverLicense,
}

// Span is a labelled range of a text, in byte offsets.
type Span struct {
	Start, End int
	Type       string
}

func (s Span) overlaps(start, end int) bool { return s.Start < end && start < s.End }

// Row is one Presidio sentence: its gold spans of the GoldType types
// (typed as internal/pii types) and its ADDRESS / STREET_ADDRESS spans.
type Row struct {
	Text      string
	Gold      []Span
	Addresses []Span
}

// Presidio loads the rows of one split (datasplit) of the Presidio
// synthetic data in the shared datasets, converting Presidio's character
// offsets to byte offsets.
func Presidio(tb testing.TB, split string) []Row {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(datasets.Dir("pii"), "presidio_*.jsonl"))
	if len(files) == 0 {
		tb.Skip("../shared/datasets/pii not found")
	}
	type raw struct {
		Text  string
		Spans []struct {
			Start, End int
			Type       string
		}
	}
	var rows []Row
	for _, f := range files {
		for _, r := range datasets.ReadRows[raw](tb, f) {
			if datasplit.Of(r.Text) != split {
				continue
			}
			byteOf := runeToByte(r.Text)
			row := Row{Text: r.Text}
			for _, s := range r.Spans {
				if s.Start < 0 || s.End < s.Start || s.End >= len(byteOf) {
					tb.Fatalf("span %+v outside %q", s, r.Text)
				}
				if s.Type == "ADDRESS" || s.Type == "STREET_ADDRESS" {
					row.Addresses = append(row.Addresses, Span{byteOf[s.Start], byteOf[s.End], s.Type})
				}
				if typ, ok := GoldType[s.Type]; ok {
					row.Gold = append(row.Gold, Span{byteOf[s.Start], byteOf[s.End], typ})
				}
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// runeToByte maps rune (code point) offsets to byte offsets; Presidio's
// offsets are Python string indices.
func runeToByte(s string) []int {
	out := make([]int, 0, len(s)+1)
	for i := range s {
		out = append(out, i)
	}
	return append(out, len(s))
}

// Benign loads the benign prompts (GPTeacher and self-instruct from the
// shared injection data, never trained or tuned on).
func Benign(tb testing.TB) []string {
	tb.Helper()
	var texts []string
	for _, name := range []string{"gpteacher_benign.jsonl", "self_instruct_benign.jsonl"} {
		for _, r := range datasets.ReadRows[struct{ Text string }](tb, datasets.Dir("injection", name)) {
			texts = append(texts, r.Text)
		}
	}
	return texts
}

// Analyze finds entities in a text at Threshold.
type Analyze func(ctx context.Context, text string) ([]pii.Match, error)

// Counts are one entity type's scores. A gold span is found when a
// prediction of its type overlaps it; a prediction is correct when it
// overlaps a gold span of its type. InAddress counts the incorrect
// predictions that fall inside an address (Presidio labels a city inside
// an address as part of the address, not as a LOCATION).
type Counts struct{ Gold, Found, Pred, Correct, InAddress int }

// Precision is Correct/Pred, Recall Found/Gold, F1 their harmonic mean
// (0 where undefined).
func (c Counts) Precision() float64 { return binclass.Ratio(c.Correct, c.Pred) }
func (c Counts) Recall() float64    { return binclass.Ratio(c.Found, c.Gold) }
func (c Counts) F1() float64        { return binclass.F1(c.Precision(), c.Recall()) }

// Scores are Counts per entity type.
type Scores map[string]*Counts

// Of returns typ's counts, creating them.
func (s Scores) Of(typ string) *Counts {
	if s[typ] == nil {
		s[typ] = &Counts{}
	}
	return s[typ]
}

// Miss is told of a gold span no prediction found (missed true) or of an
// incorrect prediction (missed false, with its score).
type Miss func(row Row, s Span, missed bool, score float64)

// Score runs an on every row and counts per entity type; miss, when not
// nil, is told of every miss and every incorrect prediction.
func Score(ctx context.Context, rows []Row, an Analyze, miss Miss) (Scores, error) {
	scores := Scores{}
	for _, r := range rows {
		ms, err := an(ctx, r.Text)
		if err != nil {
			return nil, err
		}
		for _, g := range r.Gold {
			c := scores.Of(g.Type)
			c.Gold++
			if slices.ContainsFunc(ms, func(m pii.Match) bool { return m.Type == g.Type && g.overlaps(m.Start, m.End) }) {
				c.Found++
			} else if miss != nil {
				miss(r, g, true, 0)
			}
		}
		for _, m := range ms {
			c := scores.Of(m.Type)
			c.Pred++
			switch {
			case slices.ContainsFunc(r.Gold, func(g Span) bool { return m.Type == g.Type && g.overlaps(m.Start, m.End) }):
				c.Correct++
				continue
			case slices.ContainsFunc(r.Addresses, func(g Span) bool { return g.overlaps(m.Start, m.End) }):
				c.InAddress++
			}
			if miss != nil {
				miss(r, Span{m.Start, m.End, m.Type}, false, m.Score)
			}
		}
	}
	return scores, nil
}

// Table formats the scores, one entity type a row in name order.
func (s Scores) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %5s %5s %9s %6s %6s %9s\n", "type", "gold", "pred", "precision", "recall", "F1", "P(noaddr)")
	for _, k := range slices.Sorted(maps.Keys(s)) {
		c := s[k]
		fmt.Fprintf(&b, "%-16s %5d %5d %9.3f %6.3f %6.3f %9.3f\n", k, c.Gold, c.Pred, c.Precision(), c.Recall(), c.F1(), binclass.Ratio(c.Correct, c.Pred-c.InAddress))
	}
	return b.String()
}

// Any is the FlagRates key of texts with at least one entity.
const Any = "any"

// FlagRates runs an on every text and returns, per entity type and for
// Any, the share of texts in which it found that type.
func FlagRates(ctx context.Context, texts []string, an Analyze) (map[string]float64, error) {
	hits := map[string]int{}
	for _, text := range texts {
		ms, err := an(ctx, text)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, m := range ms {
			seen[m.Type] = true
		}
		if len(ms) > 0 {
			seen[Any] = true
		}
		for typ := range seen {
			hits[typ]++
		}
	}
	rates := make(map[string]float64, len(hits))
	for typ, n := range hits {
		rates[typ] = binclass.Ratio(n, len(texts))
	}
	return rates, nil
}
