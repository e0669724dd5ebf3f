package inference

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/tokenizer"
)

type tokRef struct {
	Text     string      `json:"text"`
	InputIDs []int64     `json:"input_ids"`
	Offsets  [][2]int    `json:"offsets"`
	Logits   [][]float64 `json:"logits"`
}

func loadTokRef(t testing.TB) []tokRef {
	t.Helper()
	var out []tokRef
	for _, r := range datasets.MustReadRows[tokRef](t, filepath.Join("testdata", "tiny-tokencls", "reference.jsonl")) {
		if len(r.InputIDs) > 0 {
			out = append(out, r)
		}
	}
	if len(out) < 5 {
		t.Fatalf("%d reference rows", len(out))
	}
	return out
}

// TestTokenLogitsMatchReference runs the tiny token classifier (the graph
// of the built-in NER model with random weights, training/ner_train.py
// --tiny) on both backends, one sequence at a time and as one padded
// batch, and compares every token's logits with the numpy reference; the
// tokenizer must reproduce the reference ids and offsets.
func TestTokenLogitsMatchReference(t *testing.T) {
	refs := loadTokRef(t)
	tok, err := tokenizer.Load(filepath.Join("testdata", "tiny-tokencls", "tokenizer.json"), tokenizer.Config{MaxLength: 4096})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		enc, err := tok.Encode(r.Text)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(enc.IDsInt64(), r.InputIDs) || !slices.Equal(enc.Offsets, r.Offsets) {
			t.Fatalf("%q: tokenizer ids/offsets differ from the reference", r.Text)
		}
	}
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		e, cfg := openModel(t, rt, "tiny-tokencls", EngineOptions{})
		if len(cfg.Labels) != 7 || cfg.Labels[0] != "O" {
			t.Fatalf("labels %v", cfg.Labels)
		}
		var batch []Input
		for _, r := range refs {
			batch = append(batch, Input{InputIDs: r.InputIDs, AttentionMask: allOnes(len(r.InputIDs))})
			rows, err := e.TokenLogits(context.Background(), batch[len(batch)-1:])
			if err != nil {
				t.Fatal(err)
			}
			if len(rows[0]) != len(r.Logits) {
				t.Fatalf("%q: %d token rows, want %d", r.Text, len(rows[0]), len(r.Logits))
			}
			for j := range r.Logits {
				checkRow(t, r.Text, rows[0][j], r.Logits[j], 1e-4)
			}
		}
		rows, err := e.TokenLogits(context.Background(), batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range refs {
			for j := range r.Logits {
				checkRow(t, "batched "+r.Text, rows[i][j], r.Logits[j], 1e-4)
			}
		}
		// A sequence classifier's Logits on a token model is a shape error,
		// and TokenLogits on a sequence classifier too.
		if _, err := e.Logits(context.Background(), batch[:1]); !errors.Is(err, ErrOutputShape) {
			t.Errorf("Logits on a token classifier: %v, want ErrOutputShape", err)
		}
		seqModel, _ := openModel(t, rt, "tiny-binary", EngineOptions{})
		if _, err := seqModel.TokenLogits(context.Background(), []Input{{InputIDs: []int64{5, 6}, AttentionMask: []int64{1, 1}}}); !errors.Is(err, ErrOutputShape) {
			t.Errorf("TokenLogits on a sequence classifier: %v, want ErrOutputShape", err)
		}
		// Bad input is refused, not run.
		for _, bad := range [][]Input{nil, {{}}, {{InputIDs: []int64{1}, AttentionMask: []int64{0}}}, {{InputIDs: []int64{-1}, AttentionMask: []int64{1}}}} {
			if _, err := e.TokenLogits(context.Background(), bad); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("%v: err %v, want ErrInvalidInput", bad, err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := e.TokenLogits(ctx, batch[:1]); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: %v", err)
		}
	})
}

