package ner

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasplit"
	"github.com/llmshield/llmshield/internal/pii"
)

var (
	evalSplit   = flag.String("split", "test", "Presidio split to score: train, val or test (tune on val only)")
	evalVariant = flag.String("variant", "fp32", "built-in NER model precision: fp32 or int8")
	evalBackend = flag.String("backend", "purego", "inference backend: ort, purego or auto")
)

// goldType maps Presidio's labels to internal/pii's (as pii's TestPresidio).
var goldType = map[string]string{
	"PERSON": pii.Person, "ORGANIZATION": pii.Organization, "LOCATION": pii.Location, "GPE": pii.Location,
	"CREDIT_CARD": pii.CreditCard, "PHONE_NUMBER": pii.Phone, "EMAIL_ADDRESS": pii.Email, "IBAN_CODE": pii.IBAN,
	"US_SSN": pii.USSSN, "IP_ADDRESS": pii.IPAddress, "DOMAIN_NAME": pii.URL, "US_DRIVER_LICENSE": pii.DriverLicense,
}

type span struct {
	s, e int
	typ  string
}

type counts struct{ gold, found, pred, correct int }

func (c counts) row(name string) string {
	p, r := ratio(c.correct, c.pred), ratio(c.found, c.gold)
	f1 := 0.0
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return fmt.Sprintf("%-14s %5d %5d %9.3f %6.3f %6.3f", name, c.gold, c.pred, p, r, f1)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// TestPresidioWithNER scores internal/pii's analyzer on a split of the
// Presidio synthetic data without and with the built-in NER model, per
// entity type, as pii's TestPresidio does (overlap matching, threshold
// 0.5). The model trained on the train split only; the test split is only
// reported. Run:
//
//	go test ./internal/ner -run TestPresidioWithNER -v -args -split=test -backend=purego -variant=fp32
func TestPresidioWithNER(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "datasets", "pii", "presidio_*.jsonl"))
	if len(files) == 0 {
		t.Skip("../shared/datasets/pii not found")
	}
	type row struct {
		Text  string
		Spans []struct {
			Start, End int
			Type       string
		}
	}
	var rows []row
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var r row
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if datasplit.Of(r.Text) == *evalSplit {
				rows = append(rows, r)
			}
		}
		fh.Close()
	}
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
	modelOnly := func(ctx context.Context, text string) ([]pii.Match, error) { return tg.Matches(ctx, text) }
	analyzers := []struct {
		name string
		run  func(context.Context, string) ([]pii.Match, error)
	}{
		{"gazetteers", func(ctx context.Context, s string) ([]pii.Match, error) { return base.Analyze(ctx, s, 0.5) }},
		{"model alone", func(ctx context.Context, s string) ([]pii.Match, error) {
			ms, err := modelOnly(ctx, s)
			kept := ms[:0]
			for _, m := range ms {
				if m.Score >= 0.5 {
					kept = append(kept, m)
				}
			}
			return kept, err
		}},
		{"gazetteers+NER", func(ctx context.Context, s string) ([]pii.Match, error) { return withNER.Analyze(ctx, s, 0.5) }},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "split %s, %d rows, threshold 0.5, model %s (%s, %s)\n", *evalSplit, len(rows), tg.ID(), *evalVariant, tg.Backend())
	results := map[string]map[string]*counts{}
	for _, an := range analyzers {
		per := map[string]*counts{}
		get := func(k string) *counts {
			if per[k] == nil {
				per[k] = &counts{}
			}
			return per[k]
		}
		for _, r := range rows {
			byteOf := runeToByte(r.Text)
			ms, err := an.run(context.Background(), r.Text)
			if err != nil {
				t.Fatal(err)
			}
			var gold []span
			for _, s := range r.Spans {
				if typ, ok := goldType[s.Type]; ok {
					gold = append(gold, span{byteOf[s.Start], byteOf[s.End], typ})
					get(typ).gold++
				}
			}
			for _, g := range gold {
				for _, m := range ms {
					if m.Type == g.typ && m.Start < g.e && g.s < m.End {
						get(g.typ).found++
						break
					}
				}
			}
			for _, m := range ms {
				c := get(m.Type)
				c.pred++
				for _, g := range gold {
					if m.Type == g.typ && m.Start < g.e && g.s < m.End {
						c.correct++
						break
					}
				}
			}
		}
		results[an.name] = per
		fmt.Fprintf(&b, "\n%s\n%-14s %5s %5s %9s %6s %6s\n", an.name, "type", "gold", "pred", "precision", "recall", "F1")
		keys := make([]string, 0, len(per))
		for k := range per {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString(per[k].row(k) + "\n")
		}
	}
	t.Log("\n" + b.String())
	if *evalSplit != datasplit.Test {
		return
	}
	after := results["gazetteers+NER"]
	for typ, bar := range map[string]float64{pii.Person: 0.70, pii.Organization: 0.60} {
		c := after[typ]
		if c == nil || c.gold == 0 {
			t.Fatalf("%s: no gold spans", typ)
		}
		if r := ratio(c.found, c.gold); r < bar {
			t.Errorf("%s: recall %.3f below the bar %.2f", typ, r, bar)
		}
	}
	// The model must add something: person F1 with it above without it.
	f1 := func(c *counts) float64 {
		p, r := ratio(c.correct, c.pred), ratio(c.found, c.gold)
		if p+r == 0 {
			return 0
		}
		return 2 * p * r / (p + r)
	}
	if f1(after[pii.Person]) <= f1(results["gazetteers"][pii.Person]) {
		t.Errorf("person F1 with NER %.3f is not above without %.3f", f1(after[pii.Person]), f1(results["gazetteers"][pii.Person]))
	}
}

