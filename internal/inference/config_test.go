package inference

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadModelConfigTestdata(t *testing.T) {
	tests := []struct {
		dir  string
		want ModelConfig
	}{
		{"tiny-binary", ModelConfig{Labels: []string{"SAFE", "INJECTION"}, ProblemType: SingleLabel, MaxLength: 128, Threshold: 0.5, PositiveLabels: []string{"INJECTION"}}},
		{"tiny-multilabel", ModelConfig{Labels: []string{"toxicity", "insult", "threat"}, ProblemType: MultiLabel, MaxLength: 128, Threshold: 0.5, PositiveLabels: []string{"toxicity", "insult", "threat"}}},
		{"tiny-tokentype", ModelConfig{Labels: []string{"NEGATIVE", "POSITIVE"}, ProblemType: SingleLabel, MaxLength: 128, Threshold: 0.5, PositiveLabels: []string{"NEGATIVE"}}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			got, err := LoadModelConfig(filepath.Join("testdata", tt.dir, "config.json"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
	if got, _ := LoadModelConfig("testdata/tiny-multilabel/config.json"); got.PostProcessing() != Sigmoid {
		t.Error("multi-label config does not select sigmoid")
	}
	if got, _ := LoadModelConfig("testdata/tiny-binary/config.json"); got.PostProcessing() != Softmax {
		t.Error("single-label config does not select softmax")
	}
}

func TestParseModelConfig(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    ModelConfig
		wantErr string // substring; "" means success
	}{
		{"minimal hf config", `{"id2label":{"0":"NEG","1":"POS"},"architectures":["X"]}`,
			ModelConfig{Labels: []string{"NEG", "POS"}, ProblemType: SingleLabel}, ""},
		{"unordered keys", `{"id2label":{"2":"c","0":"a","1":"b"},"pad_token_id":1}`,
			ModelConfig{Labels: []string{"a", "b", "c"}, ProblemType: SingleLabel, PadTokenID: 1}, ""},
		{"malformed json", `{"id2label":`, ModelConfig{}, "decode config.json"},
		{"not an object", `[]`, ModelConfig{}, "decode config.json"},
		{"no labels", `{}`, ModelConfig{}, "id2label: missing"},
		{"gap in ids", `{"id2label":{"0":"a","2":"b"}}`, ModelConfig{}, `id2label: key "2"`},
		{"non-numeric id", `{"id2label":{"x":"a"}}`, ModelConfig{}, `id2label: key "x"`},
		{"negative id", `{"id2label":{"-1":"a"}}`, ModelConfig{}, `id2label: key "-1"`},
		{"duplicate label", `{"id2label":{"0":"a","1":"a"}}`, ModelConfig{}, "duplicate label"},
		{"empty label", `{"id2label":{"0":""}}`, ModelConfig{}, "empty label"},
		{"regression", `{"id2label":{"0":"a"},"problem_type":"regression"}`, ModelConfig{}, "problem_type"},
		{"zero max_length", `{"id2label":{"0":"a"},"max_length":0}`, ModelConfig{}, "max_length"},
		{"threshold 1", `{"id2label":{"0":"a"},"threshold":1}`, ModelConfig{}, "threshold"},
		{"threshold 0", `{"id2label":{"0":"a"},"threshold":0}`, ModelConfig{}, "threshold"},
		{"unknown positive", `{"id2label":{"0":"a"},"positive_labels":["b"]}`, ModelConfig{}, "positive_labels"},
		{"negative pad", `{"id2label":{"0":"a"},"pad_token_id":-1}`, ModelConfig{}, "pad_token_id"},
		{"wrong type", `{"id2label":{"0":"a"},"max_length":"long"}`, ModelConfig{}, "decode config.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseModelConfig([]byte(tt.json))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadModelConfigErrors(t *testing.T) {
	if _, err := LoadModelConfig(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("missing file accepted")
	}
	p := filepath.Join(t.TempDir(), "empty.json")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadModelConfig(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("empty file: %v", err)
	}
}

func FuzzParseModelConfig(f *testing.F) {
	for _, d := range []string{"tiny-binary", "tiny-multilabel", "tiny-tokentype"} {
		data, err := os.ReadFile(filepath.Join("testdata", d, "config.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"id2label":{"0":"a","1":"b"},"threshold":0.3}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseModelConfig(data)
		if err != nil {
			return
		}
		if len(c.Labels) == 0 {
			t.Fatal("accepted config without labels")
		}
		for _, l := range c.Labels {
			if l == "" {
				t.Fatal("accepted empty label")
			}
		}
	})
}
