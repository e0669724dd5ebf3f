package pii

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

// fakeNER returns fixed matches for a substring, or an error.
type fakeNER struct {
	spans map[string]Match // value -> type and score (offsets filled in)
	err   error
}

func (f fakeNER) Entities(_ context.Context, text string) ([]Match, error) {
	if f.err != nil {
		return nil, f.err
	}
	var out []Match
	for v, m := range f.spans {
		if i := strings.Index(text, v); i >= 0 {
			m.Start, m.End = i, i+len(v)
			out = append(out, m)
		}
	}
	return out, nil
}

func find(ms []Match, text, value string) (Match, bool) {
	for _, m := range ms {
		if text[m.Start:m.End] == value {
			return m, true
		}
	}
	return Match{}, false
}

func TestNERUnion(t *testing.T) {
	ctx := context.Background()
	text := "Yesterday Zorblax Quennington met Mr. John Smith in Paris at Globex."
	base, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := base.Analyze(ctx, text, 0)
	john, ok := find(before, text, "John Smith")
	if !ok {
		t.Fatalf("gazetteers miss John Smith: %v", before)
	}
	if _, ok := find(before, text, "Zorblax Quennington"); ok {
		t.Fatalf("gazetteers already find the invented name; the test needs one they miss")
	}
	ner := fakeNER{spans: map[string]Match{
		"Zorblax Quennington": {Type: Person, Score: 0.9},        // model only
		"John Smith":          {Type: Person, Score: 0.6},        // confirms the gazetteer
		"Globex":              {Type: Organization, Score: 0.55}, // model only, weak
	}}
	a, err := New(Options{NER: ner})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := a.Analyze(ctx, text, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := find(ms, text, "Zorblax Quennington"); !ok || m.Type != Person || math.Abs(m.Score-0.9*nerAlone) > 1e-9 {
		t.Errorf("model-only name: %+v %v", m, ok)
	}
	if m, ok := find(ms, text, "John Smith"); !ok || math.Abs(m.Score-(1-(1-john.Score)*(1-0.6))) > 1e-9 {
		t.Errorf("confirmed name: %+v, want noisy-or of %.2f and 0.6", m, john.Score)
	}
	// At the default threshold the weak model-only organisation is dropped
	// (0.55*nerAlone < 0.5), the others stay.
	ms, _ = a.Analyze(ctx, text, 0.5)
	if _, ok := find(ms, text, "Globex"); ok {
		t.Error("weak model-only organisation kept at threshold 0.5")
	}
	if _, ok := find(ms, text, "Zorblax Quennington"); !ok {
		t.Error("model-only person dropped at threshold 0.5")
	}
	// A gazetteer name the model does not confirm is scaled down.
	loc, ok := find(before, text, "Paris")
	if !ok {
		t.Fatalf("gazetteers miss Paris: %v", before)
	}
	ms, _ = a.Analyze(ctx, text, 0)
	if m, ok := find(ms, text, "Paris"); !ok || math.Abs(m.Score-loc.Score*gazAlone[Location]) > 1e-9 {
		t.Errorf("unconfirmed place: %+v, want %.3f", m, loc.Score*gazAlone[Location])
	}
	// allowed_names and entity_types apply to model names too.
	a2, _ := New(Options{NER: ner, AllowedNames: []string{"zorblax quennington"}})
	ms, _ = a2.Analyze(ctx, text, 0)
	if _, ok := find(ms, text, "Zorblax Quennington"); ok {
		t.Error("allowed name reported")
	}
	a3, _ := New(Options{NER: ner, EntityTypes: []string{Email}})
	ms, _ = a3.Analyze(ctx, text, 0)
	if len(ms) != 0 {
		t.Errorf("entity_types EMAIL_ADDRESS: %v", ms)
	}
	// A model error is the analyzer's error, not a silent pass.
	a4, _ := New(Options{NER: fakeNER{err: errors.New("boom")}})
	if _, err := a4.Analyze(ctx, text, 0.5); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("model error: %v", err)
	}
	// Out-of-range spans from a model are ignored.
	a5, _ := New(Options{NER: badNER{}})
	if _, err := a5.Analyze(ctx, text, 0.5); err != nil {
		t.Fatal(err)
	}
}

type badNER struct{}

func (badNER) Entities(context.Context, string) ([]Match, error) {
	return []Match{{Type: Person, Start: -3, End: 2, Score: 1}, {Type: Person, Start: 5, End: 1 << 20, Score: 1}, {Type: Person, Start: 4, End: 4, Score: 1}}, nil
}
