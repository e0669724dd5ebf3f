package bancompetitors

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// fakeNER labels every occurrence of the words in orgs as an ORG entity
// with score, and "Paris" as LOC.
type fakeNER struct {
	mu    sync.Mutex
	orgs  []string
	score float64
	err   error
	calls int
	agg   classifier.Aggregation
}

func (f *fakeNER) Entities(_ context.Context, text string, agg classifier.Aggregation) ([]classifier.Entity, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.agg = agg
	var out []classifier.Entity
	add := func(typ, w string) {
		for i := 0; ; {
			j := strings.Index(text[i:], w)
			if j < 0 {
				return
			}
			out = append(out, classifier.Entity{Type: typ, Start: i + j, End: i + j + len(w), Score: f.score, Text: w})
			i += j + len(w)
		}
	}
	for _, o := range f.orgs {
		add("ORG", o)
	}
	add("LOC", "Paris")
	// A broken model's span outside the text is ignored, not a panic.
	out = append(out, classifier.Entity{Type: "ORG", Start: len(text) + 5, End: len(text) + 9, Score: 1})
	return out, f.err
}
func (f *fakeNER) Types() []string { return []string{"PER", "ORG", "LOC"} }
func (f *fakeNER) Version() string { return "fake-ner@1" }

func modelCfg(names ...string) Config {
	c := cfg(names...)
	c.Model = "some/ner"
	return c
}

func TestModelScan(t *testing.T) {
	f := &fakeNER{orgs: []string{"Apple Inc", "Globex"}, score: 0.9}
	c := modelCfg("Apple", "Globex", "Paris Fashion")
	s := scannertest.MustWith(t, New, c, WithNER(f))
	ctx := context.Background()
	scan := func(text string) scanner.Result {
		t.Helper()
		res := scannertest.Check(t, s, scanner.Input{Prompt: text})
		return res
	}
	// The fruit is no organisation; the company is, and its whole entity
	// is redacted.
	res := scan("An apple a day; Apple Inc makes phones.")
	if res.Valid || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Sanitized != "An apple a day; [REDACTED] makes phones." ||
		res.Risk != 0.9 || !strings.Contains(res.Findings[0].Detail, `ORG entity "Apple Inc" (score 0.90): exact match of competitor "Apple"`) {
		t.Fatalf("company: %+v", res)
	}
	if res := scan("An apple a day keeps the doctor away."); !res.Valid || res.Method != scanner.MethodML {
		t.Fatalf("fruit: %+v", res)
	}
	// A LOC entity does not count for entity_types [ORG].
	if res := scan("Paris Fashion week"); !res.Valid {
		t.Fatalf("LOC entity: %+v", res)
	}
	// No gazetteer match: the model does not run.
	f.calls = 0
	if res := scan("Nothing to see here."); !res.Valid || f.calls != 0 {
		t.Fatalf("no match: %+v, %d model calls", res, f.calls)
	}
	// Entity score under the threshold.
	f.score = 0.4
	if res := scan("Globex is cheaper"); !res.Valid {
		t.Fatalf("low-scoring entity: %+v", res)
	}
	// The finding scores the lower of match and entity.
	f.score = 0.99
	if res := scan("Glbex is cheaper, said Globex"); res.Valid || len(res.Findings) != 1 || res.Risk != 0.99 {
		t.Fatalf("entity score: %+v", res)
	}
	if f.agg != classifier.AggregateSimple {
		t.Fatalf("aggregation %q, want simple by default", f.agg)
	}
	f.err = errors.New("boom")
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "Globex"}); err == nil || !strings.Contains(err.Error(), "some/ner") {
		t.Fatalf("model error: %v", err)
	}
	f.err = nil

	// entity_types [LOC]: the LOC entity counts.
	c.EntityTypes = []string{"LOC"}
	loc, err := New(c, WithNER(f))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := loc.Scan(ctx, scanner.Input{Prompt: "Paris Fashion week"}); err != nil || res.Valid || res.Sanitized != "[REDACTED] week" {
		t.Fatalf("LOC: %+v %v", res, err)
	}
	// Fingerprints change with the model, entity types and aggregation.
	c.EntityTypes, c.AggregationStrategy = []string{"ORG"}, "first"
	first, err := New(c, WithNER(f))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := New(cfg("Apple", "Globex", "Paris Fashion"))
	fps := map[string]bool{s.Fingerprint(): true, loc.Fingerprint(): true, first.Fingerprint(): true, plain.Fingerprint(): true}
	if len(fps) != 4 {
		t.Fatal("fingerprint must change with the model, entity_types and aggregation_strategy")
	}
	scannertest.Run(t, s, scannertest.WithInputs("Apple Inc and Globex", "apples"))
}

