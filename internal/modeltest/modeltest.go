// Package modeltest is test scaffolding shared by the scanners that run a
// user model: fake models that implement the scanners' model interfaces,
// tiny model directories assembled from the generated test models of
// internal/inference/testdata (scripts/gen-tiny-classifier.py,
// scripts/gen-tiny-pipelines.py) with the labels a test needs, an offline
// model hub, a loop over both inference backends, and the checks that the
// scanners with a classifier option share (Tiny, PicksLabels, Failures,
// Straddle). Only tests import it.
package modeltest

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/scanner"
)

// Root is the repository root (found from this file, so that tests in any
// package reach the shared test models).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// TinyDir is the directory of a tiny generated model of the inference
// package's testdata ("tiny-binary", "tiny-tokencls", ...).
func TinyDir(name string) string {
	return filepath.Join(Root(), "internal", "inference", "testdata", name)
}

// Backends runs fn on the ONNX Runtime backend (skipped when
// LLMSHIELD_ORT_LIB is not set) and on the pure-Go backend.
func Backends(t *testing.T, fn func(t *testing.T, backend string)) {
	eachBackend(t, fn, inference.BackendORT, inference.BackendPureGo)
}

// runner is a test or a benchmark: what runs a sub-test of its own kind.
type runner[T any] interface {
	testing.TB
	Run(name string, fn func(T)) bool
}

// eachBackend runs fn as a sub-test or sub-benchmark on each of backends,
// skipping ONNX Runtime when LLMSHIELD_ORT_LIB is not set.
func eachBackend[T runner[T]](t T, fn func(t T, backend string), backends ...string) {
	for _, b := range backends {
		t.Run(b, func(t T) {
			if b == inference.BackendORT && os.Getenv("LLMSHIELD_ORT_LIB") == "" {
				t.Skip("LLMSHIELD_ORT_LIB is not set")
			}
			fn(t, b)
		})
	}
}

// Hub is a model hub on backend over an offline registry of models
// (other models are reached by directory), closed when the test ends.
func Hub(t testing.TB, backend string, models ...registry.Entry) *classifier.Hub {
	t.Helper()
	reg, err := registry.New(registry.Document{CacheDir: t.TempDir(), Models: models}, registry.WithOffline(true))
	if err != nil {
		t.Fatal(err)
	}
	return HubOn(t, backend, reg)
}

// HubOn is a model hub on backend over reg, closed when the test ends.
func HubOn(t testing.TB, backend string, reg *registry.Registry) *classifier.Hub {
	t.Helper()
	h, err := classifier.NewHub(reg, classifier.HubOptions{Runtime: inference.RuntimeOptions{Backend: backend}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// CopyDir copies the tiny model name (model.onnx, config.json and
// tokenizer.json) into a temporary directory.
func CopyDir(t testing.TB, name string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"model.onnx", "config.json", "tokenizer.json"} {
		copyFile(t, filepath.Join(TinyDir(name), f), filepath.Join(dir, f))
	}
	return dir
}

// ClassifierDir assembles a sequence classifier in a temporary directory:
// the tiny model name (tiny-binary, tiny-multilabel, ...) with the
// classifier package's tiny WordPiece tokenizer, relabelled when labels
// are given (see Relabel).
func ClassifierDir(t testing.TB, name string, labels ...string) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, filepath.Join(TinyDir(name), "model.onnx"), filepath.Join(dir, "model.onnx"))
	copyFile(t, filepath.Join(TinyDir(name), "config.json"), filepath.Join(dir, "config.json"))
	copyFile(t, filepath.Join(Root(), "classifier", "testdata", "tiny", "tokenizer.json"), filepath.Join(dir, "tokenizer.json"))
	if len(labels) > 0 {
		Relabel(t, dir, labels...)
	}
	return dir
}

