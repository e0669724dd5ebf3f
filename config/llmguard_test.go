package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestLLMGuardConfigLoads(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "llmguard_scanners.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Format != FormatLLMGuard {
		t.Fatalf("format %q, want %q", c.Format, FormatLLMGuard)
	}
	s := c.Server
	if s.AppName != "LLM Guard API" || s.Log.Level != "info" || s.PromptTimeout != 10*time.Second || s.OutputTimeout != 30*time.Second {
		t.Errorf("app section: %+v", s)
	}
	if c.FailFast || c.Models.Preload {
		t.Errorf("fail_fast %v preload %v", c.FailFast, c.Models.Preload)
	}
	if got := s.RateLimit.RequestsPerSecond; got < 1.66 || got > 1.67 || s.RateLimit.Burst != 100 {
		t.Errorf("rate limit 100/minute → %+v", s.RateLimit)
	}
	if len(s.Auth.Tokens) != 1 || s.Auth.Tokens[0] != "sekrit" {
		t.Errorf("auth tokens %v", s.Auth.Tokens)
	}
	if len(c.InputScanners) != 5 || len(c.OutputScanners) != 2 {
		t.Fatalf("scanners: %d in, %d out", len(c.InputScanners), len(c.OutputScanners))
	}
	// threshold on an ML scanner is the model's threshold; use_onnx and
	// model_* are accepted and noted.
	var pi map[string]any
	if err := c.InputScanners[2].DecodeParams(&pi); err != nil {
		t.Fatal(err)
	}
	if ml, _ := pi["ml"].(map[string]any); ml["threshold"] != 0.92 || pi["threshold"] != nil || pi["use_onnx"] != nil {
		t.Errorf("prompt injection params: %v", pi)
	}
	notes := strings.Join(c.Notes, "\n")
	for _, want := range []string{"use_onnx", "model_max_length"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if c.Server.Tracing.Exporter != "console" || c.Server.Metrics.Exporter != "prometheus" {
		t.Errorf("tracing %+v metrics %+v", c.Server.Tracing, c.Server.Metrics)
	}
	// LLM Guard's Regex redacts unless told otherwise.
	var rx map[string]any
	_ = c.InputScanners[3].DecodeParams(&rx)
	if rx["redact"] != true {
		t.Errorf("input regex: %v, want redact true by default", rx)
	}
	rx = nil
	_ = c.OutputScanners[1].DecodeParams(&rx)
	if rx["redact"] != false {
		t.Errorf("output regex: %v, want the explicit redact: false kept", rx)
	}
}

func TestLLMGuardConfigEnvAndErrors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "llmguard_scanners.yml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCAN_PROMPT_TIMEOUT", "2.5")
	t.Setenv("SCAN_FAIL_FAST", "true")
	t.Setenv("LAZY_LOAD", "false")
	t.Setenv("LOG_LEVEL", "WARNING")
	t.Setenv("RATE_LIMIT_LIMIT", "5/second")
	c, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.PromptTimeout != 2500*time.Millisecond || !c.FailFast || !c.Models.Preload || c.Server.Log.Level != "warn" || c.Server.RateLimit.RequestsPerSecond != 5 {
		t.Errorf("env overrides: %+v fail_fast=%v preload=%v", c.Server, c.FailFast, c.Models.Preload)
	}
	for _, tc := range []struct{ env, val, want string }{
		{"AUTH_TOKEN", "", "auth.token: empty"},
		{"RATE_LIMIT_LIMIT", "lots", "rate_limit.limit"},
		{"SCAN_OUTPUT_TIMEOUT", "soon", "want a number of seconds"},
		{"LOG_LEVEL", "LOUD", "app.log_level"},
		{"METRICS_TYPE", "statsd", "metrics.exporter"},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(tc.env, tc.val)
			if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s=%q: err %v, want %q", tc.env, tc.val, err, tc.want)
			}
		})
	}
	// Unknown keys stay errors in LLM Guard's format too.
	if _, err := Parse([]byte("app:\n  nmae: x\ninput_scanners:\n  - type: Regex\n")); err == nil || !strings.Contains(err.Error(), "nmae") {
		t.Errorf("unknown app key: %v", err)
	}
	// http_basic.
	c, err = Parse([]byte("auth:\n  type: http_basic\n  username: u\n  password: p\ninput_scanners:\n  - type: InvisibleText\n"))
	if err != nil || c.Server.Auth.Basic == nil || c.Server.Auth.Basic.Username != "u" {
		t.Errorf("http_basic: %v %+v", err, c)
	}
	if _, err := Parse([]byte("auth:\n  type: http_basic\n  username: u\ninput_scanners:\n  - type: InvisibleText\n")); err == nil {
		t.Error("http_basic without a password accepted")
	}
}