func runeToByte(s string) []int {
	out := make([]int, 0, len(s)+1)
	for i := range s {
		out = append(out, i)
	}
	return append(out, len(s))
}

// TestBenignFlagRateWithNER reports, per name type, the share of benign
// prompts (GPTeacher and self-instruct from ../shared/datasets/injection,
// never trained or tuned on) in which the analyzer finds that type,
// without and with the NER model. Benign prompts do name real people and
// places, so this is a flag rate, an upper bound of the false-positive
// rate. Run:
//
//	go test ./internal/ner -run TestBenignFlagRateWithNER -v
func TestBenignFlagRateWithNER(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("6,885 prompts: a report that asserts nothing, not run with -short or -race")
	}
	var texts []string
	for _, name := range []string{"gpteacher_benign.jsonl", "self_instruct_benign.jsonl"} {
		fh, err := os.Open(filepath.Join("..", "..", "..", "shared", "datasets", "injection", name))
		if err != nil {
			t.Skip("../shared/datasets/injection not found")
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var r struct{ Text string }
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, r.Text)
		}
		fh.Close()
	}
	src := source(t, *evalBackend, *evalVariant, Options{})
	base, err := pii.New(pii.Options{EntityTypes: []string{pii.Person, pii.Organization, pii.Location}})
	if err != nil {
		t.Fatal(err)
	}
	withNER, err := pii.New(pii.Options{EntityTypes: []string{pii.Person, pii.Organization, pii.Location}, NER: src})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d benign prompts, threshold 0.5\n%-16s %10s %10s\n", len(texts), "type", "gazetteers", "+NER")
	rates := map[string][2]float64{}
	for k, an := range []*pii.Analyzer{base, withNER} {
		hits := map[string]int{}
		for _, text := range texts {
			ms, err := an.Analyze(context.Background(), text, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{"any": len(ms) > 0}
			for _, m := range ms {
				seen[m.Type] = true
			}
			for typ, ok := range seen {
				if ok {
					hits[typ]++
				}
			}
		}
		for _, typ := range []string{pii.Person, pii.Organization, pii.Location, "any"} {
			r := rates[typ]
			r[k] = ratio(hits[typ], len(texts))
			rates[typ] = r
		}
	}
	for _, typ := range []string{pii.Person, pii.Organization, pii.Location, "any"} {
		fmt.Fprintf(&b, "%-16s %10.3f %10.3f\n", typ, rates[typ][0], rates[typ][1])
	}
	t.Log("\n" + b.String())
}
