package pii

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
)

var (
	evalSplit = flag.String("split", "test", "Presidio split to score: train, val or test (tune on val only)")
	evalMiss  = flag.String("misses", "", "print missed and spurious spans of this entity type (val split only)")
)

// goldType maps Presidio's labels to ours; unmapped labels are not scored
// (but a prediction overlapping them still counts as a false positive).
var goldType = map[string]string{
	"PERSON": Person, "ORGANIZATION": Organization, "LOCATION": Location, "GPE": Location,
	"CREDIT_CARD": CreditCard, "PHONE_NUMBER": Phone, "EMAIL_ADDRESS": Email, "IBAN_CODE": IBAN,
	"US_SSN": USSSN, "IP_ADDRESS": IPAddress, "DOMAIN_NAME": URL, "US_DRIVER_LICENSE": DriverLicense,
}

type evalRow struct {
	Text  string `json:"text"`
	Spans []struct {
		Start, End int
		Type       string
	} `json:"spans"`
}

func loadPresidio(t testing.TB, split string) []evalRow {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "datasets", "pii", "presidio_*.jsonl"))
	if len(files) == 0 {
		t.Skip("../shared/datasets/pii not found")
	}
	var rows []evalRow
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var r evalRow
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if datasplit.Of(r.Text) == split {
				rows = append(rows, r)
			}
		}
		fh.Close()
	}
	return rows
}

type counts struct{ gold, found, pred, correct, inAddr int }

// TestPresidio scores the analyzer per entity type on one split of the
// Presidio synthetic data (default: test). A gold span is found when a
// prediction of the same type overlaps it; a prediction is correct when
// it overlaps a gold span of its type (character offsets are converted to
// byte offsets). P(noaddr) leaves out predictions that fall inside a gold
// ADDRESS / STREET_ADDRESS span (Presidio labels a city inside an address
// as part of the address, not as a LOCATION). Run with -v to see the table:
//
//	go test ./internal/pii -run TestPresidio -v -args -split=test
func TestPresidio(t *testing.T) {
	split := *evalSplit
	rows := loadPresidio(t, split)
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]*counts{}
	get := func(k string) *counts {
		if per[k] == nil {
			per[k] = &counts{}
		}
		return per[k]
	}
	for _, r := range rows {
		byteOf := runeToByte(r.Text)
		ms, err := a.Analyze(context.Background(), r.Text, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		type gspan struct {
			s, e int
			typ  string
		}
		var gold, addr []gspan
		for _, s := range r.Spans {
			if s.Type == "ADDRESS" || s.Type == "STREET_ADDRESS" {
				addr = append(addr, gspan{byteOf[s.Start], byteOf[s.End], s.Type})
			}
			if typ, ok := goldType[s.Type]; ok {
				gold = append(gold, gspan{byteOf[s.Start], byteOf[s.End], typ})
				get(typ).gold++
			}
		}
		for _, g := range gold {
			hit := false
			for _, m := range ms {
				if m.Type == g.typ && m.Start < g.e && g.s < m.End {
					hit = true
				}
			}
			if hit {
				get(g.typ).found++
			} else if *evalMiss == g.typ && split != datasplit.Test {
				t.Logf("MISS %s %q in %q", g.typ, r.Text[g.s:g.e], r.Text)
			}
		}
		for _, m := range ms {
			c := get(m.Type)
			c.pred++
			hit := false
			for _, g := range gold {
				if m.Type == g.typ && m.Start < g.e && g.s < m.End {
					hit = true
				}
			}
			inAddr := false
			for _, g := range addr {
				inAddr = inAddr || m.Start < g.e && g.s < m.End
			}
			if hit {
				c.correct++
			} else if inAddr {
				c.inAddr++
			}
			if !hit && *evalMiss == m.Type && split != datasplit.Test {
				t.Logf("FP   %s %q (%.2f) in %q", m.Type, r.Text[m.Start:m.End], m.Score, r.Text)
			}
		}
	}
	keys := make([]string, 0, len(per))
	for k := range per {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "split %s, %d rows, threshold 0.5\n%-16s %5s %5s %9s %6s %6s %9s\n", split, len(rows), "type", "gold", "pred", "precision", "recall", "F1", "P(noaddr)")
	for _, k := range keys {
		c := per[k]
		p, r := ratio(c.correct, c.pred), ratio(c.found, c.gold)
		f1 := 0.0
		if p+r > 0 {
			f1 = 2 * p * r / (p + r)
		}
		fmt.Fprintf(&b, "%-16s %5d %5d %9.3f %6.3f %6.3f %9.3f\n", k, c.gold, c.pred, p, r, f1, ratio(c.correct, c.pred-c.inAddr))
	}
	t.Log("\n" + b.String())
	if split != datasplit.Test {
		return
	}
	bars := map[string]float64{Email: 0.95, CreditCard: 0.95, IBAN: 0.95, USSSN: 0.95, Phone: 0.95, Person: 0.70, Organization: 0.60}
	for typ, bar := range bars {
		c := get(typ)
		if c.gold == 0 {
			t.Errorf("%s: no gold spans in the test split", typ)
			continue
		}
		if r := ratio(c.found, c.gold); r < bar {
			t.Errorf("%s: recall %.3f below the bar %.2f", typ, r, bar)
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
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

// TestBenignFlagRate reports, per entity type, the share of benign
// prompts (GPTeacher and self-instruct from ../shared/datasets/injection,
// never used for tuning) in which the analyzer finds that type. Names of
// people and places in such prompts are often real entities, so for them
// this is a flag rate, not a false-positive rate; for the structured
// types every hit is checked to be at most 1 %.
//
//	go test ./internal/pii -run TestBenignFlagRate -v
func TestBenignFlagRate(t *testing.T) {
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
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	hits := map[string]int{}
	any := 0
	for _, text := range texts {
		ms, err := a.Analyze(context.Background(), text, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, m := range ms {
			seen[m.Type] = true
		}
		for k := range seen {
			hits[k]++
		}
		if len(ms) > 0 {
			any++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d benign prompts; any entity: %.3f\n", len(texts), ratio(any, len(texts)))
	for _, typ := range AllTypes {
		fmt.Fprintf(&b, "%-16s %6.3f\n", typ, ratio(hits[typ], len(texts)))
	}
	t.Log("\n" + b.String())
	for _, typ := range []string{Email, CreditCard, IBAN, USSSN, Crypto, UUID} {
		if r := ratio(hits[typ], len(texts)); r > 0.01 {
			t.Errorf("%s flagged in %.3f of benign prompts", typ, r)
		}
	}
}