// TestTokenPipeline tokenizes, runs and aggregates on both backends and
// checks that the entities are the word-level IOB2 decoding of the
// reference logits.
func TestTokenPipeline(t *testing.T) {
	refs := loadTokRef(t)
	tok, err := tokenizer.Load(filepath.Join("testdata", "tiny-tokencls", "tokenizer.json"), tokenizer.Config{MaxLength: 4096})
	if err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		e, cfg := openModel(t, rt, "tiny-tokencls", EngineOptions{})
		found := 0
		for _, r := range refs {
			enc, _ := tok.Encode(r.Text)
			rows, err := e.TokenLogits(context.Background(), []Input{{InputIDs: enc.IDsInt64(), AttentionMask: enc.AttentionMaskInt64()}})
			if err != nil {
				t.Fatal(err)
			}
			scores, err := TokenScores(rows[0], cfg.Labels)
			if err != nil {
				t.Fatal(err)
			}
			ents, err := Aggregate(r.Text, scores, enc.Offsets, WordsBySpan(enc.Offsets), cfg.Labels, AggregateFirst, 0)
			if err != nil {
				t.Fatal(err)
			}
			// Expected: decode the reference logits word by word.
			var want []Entity
			words := WordsBySpan(r.Offsets)
			for j := 0; j < len(r.Logits); j++ {
				if j > 0 && words[j] == words[j-1] {
					continue
				}
				b := 0
				for l := range r.Logits[j] {
					if r.Logits[j][l] > r.Logits[j][b] {
						b = l
					}
				}
				bi, typ := splitIOB(cfg.Labels[b])
				switch {
				case typ == "":
				case bi == "I" && len(want) > 0 && want[len(want)-1].Type == typ && prevWordLabelType(r, cfg.Labels, words, j) == typ:
					want[len(want)-1].End = r.Offsets[j][1]
				default:
					want = append(want, Entity{Type: typ, Start: r.Offsets[j][0], End: r.Offsets[j][1]})
				}
			}
			if len(ents) != len(want) {
				t.Fatalf("%q: %d entities %v, want %d %v", r.Text, len(ents), ents, len(want), want)
			}
			for i := range want {
				g := ents[i]
				if g.Type != want[i].Type || g.Start != want[i].Start || g.End != want[i].End || g.Text != r.Text[g.Start:g.End] || g.Score <= 0 || g.Score > 1 {
					t.Errorf("%q: entity %d = %+v, want %+v", r.Text, i, g, want[i])
				}
			}
			found += len(ents)
		}
		if found == 0 {
			t.Fatal("the tiny model found no entity in any reference text; the test would prove nothing")
		}
	})
}

// prevWordLabelType is the entity type of the word before token j.
func prevWordLabelType(r tokRef, labels []string, words []int, j int) string {
	k := j - 1
	for k > 0 && words[k-1] == words[k] {
		k--
	}
	if k < 0 {
		return ""
	}
	b := 0
	for l := range r.Logits[k] {
		if r.Logits[k][l] > r.Logits[k][b] {
			b = l
		}
	}
	_, typ := splitIOB(labels[b])
	return typ
}

