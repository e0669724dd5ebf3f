package relevance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// fakeEmbedder maps texts to fixed vectors.
type fakeEmbedder struct {
	vec   map[string][]float32
	err   error
	calls int
}

func (f *fakeEmbedder) EmbedBatch(_ context.Context, texts []string) ([][]float32, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = f.vec[t]
	}
	return out, nil
}

func (f *fakeEmbedder) Version() string { return "fake@1" }

func TestModelScan(t *testing.T) {
	f := &fakeEmbedder{vec: map[string][]float32{"q": {1, 0}, "near": {0.9, 0.1}, "far": {0, 1}, "half": {1, 1.2}}}
	cfg := DefaultConfig()
	cfg.Model = "some/embedder"
	s := scannertest.MustWith(t, New, cfg, WithEmbedder(f))
	ctx := context.Background()
	scan := func(out string) scanner.Result {
		t.Helper()
		res := scannertest.Check(t, s, scanner.Input{Prompt: "q", Output: out, Stage: scanner.StageOutput})
		return res
	}
	if res := scan("near"); !res.Valid || res.Method != scanner.MethodML || res.Threshold != ModelThreshold {
		t.Fatalf("related answer: %+v", res)
	}
	if res := scan("far"); res.Valid || res.Risk != 1 || len(res.Findings) != 1 {
		t.Fatalf("unrelated answer (cosine 0): %+v", res)
	}
	// cosine 1/sqrt(1+1.44) = 0.64: above the model default 0.5, below 0.7.
	if res := scan("half"); !res.Valid {
		t.Fatalf("cosine 0.64 with threshold 0.5: %+v", res)
	}
	cfg.Threshold = 0.7
	strict, _ := New(cfg, WithEmbedder(f))
	if res, _ := strict.Scan(ctx, scanner.Input{Prompt: "q", Output: "half", Stage: scanner.StageOutput}); res.Valid {
		t.Fatalf("cosine 0.64 with threshold 0.7: %+v", res)
	}
	if strict.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the threshold")
	}
	calls := f.calls
	if res := scan(" "); !res.Valid || f.calls != calls {
		t.Fatalf("blank answer: %+v", res)
	}
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "\xff", Output: "x", Stage: scanner.StageOutput}); !errors.Is(err, scanner.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	f.vec["bad"] = []float32{1, 2, 3}
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "q", Output: "bad", Stage: scanner.StageOutput}); err == nil {
		t.Fatal("embeddings of different widths accepted")
	}
	f.err = errors.New("boom")
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "q", Output: "near", Stage: scanner.StageOutput}); err == nil || !strings.Contains(err.Error(), "some/embedder") {
		t.Fatalf("model error: %v", err)
	}
}

func TestModelTinyEmbed(t *testing.T) {
	modeltest.Backends(t, func(t *testing.T, backend string) {
		dir := modeltest.TinyDir("tiny-embed")
		m := modeltest.Load(t, backend, (*classifier.Hub).GetEmbedder, dir)
		ctx := context.Background()
		vs, err := m.EmbedBatch(ctx, []string{"the cat sat with the dog .", "a dog sat with the cat .", "the bank will pay money ."})
		if err != nil {
			t.Fatal(err)
		}
		near, _ := classifier.Cosine(vs[0], vs[1])
		far, _ := classifier.Cosine(vs[0], vs[2])
		if near <= far {
			t.Fatalf("tiny model: paraphrase cosine %v <= unrelated %v", near, far)
		}
		cfg := DefaultConfig()
		cfg.Model, cfg.Threshold = dir, (near+far)/2 // between the two
		s := scannertest.MustWith(t, New, cfg, WithEmbedder(m))
		res, err := s.Scan(ctx, scanner.Input{Prompt: "the cat sat with the dog .", Output: "a dog sat with the cat .", Stage: scanner.StageOutput})
		if err != nil || !res.Valid {
			t.Fatalf("paraphrase: %+v %v", res, err)
		}
		res, err = s.Scan(ctx, scanner.Input{Prompt: "the cat sat with the dog .", Output: "the bank will pay money .", Stage: scanner.StageOutput})
		if err != nil || res.Valid {
			t.Fatalf("unrelated answer: %+v %v", res, err)
		}
		scannertest.Run(t, s, scannertest.WithHugeSize(1<<20))
	})
}