// Relabel renames the labels of the model in dir (config.json's id2label,
// in output order) and drops its positive_labels.
func Relabel(t testing.TB, dir string, labels ...string) {
	t.Helper()
	path := filepath.Join(dir, "config.json")
	b, err := os.ReadFile(path)
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
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Classifier is a fake sequence classifier over Names. Its one part (the
// whole text) has the label scores Scores, or ByText(text) when set;
// Classify's score is the sum (Softmax) or the largest (sigmoid) of the
// asked labels' scores, every label but the first when none is asked.
// It records what it was asked and is safe for concurrent use.
type Classifier struct {
	Names   []string
	Softmax bool
	ByText  func(text string) []float64
	Err     error

	mu       sync.Mutex
	scores   []float64
	asked    []string
	mt       classifier.MatchType
	positive []string
}

// NewClassifier returns a fake over names with fixed scores.
func NewClassifier(names []string, scores ...float64) *Classifier {
	return &Classifier{Names: names, scores: scores}
}

// SetScores changes the fixed scores.
func (f *Classifier) SetScores(scores ...float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scores = scores
}

// SetErr makes Classify fail with err (nil: succeed).
func (f *Classifier) SetErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Err = err
}

// Classify implements classifier.Model.
func (f *Classifier) Classify(_ context.Context, text string, mt classifier.MatchType, positive []string) (classifier.Prediction, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked, f.mt, f.positive = append(f.asked, text), mt, positive
	scores := f.scores
	if f.ByText != nil {
		scores = f.ByText(text)
	}
	r := inference.InferenceResult{Labels: f.Names, Scores: scores}
	if len(positive) == 0 && len(f.Names) > 1 {
		positive = f.Names[1:]
	}
	s := 0.0
	for _, p := range positive {
		v, _ := r.Score(p)
		if f.Softmax {
			s += v
		} else {
			s = max(s, v)
		}
	}
	return classifier.Prediction{Score: s, Best: classifier.Part{Start: 0, End: len(text), Result: r, Score: s}, Parts: 1}, f.Err
}

// BestLabel implements classifier.Model: the highest-scoring of labels
// (every label but the first when empty) in p's best part.
func (f *Classifier) BestLabel(p classifier.Prediction, labels []string) string {
	if len(labels) == 0 && len(f.Names) > 1 {
		labels = f.Names[1:]
	}
	best, bestScore := "", -1.0
	for _, l := range labels {
		if s, ok := p.Best.Result.Score(l); ok && s > bestScore {
			best, bestScore = l, s
		}
	}
	return best
}

// Labels implements classifier.Model.
func (f *Classifier) Labels() []string { return slices.Clone(f.Names) }

// Version implements classifier.Model.
func (f *Classifier) Version() string { return "fake@1" }

// Asked returns the texts classified so far.
func (f *Classifier) Asked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}

// Last returns the match type and labels of the last call.
func (f *Classifier) Last() (classifier.MatchType, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mt, f.positive
}

// Straddle checks that a scanner whose risk on in is the model's own
// score want flags in with a threshold just under want and passes it with
// one just over; build makes the scanner for a threshold. It returns the
// flagging scanner (for the conformance suite).
func Straddle(t *testing.T, want float64, in scanner.Input, build func(threshold float64) (scanner.Scanner, error)) scanner.Scanner {
	t.Helper()
	if want <= 0.02 || want >= 0.98 {
		t.Fatalf("the model's score %v leaves no room for thresholds on both sides", want)
	}
	ctx := context.Background()
	flag, err := build(want - 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := flag.Scan(ctx, in); err != nil || res.Valid || math.Abs(res.Risk-want) > 1e-6 || res.Method != scanner.MethodML {
		t.Fatalf("threshold under the model's score %v: %+v %v, want it flagged with that risk", want, res, err)
	}
	pass, err := build(want + 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := pass.Scan(ctx, in); err != nil || !res.Valid {
		t.Fatalf("threshold over the model's score %v: %+v %v, want it valid", want, res, err)
	}
	return flag
}

// BenchBackends runs fn as a sub-benchmark on the pure-Go backend and on
// ONNX Runtime (skipped when LLMSHIELD_ORT_LIB is not set).
func BenchBackends(b *testing.B, fn func(b *testing.B, backend string)) {
	eachBackend(b, fn, inference.BackendPureGo, inference.BackendORT)
}

// Failures checks what a scanner running the fake f does with bad input
// and a failing model: in with invalid UTF-8 in front of its text is
// scanner.ErrInvalidUTF8, and a model error fails the scan naming model.
// f works again afterwards.
func Failures(t *testing.T, s scanner.Scanner, in scanner.Input, f *Classifier, model string) {
	t.Helper()
	ctx := context.Background()
	bad := in
	if bad.Stage == scanner.StageOutput {
		bad.Output = "\xff" + bad.Output
	} else {
		bad.Prompt = "\xff" + bad.Prompt
	}
	if _, err := s.Scan(ctx, bad); !errors.Is(err, scanner.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v, want scanner.ErrInvalidUTF8", err)
	}
	f.SetErr(errors.New("boom"))
	defer f.SetErr(nil)
	if _, err := s.Scan(ctx, in); err == nil || !strings.Contains(err.Error(), model) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("model error: %v, want one naming %s", err, model)
	}
}

// Load opens the model in dir with get ((*classifier.Hub).Get, GetPair,
// GetEmbedder, GetTokenClassifier) on a fresh hub on backend.
func Load[M any](t testing.TB, backend string, get func(*classifier.Hub, context.Context, classifier.Ref) (M, error), dir string) M {
	t.Helper()
	m, err := get(Hub(t, backend), context.Background(), classifier.Ref{ID: dir})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
