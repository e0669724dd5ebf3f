package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultParses(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.InputScanners) == 0 || c.ScannerTimeout != 10*time.Second || c.Server.Addr != "127.0.0.1:8000" {
		t.Fatalf("unexpected default: %+v", c)
	}
}

func TestInvalidConfigsNameTheKey(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"unknown top-level key", "fail_fsat: true\n", "field fail_fsat not found"},
		{"unknown scanner key", "input_scanners:\n  - type: regex\n    parms: {}\n", "field parms not found"},
		{"missing type", "input_scanners:\n  - name: x\n", "input_scanners[0].type: missing"},
		{"bad duration", "scanner_timeout: soon\n", "scanner_timeout"},
		{"negative timeout", "scanner_timeout: -1s\n", "scanner_timeout: must not be negative"},
		{"bad cache preset", "cache: huge\n", `unknown cache preset "huge"`},
		{"bad cache settings", "cache: {enabled: true, max_size: 0, ttl: 1m}\n", "cache.max_size"},
		{"bad backend", "models: {backend: gpu}\n", "models.backend"},
		{"negative inter-op threads", "models: {inter_op_threads: -1}\n", "models.inter_op_threads"},
		{"empty batching model", "models: {batching: {models: {\"\": false}}}\n", "models.batching.models"},
		{"duplicate names", "input_scanners:\n  - type: regex\n  - type: regex\n", "input_scanners[1].name"},
		{"bad addr", "server: {addr: nonsense}\n", "server.addr"},
		{"bad log level", "server: {log: {level: loud}}\n", "server.log.level"},
		{"not yaml", "input_scanners: [\n", "decode config"},
		{"empty", "", "config is empty"},
		{"two documents", "fail_fast: true\n---\nfail_fast: false\n", "more than one YAML document"},
		{"unset env", "server: {addr: ${LLMSHIELD_TEST_UNSET_VAR}}\n", "LLMSHIELD_TEST_UNSET_VAR is not set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// oneScanner makes a configuration valid: one with no scanner is refused.
const oneScanner = "input_scanners:\n  - type: invisible_text\n"

// A configuration that enables no scanner would pass everything: refused.
func TestNoScannerIsAnError(t *testing.T) {
	for _, y := range []string{"fail_fast: true\n", "input_scanners: []\noutput_scanners: []\n", "input_scanners:\n  - {type: regex, disabled: true}\n"} {
		if _, err := Parse([]byte(y)); !errors.Is(err, ErrNoScanners) {
			t.Errorf("%q: err = %v, want ErrNoScanners", y, err)
		}
	}
}

func TestEnvInterpolation(t *testing.T) {
	t.Setenv("LLMSHIELD_TEST_ADDR", "127.0.0.1:9999")
	c, err := Parse([]byte(oneScanner + "server:\n  addr: ${LLMSHIELD_TEST_ADDR}\n  log: {level: '${LLMSHIELD_TEST_UNSET_LEVEL:debug}'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != "127.0.0.1:9999" || c.Server.Log.Level != "debug" {
		t.Fatalf("got %+v", c.Server)
	}
}

func TestScannerParams(t *testing.T) {
	c, err := Parse([]byte("input_scanners:\n  - type: BanSubstrings\n    params:\n      substrings: [a, b]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.InputScanners[0]
	if s.DisplayName() != "ban_substrings" {
		t.Fatalf("CamelCase type not normalised: %q", s.DisplayName())
	}
	var p struct {
		Substrings []string `yaml:"substrings"`
	}
	if err := s.DecodeParams(&p); err != nil || len(p.Substrings) != 2 {
		t.Fatalf("%v %+v", err, p)
	}
	var strict struct {
		Other int `yaml:"other"`
	}
	if err := s.DecodeParams(&strict); err == nil || !strings.Contains(err.Error(), "substrings") {
		t.Fatalf("params decode must be strict, got %v", err)
	}
}

func TestCachePresetAndMapping(t *testing.T) {
	c, err := Parse([]byte(oneScanner + "cache: aggressive\n"))
	if err != nil || c.Cache.MaxSize != 10_000 || c.Cache.TTL != 2*time.Hour || c.Cache.Preset != "aggressive" {
		t.Fatalf("%v %+v", err, c.Cache)
	}
	c, err = Parse([]byte(oneScanner + "cache: {enabled: true, max_size: 5, ttl: 30s}\n"))
	if err != nil || c.Cache.MaxSize != 5 || c.Cache.TTL != 30*time.Second {
		t.Fatalf("%v %+v", err, c.Cache)
	}
}

func TestNormalizeType(t *testing.T) {
	for in, want := range map[string]string{"PromptInjection": "prompt_injection", "prompt_injection": "prompt_injection", "BanSubstrings": "ban_substrings", "Regex": "regex", "InvisibleText": "invisible_text", "regex": "regex",
		"URLReachability": "url_reachability", "MaliciousURLs": "malicious_urls", "NoRefusalLight": "no_refusal_light", "JSON": "json", "BanCode": "ban_code"} {
		if got := NormalizeType(in); got != want {
			t.Errorf("NormalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(string(defaultYAML))
	f.Add("input_scanners:\n  - type: regex\n    params: {patterns: ['a+']}\n")
	f.Add("cache: {enabled: true}\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = Parse([]byte(s)) // must never panic
	})
}

func TestModelsThreadsAndBatchingParse(t *testing.T) {
	c, err := Parse([]byte(oneScanner + "models: {threads: 2, inter_op_threads: 1, batching: {enabled: true, models: {llmshield-pi-ngram-2.0.0: false, big/model: true}}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Models
	if m.Threads != 2 || m.InterOpThreads != 1 || !m.Batching.Enabled || m.Batching.Models["llmshield-pi-ngram-2.0.0"] || !m.Batching.Models["big/model"] || len(m.Batching.Models) != 2 {
		t.Errorf("models %+v", m)
	}
}