func TestAggregateStrategies(t *testing.T) {
	labels := []string{"O", "B-PER", "I-PER", "B-LOC", "I-LOC"}
	text := "Ann Lee-Ray in Rome"
	// tokens: Ann | Lee | - | Ray | in | Ro | me
	offsets := [][2]int{{0, 3}, {4, 7}, {7, 8}, {8, 11}, {12, 14}, {15, 17}, {17, 19}}
	p := func(l int, s float64) TokenScore {
		probs := make([]float64, len(labels))
		for i := range probs {
			probs[i] = (1 - s) / float64(len(labels)-1)
		}
		probs[l] = s
		return TokenScore{Label: labels[l], Score: s, Probs: probs}
	}
	scores := []TokenScore{p(1, 0.9), p(2, 0.8), p(2, 0.6), p(2, 0.7), p(0, 0.99), p(3, 0.9), p(0, 0.6)}
	words := WordsByGap(text, offsets)
	if want := []int{0, 1, 1, 1, 2, 3, 3}; !slices.Equal(words, want) {
		t.Fatalf("WordsByGap = %v, want %v", words, want)
	}
	cases := []struct {
		s    Aggregation
		want []Entity
	}{
		{AggregateNone, []Entity{{Type: "B-PER", Start: 0, End: 3}, {Type: "I-PER", Start: 4, End: 7}, {Type: "I-PER", Start: 7, End: 8}, {Type: "I-PER", Start: 8, End: 11}, {Type: "B-LOC", Start: 15, End: 17}}},
		{AggregateSimple, []Entity{{Type: "PER", Start: 0, End: 11, Score: (0.9 + 0.8 + 0.6 + 0.7) / 4}, {Type: "LOC", Start: 15, End: 17, Score: 0.9}}},
		{AggregateFirst, []Entity{{Type: "PER", Start: 0, End: 11, Score: (0.9 + 0.8) / 2}, {Type: "LOC", Start: 15, End: 19, Score: 0.9}}},
		{AggregateMax, []Entity{{Type: "PER", Start: 0, End: 11, Score: (0.9 + 0.8) / 2}, {Type: "LOC", Start: 15, End: 19, Score: 0.9}}},
	}
	for _, c := range cases {
		got, err := Aggregate(text, scores, offsets, words, labels, c.s, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %v, want %v", c.s, got, c.want)
		}
		for i, w := range c.want {
			if got[i].Type != w.Type || got[i].Start != w.Start || got[i].End != w.End || (w.Score != 0 && math.Abs(got[i].Score-w.Score) > 1e-9) {
				t.Errorf("%s entity %d: %+v, want %+v", c.s, i, got[i], w)
			}
		}
	}
	// average: "Rome" = avg(B-LOC 0.9, O 0.6) -> B-LOC (0.9+0.1)/2 = 0.5 vs O (0.025+0.6)/2
	got, _ := Aggregate(text, scores, offsets, words, labels, AggregateAverage, 0)
	if len(got) != 2 || got[1].Type != "LOC" || math.Abs(got[1].Score-0.5) > 1e-9 {
		t.Errorf("average: %+v", got)
	}
	// threshold drops the weak entity
	got, _ = Aggregate(text, scores, offsets, words, labels, AggregateSimple, 0.8)
	if len(got) != 1 || got[0].Type != "LOC" {
		t.Errorf("threshold 0.8: %+v", got)
	}
	// errors
	if _, err := Aggregate(text, scores, offsets[:2], nil, labels, AggregateSimple, 0); !errors.Is(err, ErrInvalidInput) {
		t.Error("length mismatch accepted")
	}
	if _, err := Aggregate("short", scores, offsets, nil, labels, AggregateSimple, 0); !errors.Is(err, ErrInvalidInput) {
		t.Error("offsets outside the text accepted")
	}
	if _, err := ParseAggregation("greedy"); err == nil {
		t.Error("unknown strategy accepted")
	}
	if _, err := TokenScores([][]float32{{1, float32(math.NaN())}}, []string{"O", "B-X"}); !errors.Is(err, ErrNonFinite) {
		t.Error("NaN accepted")
	}
	if _, err := TokenScores([][]float32{{1}}, []string{"O", "B-X"}); !errors.Is(err, ErrOutputShape) {
		t.Error("short row accepted")
	}
}

// FuzzAggregate: arbitrary labels, scores, offsets and word ids never
// panic; entities lie inside the text, in order, scored in [0,1].
func FuzzAggregate(f *testing.F) {
	f.Add("Ann Lee in Rome", []byte{1, 2, 0, 3, 4, 5, 9, 200, 3})
	f.Fuzz(func(t *testing.T, text string, data []byte) {
		labels := []string{"O", "B-PER", "I-PER", "B-LOC", "I-LOC", "MISC"}
		n := len(data) / 3
		scores := make([]TokenScore, n)
		offsets := make([][2]int, n)
		words := make([]int, n)
		for i := 0; i < n; i++ {
			a, b, c := int(data[3*i]), int(data[3*i+1]), int(data[3*i+2])
			l := a % len(labels)
			probs := make([]float64, len(labels))
			probs[l] = float64(b) / 255
			scores[i] = TokenScore{Label: labels[l], Score: probs[l], Probs: probs}
			offsets[i] = [2]int{b % (len(text) + 1), (b + c) % (len(text) + 1)}
			words[i] = c%4 - 1
		}
		for _, st := range []Aggregation{AggregateNone, AggregateSimple, AggregateFirst, AggregateAverage, AggregateMax} {
			for _, w := range [][]int{nil, words} {
				ents, err := Aggregate(text, scores, offsets, w, labels, st, 0)
				if err != nil {
					continue
				}
				for _, e := range ents {
					if e.Start < 0 || e.End > len(text) || e.End <= e.Start || e.Score < 0 || e.Score > 1 || e.Text != text[e.Start:e.End] {
						t.Fatalf("%s: bad entity %+v", st, e)
					}
				}
			}
		}
	})
}
