// Package config defines llmshield's configuration file: which scanners run
// on prompts and on outputs, with which parameters, and the pipeline's
// limits. Loading goes in three steps: decode (strict: unknown keys are
// errors), validate (errors name the key), then compile (done by the
// llmshield package, which turns a Config into a Shield).
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/cache"
)

//go:embed default.yaml
var defaultYAML []byte

// Config is a whole llmshield configuration.
type Config struct {
	// FailFast stops scanning as soon as one scanner flags the text.
	FailFast bool `yaml:"fail_fast"`
	// FailOpen lets text through when a scanner errors. The default (false)
	// fails closed: a scanner error makes the verdict invalid.
	FailOpen bool `yaml:"fail_open"`
	// ScannerTimeout bounds each scanner's run. Default 10s.
	ScannerTimeout time.Duration `yaml:"scanner_timeout"`
	// Cache is the default result cache for scanners that can be cached and
	// do not configure their own: a preset name or explicit settings.
	Cache Cache `yaml:"cache"`
	// Models configures where models come from.
	Models Models `yaml:"models"`
	// InputScanners run on prompts, OutputScanners on responses, in this order.
	InputScanners  []Scanner `yaml:"input_scanners"`
	OutputScanners []Scanner `yaml:"output_scanners"`
	// Server configures `llmshield serve`.
	Server Server `yaml:"server"`

	// Format is the file format the configuration was read from.
	Format Format `yaml:"-"`
	// Notes are settings that were accepted but have no effect here (LLM
	// Guard parameters such as use_onnx); callers log them once at start-up.
	Notes []string `yaml:"-"`
}

// Format is a configuration file format.
type Format string

// Formats.
const (
	// FormatLLMShield is llmshield's own format.
	FormatLLMShield Format = "llmshield"
	// FormatLLMGuard is LLM Guard's API scanners.yml (detected by its top-level
	// app, rate_limit, auth, tracing or metrics section).
	FormatLLMGuard Format = "llm_guard"
)

// Models configures the model registry.
type Models struct {
	// Dir is the model cache directory. Default: $LLMSHIELD_MODEL_DIR, else
	// $XDG_CACHE_HOME/llmshield/models, else ~/.cache/llmshield/models.
	Dir string `yaml:"dir"`
	// Registry is an extra registry.json whose entries add to (and override)
	// the built-in ones.
	Registry string `yaml:"registry"`
	// Offline never touches the network; missing models are errors.
	Offline bool `yaml:"offline"`
	// Backend selects the inference backend: auto (default), ort or purego.
	Backend string `yaml:"backend"`
	// Threads is the number of intra-op threads of one forward pass (ONNX
	// Runtime). 0 (the default) chooses from the deployment: 1 in `serve`,
	// where concurrent requests each run their own pass and a pool of all
	// cores per pass makes them fight (issue 15: 1.48x req/s and a third of
	// the p99 at concurrency 8 with 1), and the backend's default (all
	// cores, for one big pass) in the library and the other commands.
	Threads int `yaml:"threads"`
	// InterOpThreads bounds parallel operators of one pass; 0 chooses as
	// Threads does (1 in `serve`, else the backend's default).
	InterOpThreads int `yaml:"inter_op_threads"`
	// Preload loads every configured model at start-up instead of on first use.
	Preload bool `yaml:"preload"`
	// Batching gathers concurrent requests to one model into shared forward passes.
	Batching Batching `yaml:"batching"`
	// OnUnavailable says what a scanner with a built-in implementation
	// (ban_topics, factual_consistency, relevance, bias, emotion_detection,
	// no_refusal) does at start-up when the model its `model` parameter
	// names cannot be obtained:
	// "builtin" (the default: it runs its built-in implementation and
	// start-up logs a warning naming both) or "error" (start-up fails, for
	// deployments that must not run without the model). The hybrid ML
	// scanners have their own per-scanner ml.on_unavailable.
	OnUnavailable string `yaml:"on_unavailable"`
}

// Policies for Models.OnUnavailable.
const (
	ModelsOnUnavailableBuiltin = "builtin"
	ModelsOnUnavailableError   = "error"
)