func TestModelConfig(t *testing.T) {
	scannertest.RefusesConfigsWith(t, New, []scannertest.BadConfig[Config]{
		{Cfg: modelCfg("a"), Field: `model: "some/ner" is configured but not loaded`},
		{Cfg: func() Config { c := cfg("a"); c.AggregationStrategy = "longest"; return c }(), Field: "aggregation_strategy"},
	})
	scannertest.RefusesConfigsWith(t, New, []scannertest.BadConfig[Config]{
		{Cfg: cfg("a"), Field: "model is empty"},
		{Cfg: func() Config { c := modelCfg("a"); c.EntityTypes = []string{"ORG", "MISC"}; return c }(), Field: `entity_types[1]: model some/ner has no entity type "MISC"`},
		{Cfg: func() Config { c := modelCfg("a"); c.EntityTypes = nil; return c }(), Field: "entity_types"},
		{Cfg: func() Config { c := modelCfg("a"); c.EntityTypes = []string{" ORG"}; return c }(), Field: "entity_types[0]"},
	}, WithNER(&fakeNER{score: 1}))
}

// TestModelTinyNER runs the scanner with the tiny generated NER model
// (scripts/gen-tiny-pipelines.py) on both backends: it tags "Acme" in
// the first text as ORG and in the second as LOC, so only the first is a
// competitor mention; with entity_types [LOC] the second is.
func TestModelTinyNER(t *testing.T) {
	modeltest.Backends(t, func(t *testing.T, backend string) {
		dir := modeltest.CopyDir(t, "tiny-tokencls")
		ctx := context.Background()
		m := modeltest.Load(t, backend, (*classifier.Hub).GetTokenClassifier, dir)
		org, other := "I work at Acme GmbH in Zürich.", "We compared Acme Corp staff with Initech Solutions."
		for _, agg := range []string{"simple", "first", "average", "max", "none"} {
			c := cfg("Acme", "Initech Solutions")
			c.Model, c.AggregationStrategy = dir, agg
			s := scannertest.MustWith(t, New, c, WithNER(m))
			res, err := s.Scan(ctx, scanner.Input{Prompt: org})
			if err != nil || res.Valid || res.Sanitized != "I work at [REDACTED] GmbH in Zürich." || res.Risk < 0.99 {
				t.Fatalf("%s: ORG entity: %+v %v", agg, res, err)
			}
			if res, err := s.Scan(ctx, scanner.Input{Prompt: other}); err != nil || !res.Valid {
				t.Fatalf("%s: LOC entities: %+v %v", agg, res, err)
			}
			plain, _ := New(cfg("Acme", "Initech Solutions"))
			if res, _ := plain.Scan(ctx, scanner.Input{Prompt: other}); res.Valid {
				t.Fatal("the gazetteer alone must flag the second text")
			}
		}
		c := cfg("Acme", "Initech Solutions")
		c.Model, c.EntityTypes = dir, []string{"LOC"}
		s := scannertest.MustWith(t, New, c, WithNER(m))
		res, err := s.Scan(ctx, scanner.Input{Prompt: other})
		if err != nil || res.Valid || len(res.Findings) != 2 || res.Sanitized != "We compared [REDACTED] Corp staff with [REDACTED]." {
			t.Fatalf("entity_types [LOC]: %+v %v", res, err)
		}
		c.EntityTypes = []string{"ORG"}
		if s, err = New(c, WithNER(m)); err != nil {
			t.Fatal(err)
		}
		scannertest.Run(t, s, scannertest.WithHugeSize(64<<10), scannertest.WithInputs(org, other))
	})
}

// BenchmarkModelScan: a 1 KB prompt naming competitors through the tiny
// NER model on each backend; the cost is the model's (it runs only when
// the gazetteer matched), a real model's is much higher.
func BenchmarkModelScan(b *testing.B) {
	modeltest.BenchBackends(b, func(b *testing.B, backend string) {
		dir := modeltest.CopyDir(b, "tiny-tokencls")
		m := modeltest.Load(b, backend, (*classifier.Hub).GetTokenClassifier, dir)
		c := cfg("Acme", "Globex", "Initech Solutions", "Stark Industries")
		c.Model = dir
		s := scannertest.MustWith(b, New, c, WithNER(m))
		text := strings.Repeat("I work at Acme GmbH in Zürich; ask about Globex pricing. ", 18)[:1024]
		scannertest.Bench(b, s, scanner.Input{Prompt: text})
	})
}
