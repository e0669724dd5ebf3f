package norefusal

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

type fakeClassifier struct {
	labels   []string
	score    float64
	mt       classifier.MatchType
	positive []string
	err      error
}

func (f *fakeClassifier) Classify(_ context.Context, text string, mt classifier.MatchType, positive []string) (classifier.Prediction, error) {
	f.mt, f.positive = mt, positive
	return classifier.Prediction{Score: f.score, Best: classifier.Part{Start: 0, End: len(text)}, Parts: 1}, f.err
}
func (f *fakeClassifier) Labels() []string { return f.labels }
func (f *fakeClassifier) Version() string  { return "fake@1" }

func TestRefusalLabel(t *testing.T) {
	for _, c := range []struct {
		labels []string
		want   string
	}{
		{[]string{"NORMAL", "REJECTION"}, "REJECTION"},
		{[]string{"compliance", "refusal"}, "refusal"},
		{[]string{"Refused", "answered", "other"}, "Refused"},
		{[]string{"refusal", "rejection"}, "rejection"},
		{[]string{"LABEL_0", "LABEL_1"}, "LABEL_1"},
	} {
		if got, err := RefusalLabel(c.labels); err != nil || got != c.want {
			t.Errorf("%v: %q %v, want %q", c.labels, got, err, c.want)
		}
	}
	for _, labels := range [][]string{{"SAFE", "INJECTION"}, {"LABEL_0", "LABEL_1", "LABEL_2"}, nil} {
		if _, err := RefusalLabel(labels); err == nil || !strings.Contains(err.Error(), "no refusal label") {
			t.Errorf("%v: %v, want an error", labels, err)
		}
	}
}

func TestModelScan(t *testing.T) {
	f := &fakeClassifier{labels: []string{"NORMAL", "REJECTION"}, score: 0.9}
	cfg := DefaultConfig()
	cfg.Model, cfg.MatchType = "some/rejection", MatchSentence
	s, err := New(cfg, WithClassifier(f))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in := scanner.Input{Prompt: "q", Output: "I can't help with that.", Stage: scanner.StageOutput}
	res, err := s.Scan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || res.Risk != 0.9 || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Findings[0].End != len(in.Output) ||
		f.mt != classifier.MatchSentence || strings.Join(f.positive, ",") != "REJECTION" {
		t.Fatalf("refusal: %+v (match type %s, asked %v)", res, f.mt, f.positive)
	}
	f.score = 0.74
	if res, err := s.Scan(ctx, in); err != nil || !res.Valid || res.Risk != 0.74 || len(res.Findings) != 0 {
		t.Fatalf("answer under the threshold: %+v %v", res, err)
	}
	if res, err := s.Scan(ctx, scanner.Input{Output: "  ", Stage: scanner.StageOutput}); err != nil || !res.Valid || res.Risk != 0 {
		t.Fatalf("blank: %+v %v", res, err)
	}
	if _, err := s.Scan(ctx, scanner.Input{Output: "\xff", Stage: scanner.StageOutput}); !errors.Is(err, scanner.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	f.err = errors.New("boom")
	if _, err := s.Scan(ctx, in); err == nil || !strings.Contains(err.Error(), "some/rejection") {
		t.Fatalf("model error: %v", err)
	}
	builtIn, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MatchType = MatchFull
	full, err := New(cfg, WithClassifier(f))
	if err != nil {
		t.Fatal(err)
	}
	if builtIn.Fingerprint() == s.Fingerprint() || full.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model and match_type")
	}
	if _, err := New(cfg, WithClassifier(&fakeClassifier{labels: []string{"SAFE", "INJECTION"}})); err == nil || !strings.Contains(err.Error(), "model: some/rejection: no refusal label among the model's labels [SAFE, INJECTION]") {
		t.Fatalf("model without a refusal label: %v", err)
	}
	if _, err := New(DefaultConfig(), WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "model is empty") {
		t.Fatalf("classifier without model: %v", err)
	}
}