// Batching configures dynamic micro-batching of model calls.
type Batching struct {
	// Enabled turns micro-batching on (default true).
	Enabled bool `yaml:"enabled"`
	// MaxBatchSize bounds the rows of one forward pass (default 32).
	MaxBatchSize int `yaml:"max_batch_size"`
	// MaxWait is the longest a request waits for companions (default 2ms).
	MaxWait time.Duration `yaml:"max_wait"`
	// Models switches micro-batching on (true) or off (false) for single
	// models, by registry id or name, whatever Enabled says: batching pays
	// for a model whose forward pass costs much more than the wait, and
	// not for a cheap one (`llmshield bench --model ID` measures both).
	Models map[string]bool `yaml:"models"`
}

// Scanner is one entry of input_scanners or output_scanners.
type Scanner struct {
	// Type is the scanner's name, snake_case ("prompt_injection"); LLM Guard's
	// CamelCase names ("PromptInjection") are accepted too.
	Type string `yaml:"type"`
	// Name distinguishes two entries of the same type in reports. Default: Type.
	Name string `yaml:"name"`
	// Disabled skips the entry.
	Disabled bool `yaml:"disabled"`
	// Timeout overrides the pipeline's scanner_timeout for this scanner.
	Timeout time.Duration `yaml:"timeout"`
	// Params are the scanner's own parameters, decoded strictly by the scanner.
	Params yaml.Node `yaml:"params"`
}

// Cache is a cache preset name or explicit settings.
type Cache struct {
	cache.Settings
	// Preset is the preset name the settings came from, if any.
	Preset string
}

// UnmarshalYAML accepts a preset name ("production") or a mapping.
func (c *Cache) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		s, err := cache.Preset(n.Value)
		if err != nil {
			return err
		}
		*c = Cache{Settings: s, Preset: n.Value}
		return nil
	}
	var s cache.Settings
	if err := strictDecode(n, &s); err != nil {
		return err
	}
	*c = Cache{Settings: s}
	return nil
}

// Default returns the embedded default configuration.
func Default() (*Config, error) {
	c, err := Parse(defaultYAML)
	if err != nil {
		return nil, fmt.Errorf("embedded default config: %w", err)
	}
	return c, nil
}

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a configuration. ${VAR} and ${VAR:default}
// are replaced by environment variables before decoding. Unknown keys are
// errors.
func Parse(b []byte) (*Config, error) {
	b, err := interpolate(b, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	var probe yaml.Node
	if err := yaml.Unmarshal(b, &probe); err == nil && isLLMGuard(&probe) {
		return parseLLMGuard(b)
	}
	c := &Config{Format: FormatLLMShield}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("config is empty")
		}
		return nil, fmt.Errorf("decode config: %w", annotateKeys(b, err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("config holds more than one YAML document")
	}
	c.applyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Config) applyDefaults() {
	if c.ScannerTimeout == 0 {
		c.ScannerTimeout = 10 * time.Second
	}
	c.Server.applyDefaults()
}

// negative returns an error naming key when v is negative, else nil
// (which errors.Join drops).
func negative[T int | time.Duration](key string, v T) error {
	if v < 0 {
		return fmt.Errorf("%s: must not be negative, got %v", key, v)
	}
	return nil
}

// Validate checks the configuration; every error names its key.
func (c *Config) Validate() error {
	var errs []error
	errs = append(errs, negative("scanner_timeout", c.ScannerTimeout))
	if err := c.Cache.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("cache.%w", err))
	}
	switch c.Models.OnUnavailable {
	case "", ModelsOnUnavailableBuiltin, ModelsOnUnavailableError:
	default:
		errs = append(errs, fmt.Errorf("models.on_unavailable: unknown policy %q (want builtin or error)", c.Models.OnUnavailable))
	}
	switch c.Models.Backend {
	case "", "auto", "ort", "purego":
	default:
		errs = append(errs, fmt.Errorf("models.backend: unknown backend %q (want auto, ort or purego)", c.Models.Backend))
	}
	if c.Models.Batching.MaxBatchSize < 0 || c.Models.Batching.MaxBatchSize > 1024 {
		errs = append(errs, fmt.Errorf("models.batching.max_batch_size: must be in [0,1024], got %d", c.Models.Batching.MaxBatchSize))
	}
	if c.Models.Batching.MaxWait < 0 || c.Models.Batching.MaxWait > time.Second {
		errs = append(errs, fmt.Errorf("models.batching.max_wait: must be in [0,1s], got %s", c.Models.Batching.MaxWait))
	}
	for k := range c.Models.Batching.Models {
		if strings.TrimSpace(k) == "" {
			errs = append(errs, errors.New("models.batching.models: an empty model id or name"))
		}
	}
	errs = append(errs,
		negative("models.inter_op_threads", c.Models.InterOpThreads),
		negative("models.threads", c.Models.Threads))
	for _, list := range []struct {
		key     string
		entries []Scanner
	}{{"input_scanners", c.InputScanners}, {"output_scanners", c.OutputScanners}} {
		seen := map[string]int{}
		for i, s := range list.entries {
			key := fmt.Sprintf("%s[%d]", list.key, i)
			if strings.TrimSpace(s.Type) == "" {
				errs = append(errs, fmt.Errorf("%s.type: missing", key))
				continue
			}
			if s.Timeout < 0 {
				errs = append(errs, fmt.Errorf("%s.timeout: must not be negative", key))
			}
			name := s.DisplayName()
			if j, dup := seen[name]; dup && !s.Disabled {
				errs = append(errs, fmt.Errorf("%s.name: %q is already used by %s[%d]; give one of them a distinct name", key, name, list.key, j))
			}
			if !s.Disabled {
				seen[name] = i
			}
		}
	}
	if c.enabled(c.InputScanners) == 0 && c.enabled(c.OutputScanners) == 0 {
		errs = append(errs, ErrNoScanners)
	}
	if err := c.Server.validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// ErrNoScanners reports a configuration that enables no scanner at all:
// every text would pass unscanned, so it is refused rather than run.
var ErrNoScanners = errors.New("input_scanners, output_scanners: no scanner is enabled, so every text would pass unscanned; list at least one (`llmshield scanners` shows them)")

func (c *Config) enabled(list []Scanner) int {
	n := 0
	for _, s := range list {
		if !s.Disabled {
			n++
		}
	}
	return n
}

// DisplayName is the name the entry is reported under.
func (s Scanner) DisplayName() string {
	if s.Name != "" {
		return s.Name
	}
	return NormalizeType(s.Type)
}

// HasParams reports whether the entry gives any params.
func (s Scanner) HasParams() bool { return s.Params.Kind != 0 }

// DecodeParams decodes the entry's params strictly into v (a pointer to the
// scanner's config, pre-filled with its defaults). Unknown keys are errors.
func (s Scanner) DecodeParams(v any) error {
	if !s.HasParams() {
		return nil
	}
	if s.Params.Kind == yaml.ScalarNode && s.Params.Tag == "!!null" {
		return nil
	}
	return strictDecode(&s.Params, v)
}

var (
	camel = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	// an acronym followed by a word: "URLReachability" → "URL_Reachability"
	// (but "MaliciousURLs" keeps "URLs" whole).
	acronym = regexp.MustCompile(`([A-Z])([A-Z][a-z]{2,})`)
)

// NormalizeType maps LLM Guard's CamelCase scanner names to ours:
// "PromptInjection" → "prompt_injection", "BanSubstrings" → "ban_substrings",
// "URLReachability" → "url_reachability", "MaliciousURLs" → "malicious_urls".
func NormalizeType(t string) string {
	t = strings.TrimSpace(t)
	if strings.ContainsRune(t, '_') || strings.ToLower(t) == t {
		return strings.ToLower(t)
	}
	t = acronym.ReplaceAllString(t, "${1}_${2}")
	return strings.ToLower(camel.ReplaceAllString(t, "${1}_${2}"))
}

// strictDecode decodes a node with unknown keys as errors. yaml.v3 only
// offers KnownFields on a Decoder, so the node is re-encoded first.
func strictDecode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}`)

// interpolate replaces ${VAR} and ${VAR:default}. A ${VAR} without default
// whose variable is unset is an error naming the variable.
func interpolate(b []byte, lookup func(string) (string, bool)) ([]byte, error) {
	var missing []string
	out := envRef.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := envRef.FindSubmatch(m)
		if v, ok := lookup(string(sub[1])); ok {
			return []byte(v)
		}
		if bytes.Contains(m, []byte(":")) {
			return sub[2]
		}
		missing = append(missing, string(sub[1]))
		return m
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("environment variable %s is not set (write ${%s:default} to give a default)", missing[0], missing[0])
	}
	return out, nil
}
