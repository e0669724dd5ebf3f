package classifier

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/inference"
)

type tokClsRef struct {
	Text    string      `json:"text"`
	Offsets [][2]int    `json:"offsets"`
	Logits  [][]float32 `json:"logits"`
}

// TestTokenClassifier checks every aggregation strategy of the tiny NER
// model through the hub against entities aggregated from the reference
// logits of scripts/gen-tiny-pipelines.py (numpy), on both backends.
func TestTokenClassifier(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "internal", "inference", "testdata", "tiny-tokencls", "reference.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var refs []tokClsRef
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var r tokClsRef
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	backends(t, func(t *testing.T, backend string) {
		h := pipelineHub(t, backend)
		ctx := context.Background()
		m, err := h.GetTokenClassifier(ctx, Ref{ID: pipelineDir(t, "tiny-tokencls")})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(m.Types(), ","); got != "PER,ORG,LOC" {
			t.Fatalf("types %s", got)
		}
		labels := m.Labels()
		orgs := 0
		for _, agg := range []Aggregation{AggregateNone, AggregateSimple, AggregateFirst, AggregateAverage, AggregateMax} {
			for _, r := range refs {
				var want []Entity
				if len(r.Logits) > 0 {
					scores, err := inference.TokenScores(r.Logits, labels)
					if err != nil {
						t.Fatal(err)
					}
					if want, err = inference.Aggregate(r.Text, scores, r.Offsets, inference.WordsBySpan(r.Offsets), labels, agg, 0); err != nil {
						t.Fatal(err)
					}
				}
				got, err := m.Entities(ctx, r.Text, agg)
				if err != nil {
					t.Fatalf("%s %q: %v", agg, r.Text, err)
				}
				if len(got) != len(want) {
					t.Fatalf("%s %q: %d entities %+v, want %d %+v", agg, r.Text, len(got), got, len(want), want)
				}
				for i := range got {
					g, w := got[i], want[i]
					if g.Type != w.Type || g.Start != w.Start || g.End != w.End || g.Text != w.Text || math.Abs(g.Score-w.Score) > 1e-4 {
						t.Fatalf("%s %q: entity %d %+v, want %+v", agg, r.Text, i, g, w)
					}
					if g.Type == "ORG" {
						orgs++
					}
				}
			}
		}
		if orgs == 0 {
			t.Fatal("the tiny model found no ORG entity in the reference texts")
		}
		if _, err := m.Entities(ctx, "bad \xff", AggregateSimple); err == nil {
			t.Fatal("invalid UTF-8: no error")
		}
		if _, err := m.Entities(ctx, "Acme GmbH", "longest"); err == nil || !strings.Contains(err.Error(), "aggregation") {
			t.Fatalf("unknown aggregation: %v", err)
		}
		if ents, err := m.Entities(ctx, " \n ", ""); err != nil || len(ents) != 0 {
			t.Fatalf("blank text: %v %v", ents, err)
		}
		// A long text is windowed: entities past the first window are found.
		long := strings.Repeat("the quarterly report is due on monday . ", 80) + refs[0].Text
		ents, err := m.Entities(ctx, long, AggregateFirst)
		if err != nil {
			t.Fatal(err)
		}
		short, _ := m.Entities(ctx, refs[0].Text, AggregateFirst)
		tail := 0
		for _, e := range ents {
			if e.Start >= len(long)-len(refs[0].Text) {
				tail++
			}
		}
		if len(short) == 0 || tail != len(short) {
			t.Fatalf("long text: %d entities in the tail, want %d", tail, len(short))
		}
	})
}

func TestTokenClassifierBadModels(t *testing.T) {
	h := pipelineHub(t, inference.BackendPureGo)
	ctx := context.Background()
	noO := pipelineDirWithConfig(t, "tiny-tokencls", `{"id2label": {"0": "X", "1": "B-PER", "2": "I-PER", "3": "B-ORG", "4": "I-ORG", "5": "B-LOC", "6": "I-LOC"}}`)
	if _, err := h.GetTokenClassifier(ctx, Ref{ID: noO}); err == nil || !strings.Contains(err.Error(), "no O label") {
		t.Fatalf("labels without O: %v", err)
	}
	// A sequence classifier is not a token classifier: its output shape is refused.
	m, err := h.GetTokenClassifier(ctx, Ref{ID: pipelineDirWithConfig(t, "tiny-nli", `{"id2label": {"0": "O", "1": "B-ORG", "2": "I-ORG"}}`)})
	if err == nil {
		_, err = m.Entities(ctx, "Acme GmbH is here", AggregateSimple)
	}
	if err == nil {
		t.Fatal("sequence classifier opened as a token classifier: no error")
	}
}

func TestEntityType(t *testing.T) {
	for in, want := range map[string]string{"B-ORG": "ORG", "I-ORG": "ORG", "S-LOC": "LOC", "E-PER": "PER", "O": "", "": "", "COMPANY": "COMPANY", "X-Y": "X-Y"} {
		if got := EntityType(in); got != want {
			t.Errorf("EntityType(%q) = %q, want %q", in, got, want)
		}
	}
}
