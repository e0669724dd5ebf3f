package classifier

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
)

// tinyModelDir assembles a model directory from the inference package's
// tiny generated classifier and a 1,000-entry WordPiece tokenizer.
func tinyModelDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile("../internal/inference/testdata/tiny-binary/model.onnx", "model.onnx")
	copyFile("../internal/inference/testdata/tiny-binary/config.json", "config.json")
	copyFile("testdata/tiny/tokenizer.json", "tokenizer.json")
	return dir
}

func newTestHub(t testing.TB, backend string) *Hub {
	t.Helper()
	return hubWith(t, backend, registry.Entry{
		ID: "tiny-pi", Task: model.TaskPromptInjection, Variant: model.FP32, Path: tinyModelDir(t),
		Files: []registry.File{{Name: "model.onnx"}, {Name: "tokenizer.json"}, {Name: "config.json"}},
	})
}

// hubWith is a hub on backend over an offline registry of models, closed
// (and checked) when the test ends.
func hubWith(t testing.TB, backend string, models ...registry.Entry) *Hub {
	t.Helper()
	reg, err := registry.New(registry.Document{CacheDir: t.TempDir(), Models: models}, registry.WithOffline(true))
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHub(reg, HubOptions{Runtime: inference.RuntimeOptions{Backend: backend}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Error(err)
		}
	})
	return h
}

func TestClassifyMatchTypes(t *testing.T) {
	h := newTestHub(t, "purego")
	ctx := context.Background()
	c, err := h.Get(ctx, Ref{Task: model.TaskPromptInjection})
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxLength() != 128 || c.Threshold() != 0.5 || strings.Join(c.PositiveLabels(), ",") != "INJECTION" {
		t.Fatalf("config not applied: max %d thr %v pos %v", c.MaxLength(), c.Threshold(), c.PositiveLabels())
	}
	short := "the quick brown fox jumps over the lazy dog"
	long := strings.Repeat(short+". ", 60) // ~600 tokens: several windows
	for _, mt := range []MatchType{MatchFull, MatchTruncate, MatchSentence, MatchChunks, MatchHeadTail} {
		p, err := c.Classify(ctx, long, mt, nil)
		if err != nil {
			t.Fatalf("%s: %v", mt, err)
		}
		if p.Score < 0 || p.Score > 1 || p.Best.Start < 0 || p.Best.End > len(long) || p.Best.Start > p.Best.End {
			t.Fatalf("%s: bad prediction %+v", mt, p)
		}
		switch mt {
		case MatchFull, MatchSentence, MatchChunks:
			if p.Parts < 2 {
				t.Errorf("%s: %d parts for a 600-token text", mt, p.Parts)
			}
		case MatchTruncate, MatchHeadTail:
			if p.Parts != 1 {
				t.Errorf("%s: %d parts, want 1", mt, p.Parts)
			}
		}
	}
	// A single-part text scores the same whatever the match type.
	a, err := c.Classify(ctx, short, MatchFull, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Classify(ctx, short, MatchTruncate, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Score != b.Score || a.Parts != 1 {
		t.Fatalf("full %v vs truncate %v", a, b)
	}
	// The positive score is the INJECTION probability; SAFE as positive is its complement.
	s, _ := a.Best.Result.Score("SAFE")
	inv, err := c.Classify(ctx, short, MatchFull, []string{"SAFE"})
	if err != nil || absDiff(inv.Score, s) > 1e-9 || absDiff(inv.Score+a.Score, 1) > 1e-6 {
		t.Fatalf("positive override: %v %v (SAFE %v)", inv.Score, err, s)
	}
	if _, err := c.Classify(ctx, short, MatchFull, []string{"NOPE"}); err == nil {
		t.Fatal("unknown positive label accepted")
	}
	if _, err := c.Classify(ctx, "bad \xff utf8", MatchFull, nil); err == nil {
		t.Fatal("invalid UTF-8 accepted")
	}
	if p, err := c.Classify(ctx, "", MatchFull, nil); err != nil || p.Parts != 1 {
		t.Fatalf("empty text: %+v %v", p, err)
	}
}

func TestHubLoadsOnce(t *testing.T) {
	h := newTestHub(t, "purego")
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([]*Classifier, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := h.Get(ctx, Ref{ID: "tiny-pi"})
			if err != nil {
				t.Error(err)
			}
			got[i] = c
		}()
	}
	wg.Wait()
	for _, c := range got[1:] {
		if c != got[0] {
			t.Fatal("hub opened the model more than once")
		}
	}
	if st := h.LoaderStats(); st.TotalLoads != 1 {
		t.Fatalf("loads = %d, want 1", st.TotalLoads)
	}
	if info, ok := h.Backend(); !ok || info.Name != "purego" {
		t.Fatalf("backend %+v %v", info, ok)
	}
	if _, err := h.Get(ctx, Ref{ID: "missing"}); err == nil {
		t.Fatal("unknown model id accepted")
	}
}

func TestSentencesAndChunks(t *testing.T) {
	text := "First one. Second one!  Third?\nFourth line\n\n  "
	var got []string
	for _, sp := range sentences(text) {
		got = append(got, text[sp[0]:sp[1]])
	}
	if strings.Join(got, "|") != "First one.|Second one!|Third?|Fourth line" {
		t.Fatalf("sentences: %q", got)
	}
	cs := chunks(strings.Repeat("é", 600), 256, 25)
	if len(cs) != 3 || cs[0][0] != 0 || cs[len(cs)-1][1] != 1200 {
		t.Fatalf("chunks: %v", cs)
	}
	for i := 1; i < len(cs); i++ {
		if cs[i][0] >= cs[i-1][1] {
			t.Fatalf("chunks must overlap: %v", cs)
		}
	}
	if chunks("", 256, 25) != nil {
		t.Fatal("empty text has no chunks")
	}
}

func absDiff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestMicroBatchingOverride(t *testing.T) {
	e := registry.Entry{ID: "m-1.0", Name: "org/m"}
	for _, tc := range []struct {
		def  bool
		over map[string]bool
		want bool
	}{
		{true, nil, true},
		{false, nil, false},
		{true, map[string]bool{"m-1.0": false}, false},
		{false, map[string]bool{"org/m": true}, true},
		{true, map[string]bool{"org/m": true, "m-1.0": false}, false}, // the id wins
		{true, map[string]bool{"other": false}, true},
		{true, map[string]bool{"": false}, true}, // an empty key names nothing
	} {
		if got := microBatching(tc.def, tc.over, e); got != tc.want {
			t.Errorf("default %v overrides %v: %v, want %v", tc.def, tc.over, got, tc.want)
		}
	}
	if got := microBatching(true, map[string]bool{"": false}, registry.Entry{}); !got {
		t.Error("an entry without id or name matched the empty key")
	}
}
