package ner

import (
	"bufio"
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
	"github.com/llmshield/llmshield/internal/inference/backend"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/models"
)

func builtinRegistry(t testing.TB) *registry.Registry {
	t.Helper()
	reg, err := registry.NewDefault(models.FS(), registry.WithOffline(true), registry.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func runtimeFor(t testing.TB, name string) *inference.Runtime {
	t.Helper()
	rt, err := inference.NewRuntime(inference.RuntimeOptions{Backend: name})
	if err != nil {
		if name == inference.BackendORT && errors.Is(err, backend.ErrUnavailable) {
			if os.Getenv("CI") == "true" {
				t.Fatalf("onnx runtime unavailable with CI=true: %v", err)
			}
			t.Skipf("onnx runtime unavailable: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	return rt
}

func source(t testing.TB, backendName string, variant string, opts Options) *Source {
	t.Helper()
	reg := builtinRegistry(t)
	rt := runtimeFor(t, backendName)
	s, err := NewSource(reg, func() (*inference.Runtime, error) { return rt, nil }, SourceOptions{Variant: model.Variant(variant), Tagger: opts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func forEachBackend(t *testing.T, fn func(t *testing.T, name string)) {
	for _, name := range []string{inference.BackendORT, inference.BackendPureGo} {
		t.Run(name, func(t *testing.T) { fn(t, name) })
	}
}

// TestBuiltinMatchesReference loads the built-in model (both precisions)
// through registry -> loader -> tokenizer -> engine on both backends and
// compares every token's logits with training/ner_train.py's reference.
func TestBuiltinMatchesReference(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		for _, dir := range []string{"ner", "ner-int8"} {
			variant := "fp32"
			if dir == "ner-int8" {
				variant = "int8"
			}
			s := source(t, be, variant, Options{})
			tg, err := s.Tagger(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tg.Backend() != be {
				t.Fatalf("backend %s, want %s", tg.Backend(), be)
			}
			f, err := os.Open(filepath.Join("..", "..", "models", dir, "reference.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(f)
			sc.Buffer(make([]byte, 1<<20), 1<<24)
			n := 0
			for sc.Scan() {
				var ref struct {
					Text     string
					InputIDs []int64 `json:"input_ids"`
					Logits   [][]float64
				}
				if err := json.Unmarshal(sc.Bytes(), &ref); err != nil {
					t.Fatal(err)
				}
				enc, err := tg.tok.Encode(ref.Text)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(enc.IDsInt64(), ref.InputIDs) {
					t.Fatalf("%s %q: ids differ from the reference", dir, ref.Text)
				}
				if len(ref.InputIDs) == 0 {
					continue
				}
				rows, err := tg.eng.TokenLogits(context.Background(), []inference.Input{{InputIDs: enc.IDsInt64(), AttentionMask: enc.AttentionMaskInt64()}})
				if err != nil {
					t.Fatal(err)
				}
				for j, want := range ref.Logits {
					for l := range want {
						if d := math.Abs(float64(rows[0][j][l]) - want[l]); d > 2e-3 {
							t.Fatalf("%s %q token %d label %d: %v, want %v", dir, ref.Text, j, l, rows[0][j][l], want[l])
						}
					}
				}
				n++
			}
			f.Close()
			if n < 4 {
				t.Fatalf("%s: %d reference rows", dir, n)
			}
		}
	})
}

func TestBuiltinFindsNames(t *testing.T) {
	forEachBackend(t, func(t *testing.T, be string) {
		s := source(t, be, "fp32", Options{})
		cases := []struct{ text, typ, want string }{
			{"My name is Jennifer Walsh and I live in Denver.", "PERSON", "Jennifer Walsh"},
			{"Mein Name ist Jürgen Hoffmann, ich wohne in Köln.", "PERSON", "Jürgen Hoffmann"},
			{"Je m'appelle Camille Lefèvre et j'habite à Lyon.", "PERSON", "Camille Lefèvre"},
			{"Me llamo Lucía Fernández y vivo en Sevilla.", "PERSON", "Lucía Fernández"},
		}
		for _, c := range cases {
			ms, err := s.Entities(context.Background(), c.text)
			if err != nil {
				t.Fatal(err)
			}
			hit := false
			for _, m := range ms {
				hit = hit || m.Type == c.typ && c.text[m.Start:m.End] == c.want
			}
			if !hit {
				t.Errorf("%q: %v lacks %s %q", c.text, ms, c.typ, c.want)
			}
		}
		ms, err := s.Entities(context.Background(), "Write a Python function that parses JSON and returns a list.")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Score >= 0.5 {
				t.Errorf("benign prompt: %+v", m)
			}
		}
		for _, text := range []string{"", "   \n", "!!!", strings.Repeat("a", 5000)} {
			if _, err := s.Entities(context.Background(), text); err != nil {
				t.Errorf("%q: %v", text[:min(len(text), 10)], err)
			}
		}
		if _, err := s.Entities(context.Background(), "bad \xff"); err == nil {
			t.Error("invalid UTF-8 accepted")
		}
	})
}

// TestWindowsAgree: the model sees 4 words on each side of a word (two
// layers over a 5-word window), so cutting a long text into windows with a
// margin of 4 words gives exactly the entities of one pass.
func TestWindowsAgree(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 60; i++ {
		b.WriteString("Yesterday Maria Schmidt from Siemens AG met John O'Neill in Paris to talk about the budget. ")
	}
	text := b.String()
	one := source(t, inference.BackendPureGo, "fp32", Options{WindowWords: 4096, MarginWords: 4})
	cut := source(t, inference.BackendPureGo, "fp32", Options{WindowWords: 40, MarginWords: 4})
	a, err := one.Entities(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cut.Entities(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 60 || len(a) != len(c) {
		t.Fatalf("one pass %d entities, windows %d", len(a), len(c))
	}
	for i := range a {
		if a[i].Type != c[i].Type || a[i].Start != c[i].Start || a[i].End != c[i].End || math.Abs(a[i].Score-c[i].Score) > 1e-4 {
			t.Fatalf("entity %d: %+v vs %+v", i, a[i], c[i])
		}
	}
}

func TestBadOptions(t *testing.T) {
	reg := builtinRegistry(t)
	rt := func() (*inference.Runtime, error) { return nil, errors.New("unused") }
	if _, err := NewSource(reg, rt, SourceOptions{Tagger: Options{WindowWords: 8, MarginWords: 4}}); err == nil {
		t.Error("margin 4 with window 8 accepted")
	}
	if _, err := NewSource(nil, rt, SourceOptions{}); err == nil {
		t.Error("nil registry accepted")
	}
	s, err := NewSource(reg, rt, SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Entities(context.Background(), "Hello Bob"); err == nil {
		t.Error("a runtime error did not surface")
	}
	_ = s.Close()
	if _, err := s.Entities(context.Background(), "Hello Bob"); err == nil {
		t.Error("closed source answered")
	}
	// A sequence classifier is refused as a NER model.
	s2, err := NewSource(reg, func() (*inference.Runtime, error) {
		return inference.NewRuntime(inference.RuntimeOptions{Backend: inference.BackendPureGo})
	}, SourceOptions{Model: "llmshield/sentiment"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s2.Entities(context.Background(), "Hello Bob"); err == nil || !strings.Contains(err.Error(), "IOB2") {
		t.Errorf("sentiment model as NER: %v", err)
	}
}
