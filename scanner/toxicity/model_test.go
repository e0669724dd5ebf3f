package toxicity_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/datasets"
)

// shield runs the toxicity scanner with the built-in multi-label model
// alone (offline, ML only) in the given variant (fp32 or int8).
func shield(t *testing.T, variant string) *llmshield.Shield {
	t.Helper()
	cfg, err := config.Parse([]byte(`
models: {offline: true}
input_scanners:
  - type: toxicity
    params: {ml: {mode: ml_only, variant: ` + variant + `}}
`))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := llmshield.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sh.Close() })
	return sh
}

// TestBuiltinModelLabels checks the built-in model end to end (registry,
// hashed n-gram tokenizer, ONNX graph, sigmoid labels, calibrated threshold):
// short benign instructions stay far below the threshold, hate and insults
// (EN and DE) flag with a finding naming the label, and negated hate or a
// neutral identity mention does not flag.
func TestBuiltinModelLabels(t *testing.T) {
	sh := shield(t, "fp32")
	cases := []struct {
		text  string
		label string // "" = must not flag
	}{
		{"Be helpful", ""},
		{"You are a helpful assistant.", ""},
		{"Be careful", ""},
		{"Du bist ein hilfreicher Assistent.", ""},
		{"Immigrants are vermin and should be deported.", "hate"},
		{"I despise all Muslims, they are filthy animals.", "hate"},
		{"Flüchtlinge sind Abschaum und gehören abgeschoben.", "hate"},
		{"Shut up, you fucking idiot.", "insult"},
		{"Halt die Klappe, du Vollidiot.", "insult"},
		{"My neighbours are Muslims and we often cook together.", ""},
		{"I don't hate immigrants at all.", ""},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			rep, err := sh.ScanPrompt(context.Background(), tc.text)
			if err != nil {
				t.Fatal(err)
			}
			res := rep.Scanners[0].Result
			if tc.label == "" {
				if !rep.Valid {
					t.Fatalf("flagged (risk %.3f, findings %+v)", res.Risk, res.Findings)
				}
				if strings.HasPrefix(tc.text, "Be ") && res.Risk >= 0.1 {
					t.Fatalf("short instruction scores %.3f, want < 0.1", res.Risk)
				}
				return
			}
			if rep.Valid {
				t.Fatalf("not flagged (risk %.3f)", res.Risk)
			}
			for _, f := range res.Findings {
				if f.Rule == "ml."+tc.label {
					return
				}
			}
			t.Fatalf("no finding ml.%s in %+v", tc.label, res.Findings)
		})
	}
}

// TestBuiltinModelMatchesTraining: the Go pipeline (hashed n-gram tokenizer,
// either inference backend, sigmoid) reproduces the probabilities training
// computed for testdata/model_reference.jsonl, for the FP32 and INT8
// variants; the risk is the larger of the two labels' probabilities.
func TestBuiltinModelMatchesTraining(t *testing.T) {
	refs := datasets.MustReadRows[struct {
		Text string    `json:"text"`
		FP32 []float64 `json:"fp32"`
		INT8 []float64 `json:"int8"`
	}](t, "testdata/model_reference.jsonl")
	if len(refs) < 5 {
		t.Fatalf("only %d reference rows", len(refs))
	}
	for _, variant := range []string{"fp32", "int8"} {
		sh := shield(t, variant)
		for _, r := range refs {
			want := slicesMax(r.FP32)
			if variant == "int8" {
				want = slicesMax(r.INT8)
			}
			rep, err := sh.ScanPrompt(context.Background(), r.Text)
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Scanners[0].Result.Risk; math.Abs(got-want) > 1e-4 {
				t.Errorf("%s %q: risk %.6f, training computed %.6f", variant, r.Text, got, want)
			}
		}
	}
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}