// refusalDir assembles a refusal classifier from the inference package's
// tiny binary model with the given labels and the classifier package's
// tiny WordPiece tokenizer.
func refusalDir(t testing.TB, labels ...string) string {
	t.Helper()
	dir := t.TempDir()
	for src, dst := range map[string]string{
		"../../internal/inference/testdata/tiny-binary/model.onnx": "model.onnx",
		"../../classifier/testdata/tiny/tokenizer.json":            "tokenizer.json",
	} {
		b, err := os.ReadFile(filepath.FromSlash(src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.FromSlash("../../internal/inference/testdata/tiny-binary/config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	id2label, label2id := map[string]string{}, map[string]int{}
	for i, l := range labels {
		id2label[strconv.Itoa(i)], label2id[l] = l, i
	}
	cfg["id2label"], cfg["label2id"] = id2label, label2id
	delete(cfg, "positive_labels")
	if b, err = json.Marshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestModelTinyClassifier runs the scanner on the tiny binary model with
// NORMAL/REJECTION labels: its risk is the model's own P(REJECTION), on
// both backends.
func TestModelTinyClassifier(t *testing.T) {
	for _, backend := range []string{inference.BackendORT, inference.BackendPureGo} {
		t.Run(backend, func(t *testing.T) {
			if backend == inference.BackendORT && os.Getenv("LLMSHIELD_ORT_LIB") == "" {
				t.Skip("LLMSHIELD_ORT_LIB is not set")
			}
			dir := refusalDir(t, "NORMAL", "REJECTION")
			reg, err := registry.New(registry.Document{CacheDir: t.TempDir()}, registry.WithOffline(true))
			if err != nil {
				t.Fatal(err)
			}
			h, err := classifier.NewHub(reg, classifier.HubOptions{Runtime: inference.RuntimeOptions{Backend: backend}})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			ctx := context.Background()
			m, err := h.Get(ctx, classifier.Ref{ID: dir})
			if err != nil {
				t.Fatal(err)
			}
			text := "the bank will pay money to the market ."
			p, err := m.Classify(ctx, text, classifier.MatchFull, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := p.Best.Result.Score("REJECTION")
			if !ok {
				t.Fatal("no REJECTION score")
			}
			if want <= 0.02 || want >= 0.98 {
				t.Fatalf("tiny model's P(REJECTION) %v leaves no room for thresholds on both sides", want)
			}
			cfg := DefaultConfig()
			cfg.Model, cfg.Threshold = dir, want-0.01
			s, err := New(cfg, WithClassifier(m))
			if err != nil {
				t.Fatal(err)
			}
			out := scanner.Input{Prompt: "q", Output: text, Stage: scanner.StageOutput}
			if res, err := s.Scan(ctx, out); err != nil || res.Valid || math.Abs(res.Risk-want) > 1e-9 {
				t.Fatalf("risk %v (valid %v, err %v), want the model's P(REJECTION) %v flagged", res.Risk, res.Valid, err, want)
			}
			cfg.Threshold = want + 0.01
			if s, err = New(cfg, WithClassifier(m)); err != nil {
				t.Fatal(err)
			}
			if res, err := s.Scan(ctx, out); err != nil || !res.Valid {
				t.Fatalf("threshold over the model's score: %+v %v", res, err)
			}
			scannertest.Run(t, s, scannertest.WithHugeSize(64<<10))
		})
	}
}

// BenchmarkModelScan: a 1 KB answer through the tiny user model (pure Go);
// the cost is the model's, a real model's is much higher.
func BenchmarkModelScan(b *testing.B) {
	reg, err := registry.New(registry.Document{CacheDir: b.TempDir()}, registry.WithOffline(true))
	if err != nil {
		b.Fatal(err)
	}
	h, err := classifier.NewHub(reg, classifier.HubOptions{Runtime: inference.RuntimeOptions{Backend: inference.BackendPureGo}})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	dir := refusalDir(b, "NORMAL", "REJECTION")
	m, err := h.Get(ctx, classifier.Ref{ID: dir})
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Model = dir
	s, err := New(cfg, WithClassifier(m))
	if err != nil {
		b.Fatal(err)
	}
	in := scanner.Input{Prompt: "q", Output: strings.Repeat("the bank will pay money to the market . ", 26), Stage: scanner.StageOutput}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Scan(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}