func TestLLMGuardDetection(t *testing.T) {
	for y, want := range map[string]bool{
		"app: {name: x}\n":               true,
		"rate_limit: {enabled: false}\n": true,
		"input_scanners: []\n":           false,
		"fail_fast: true\n":              false,
		"- a\n":                          false,
	} {
		var n yaml.Node
		_ = yaml.Unmarshal([]byte(y), &n)
		if got := isLLMGuard(&n); got != want {
			t.Errorf("%q: %v, want %v", y, got, want)
		}
	}
}

// TestLLMGuardModelPath: model_path of BanTopics, FactualConsistency,
// Relevance, Bias, EmotionDetection and NoRefusal becomes model when it is
// a local directory; a Hugging Face id there is noted and the built-in
// implementation runs.
func TestLLMGuardModelPath(t *testing.T) {
	dir := t.TempDir()
	yml := fmt.Sprintf(`app: {name: x}
input_scanners:
  - type: BanTopics
    params: {topics: [violence], model_path: %q}
output_scanners:
  - type: Relevance
    params: {model_path: BAAI/bge-small-en-v1.5}
  - type: EmotionDetection
    params: {model_path: %q}
  - type: NoRefusal
    params: {model_path: %q}
`, dir, dir, dir)
	c, err := Parse([]byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	var bt, rel map[string]any
	if err := c.InputScanners[0].DecodeParams(&bt); err != nil {
		t.Fatal(err)
	}
	if err := c.OutputScanners[0].DecodeParams(&rel); err != nil {
		t.Fatal(err)
	}
	if bt["model"] != dir || bt["model_path"] != nil {
		t.Errorf("BanTopics params %v: want model = the directory", bt)
	}
	if rel["model"] != nil || rel["model_path"] != nil || !strings.Contains(strings.Join(c.Notes, "\n"), "output_scanners[0].params.model_path: accepted and ignored") {
		t.Errorf("Relevance params %v, notes %q", rel, c.Notes)
	}
	for i := 1; i <= 2; i++ {
		var p map[string]any
		if err := c.OutputScanners[i].DecodeParams(&p); err != nil {
			t.Fatal(err)
		}
		if p["model"] != dir || p["model_path"] != nil {
			t.Errorf("%s params %v: want model = the directory", c.OutputScanners[i].Type, p)
		}
	}
}

// TestLLMGuardRecognizerConf: LLM Guard's Anonymize and Sensitive take a
// Presidio recognizer_conf; llmshield's recognizers are built in, so the
// key is accepted, noted and dropped instead of failing start-up.
func TestLLMGuardRecognizerConf(t *testing.T) {
	c, err := Parse([]byte(`app: {name: x}
input_scanners:
  - type: Anonymize
    params: {entity_types: [EMAIL_ADDRESS], recognizer_conf: {name: BERT_LARGE_NER_CONF}}
output_scanners:
  - type: Sensitive
    params: {recognizer_conf: {}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var an map[string]any
	if err := c.InputScanners[0].DecodeParams(&an); err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(c.Notes, "\n")
	if an["recognizer_conf"] != nil || an["entity_types"] == nil ||
		!strings.Contains(notes, "input_scanners[0].params.recognizer_conf: accepted and ignored") ||
		!strings.Contains(notes, "output_scanners[0].params.recognizer_conf: accepted and ignored") {
		t.Errorf("params %v, notes %q", an, c.Notes)
	}
}
