package classifier

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/testkit"
)

// pipelineDir copies a tiny pipeline model of the inference package
// (scripts/gen-tiny-pipelines.py) into a temporary directory, so that a
// test may break it.
func pipelineDir(t testing.TB, model string) string {
	t.Helper()
	src := filepath.Join("..", "internal", "inference", "testdata", model)
	dir := t.TempDir()
	for _, f := range []string{"model.onnx", "config.json", "tokenizer.json"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func pipelineRef[T any](t testing.TB, model string) []T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "inference", "testdata", model, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []T `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Cases
}

// pipelineHub is a hub whose registry has the tiny NLI model as "tiny-nli"
// (a path entry); other models are reached by directory.
func pipelineHub(t testing.TB, backend string) *Hub {
	t.Helper()
	return hubWith(t, backend, registry.Entry{
		ID: "tiny-nli", Name: "example/tiny-nli", Task: "nli", Variant: "fp32", Path: pipelineDir(t, "tiny-nli"),
		Files: []registry.File{{Name: "model.onnx"}, {Name: "tokenizer.json"}, {Name: "config.json"}},
	})
}

func backends(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range []string{inference.BackendORT, inference.BackendPureGo} {
		t.Run(b, func(t *testing.T) {
			if b == inference.BackendORT && os.Getenv("LLMSHIELD_ORT_LIB") == "" {
				t.Skip("LLMSHIELD_ORT_LIB is not set")
			}
			fn(t, b)
		})
	}
}

type nliRef struct {
	Premise    string    `json:"premise"`
	Hypothesis string    `json:"hypothesis"`
	InputIDs   []int     `json:"input_ids"`
	TypeIDs    []int     `json:"token_type_ids"`
	Logits     []float64 `json:"logits"`
}

func TestPairClassifier(t *testing.T) {
	refs := pipelineRef[nliRef](t, "tiny-nli")
	backends(t, func(t *testing.T, backend string) {
		h := pipelineHub(t, backend)
		ctx := context.Background()
		for _, id := range []string{"tiny-nli", "example/TINY-nli", pipelineDir(t, "tiny-nli")} {
			c, err := h.GetPair(ctx, Ref{ID: id})
			if err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if c.EntailmentLabel() != "entailment" || c.entail != 2 || c.contra != 0 || c.Backend() != backend {
				t.Fatalf("%s: entailment %q at %d, contradiction at %d, backend %s", id, c.EntailmentLabel(), c.entail, c.contra, c.Backend())
			}
			for _, r := range refs {
				enc, err := c.tok.EncodePair(r.Premise, r.Hypothesis)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(enc.IDs, r.InputIDs) || !slices.Equal(enc.TypeIDs, r.TypeIDs) {
					t.Fatalf("pair (%q, %q): ids %v types %v, want %v %v", r.Premise, r.Hypothesis, enc.IDs, enc.TypeIDs, r.InputIDs, r.TypeIDs)
				}
				got, err := c.Entailment(ctx, r.Premise, r.Hypothesis)
				if err != nil {
					t.Fatal(err)
				}
				if want := testkit.Softmax(r.Logits)[2]; math.Abs(got-want) > 1e-4 {
					t.Fatalf("entailment(%q, %q) = %v, want %v", r.Premise, r.Hypothesis, got, want)
				}
			}
		}
		c, err := h.GetPair(ctx, Ref{ID: "tiny-nli"})
		if err != nil {
			t.Fatal(err)
		}
		// The trained tiny model knows its task: a hypothesis made of the
		// premise's words is entailed, one of other words is not.
		yes, _ := c.Entailment(ctx, "the cat sat with the dog in the garden .", "the dog .")
		no, _ := c.Entailment(ctx, "the cat sat with the dog in the garden .", "the horse .")
		if yes < 0.9 || no > 0.1 {
			t.Fatalf("entailment %v (want > 0.9) and %v (want < 0.1)", yes, no)
		}
		text := "we play music and sing with friends ."
		multi, err := c.ZeroShot(ctx, text, []string{"music", "weapons", "cooking"}, "this example is about {} .", true)
		if err != nil {
			t.Fatal(err)
		}
		if multi[0] < 0.9 || multi[1] > 0.1 || multi[2] > 0.1 {
			t.Fatalf("multi-label zero-shot scores %v", multi)
		}
		single, err := c.ZeroShot(ctx, text, []string{"music", "weapons", "cooking"}, "this example is about {} .", false)
		if err != nil {
			t.Fatal(err)
		}
		if s := single[0] + single[1] + single[2]; math.Abs(s-1) > 1e-9 || single[0] < 0.9 {
			t.Fatalf("single-label zero-shot scores %v (sum %v)", single, s)
		}
		one, err := c.ZeroShot(ctx, text, []string{"weapons"}, "this example is about {} .", false)
		if err != nil || one[0] > 0.1 {
			t.Fatalf("a single candidate is scored multi-label: %v, %v", one, err)
		}
		if _, err := c.ZeroShot(ctx, text, []string{"music"}, "no placeholder", true); err == nil {
			t.Fatal("template without {} accepted")
		}
		if _, err := c.ZeroShot(ctx, text, nil, "", true); err == nil {
			t.Fatal("no candidates accepted")
		}
		if _, err := c.Entailment(ctx, "bad \xff", "x"); err == nil {
			t.Fatal("invalid UTF-8 accepted")
		}
		long := strings.Repeat("the cat sat with the dog . ", 200)
		if _, err := c.Entailment(ctx, long, long); err != nil {
			t.Fatalf("long pair (truncated to %d tokens): %v", c.MaxLength(), err)
		}
	})
}

func TestPairClassifierBadModels(t *testing.T) {
	ctx := context.Background()
	h := pipelineHub(t, inference.BackendPureGo)
	edit := func(t *testing.T, f func(dir string)) string {
		dir := pipelineDir(t, "tiny-nli")
		f(dir)
		return dir
	}
	write := func(dir, name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		dir  string
		want string
	}{
		{"no entailment label", edit(t, func(d string) {
			write(d, "config.json", `{"id2label": {"0": "contradiction", "1": "neutral", "2": "agree"}}`)
		}), "no entailment label"},
		{"no labels", edit(t, func(d string) { write(d, "config.json", `{"model_type": "x"}`) }), "id2label"},
		{"malformed config", edit(t, func(d string) { write(d, "config.json", `{"id2label": `) }), "config.json"},
		{"no config", edit(t, func(d string) { os.Remove(filepath.Join(d, "config.json")) }), "needs model.onnx and config.json"},
		{"corrupt model", edit(t, func(d string) { write(d, "model.onnx", "this is not an onnx protobuf") }), "open model"},
		{"no model", edit(t, func(d string) { os.Remove(filepath.Join(d, "model.onnx")) }), "exactly one .onnx"},
		{"hidden-state model", pipelineDirWithConfig(t, "tiny-embed", `{"id2label": {"0": "contradiction", "1": "neutral", "2": "entailment"}}`), "output shape"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := h.GetPair(ctx, Ref{ID: c.dir})
			if err == nil {
				_, err = p.Entailment(ctx, "a premise", "a hypothesis")
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
	if err := h.Known("no/such-model"); !errors.Is(err, ErrUnknownModel) {
		t.Fatalf("Known(unknown) = %v", err)
	}
	if err := h.Known("example/tiny-nli"); err != nil {
		t.Fatal(err)
	}
	if err := h.Known(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.GetPair(ctx, Ref{ID: "no/such-model"}); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("GetPair(unknown) = %v", err)
	}
}

func pipelineDirWithConfig(t testing.TB, model, config string) string {
	dir := pipelineDir(t, model)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type embedRef struct {
	Text           string    `json:"text"`
	InputIDs       []int     `json:"input_ids"`
	Mean           []float64 `json:"mean"`
	MeanNormalized []float64 `json:"mean_normalized"`
	CLS            []float64 `json:"cls"`
	CLSNormalized  []float64 `json:"cls_normalized"`
}

func near(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i])-want[i]) > 1e-4 {
			t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
		}
	}
}

func TestEmbedder(t *testing.T) {
	refs := pipelineRef[embedRef](t, "tiny-embed")
	backends(t, func(t *testing.T, backend string) {
		h := pipelineHub(t, backend)
		ctx := context.Background()
		e, err := h.GetEmbedder(ctx, Ref{ID: pipelineDir(t, "tiny-embed")})
		if err != nil {
			t.Fatal(err)
		}
		if e.Pooling() != PoolingMean || e.Normalized() {
			t.Fatalf("defaults: pooling %s normalized %v", e.Pooling(), e.Normalized())
		}
		texts := make([]string, len(refs))
		for i, r := range refs {
			texts[i] = r.Text
			enc, err := e.tok.Encode(r.Text)
			if err != nil || !slices.Equal(enc.IDs, r.InputIDs) {
				t.Fatalf("%q: ids %v (%v), want %v", r.Text, enc.IDs, err, r.InputIDs)
			}
		}
		views := []struct {
			p    Pooling
			norm bool
			want func(embedRef) []float64
		}{
			{PoolingMean, false, func(r embedRef) []float64 { return r.Mean }},
			{PoolingMean, true, func(r embedRef) []float64 { return r.MeanNormalized }},
			{PoolingCLS, false, func(r embedRef) []float64 { return r.CLS }},
			{PoolingCLS, true, func(r embedRef) []float64 { return r.CLSNormalized }},
		}
		for _, v := range views {
			ev, err := e.WithPooling(v.p, v.norm)
			if err != nil {
				t.Fatal(err)
			}
			batch, err := ev.EmbedBatch(ctx, texts) // one padded batch
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range refs {
				near(t, string(v.p)+" batch", batch[i], v.want(r))
				one, err := ev.Embed(ctx, r.Text)
				if err != nil {
					t.Fatal(err)
				}
				near(t, string(v.p), one, v.want(r))
			}
		}
		// A model that pools inside its graph: used as is.
		pe, err := h.GetEmbedder(ctx, Ref{ID: pipelineDir(t, "tiny-embed-pooled")})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs {
			v, err := pe.Embed(ctx, r.Text)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "sentence_embedding", v, r.MeanNormalized)
		}
		// sentence-transformers' pooling file chooses CLS.
		dir := pipelineDir(t, "tiny-embed")
		if err := os.MkdirAll(filepath.Join(dir, "1_Pooling"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "1_Pooling", "config.json"), []byte(`{"word_embedding_dimension": 48, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}`), 0o644); err != nil {
			t.Fatal(err)
		}
		ce, err := h.GetEmbedder(ctx, Ref{ID: dir})
		if err != nil {
			t.Fatal(err)
		}
		if ce.Pooling() != PoolingCLS {
			t.Fatalf("1_Pooling/config.json: pooling %s, want cls", ce.Pooling())
		}
		v, err := ce.Embed(ctx, refs[0].Text)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "auto cls", v, refs[0].CLS)
		// Similar texts are closer than unrelated ones.
		sim := func(a, b string) float64 {
			va, _ := e.Embed(ctx, a)
			vb, _ := e.Embed(ctx, b)
			c, err := Cosine(va, vb)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if s1, s2 := sim(refs[0].Text, refs[1].Text), sim(refs[0].Text, refs[2].Text); s1 <= s2 {
			t.Fatalf("cosine of near paraphrases %v <= unrelated %v", s1, s2)
		}
	})
}

func TestEmbedderBadInput(t *testing.T) {
	ctx := context.Background()
	h := pipelineHub(t, inference.BackendPureGo)
	bad := pipelineDir(t, "tiny-embed")
	if err := os.MkdirAll(filepath.Join(bad, "1_Pooling"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "1_Pooling", "config.json"), []byte(`{"pooling_mode_max_tokens": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := h.GetEmbedder(ctx, Ref{ID: bad}); err == nil || !strings.Contains(err.Error(), "pooling mode not supported") {
		t.Fatalf("max pooling: %v", err)
	}
	if _, err := h.GetEmbedder(ctx, Ref{ID: pipelineDirWithConfig(t, "tiny-embed", `{"max_length": -3}`)}); err == nil || !strings.Contains(err.Error(), "max_length") {
		t.Fatalf("bad max_length: %v", err)
	}
	corrupt := pipelineDir(t, "tiny-embed")
	if err := os.WriteFile(filepath.Join(corrupt, "model.onnx"), []byte{0x08, 0xff, 0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := h.GetEmbedder(ctx, Ref{ID: corrupt}); err == nil {
		t.Fatal("corrupt model accepted")
	}
	e, err := h.GetEmbedder(ctx, Ref{ID: pipelineDir(t, "tiny-embed")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Embed(ctx, "bad \xff"); err == nil {
		t.Fatal("invalid UTF-8 accepted")
	}
	if _, err := e.WithPooling("max", false); err == nil {
		t.Fatal("unknown pooling accepted")
	}
	if _, err := ParsePooling("max"); err == nil {
		t.Fatal("ParsePooling(max) accepted")
	}
	if _, err := Cosine([]float32{1}, []float32{1, 2}); err == nil {
		t.Fatal("Cosine of different lengths accepted")
	}
	if c, _ := Cosine([]float32{1, 0}, []float32{0, 0}); c != 0 {
		t.Fatalf("Cosine with the zero vector = %v", c)
	}
	if c, _ := Cosine([]float32{1, 2}, []float32{2, 4}); math.Abs(c-1) > 1e-9 {
		t.Fatalf("Cosine of parallel vectors = %v", c)
	}
}
