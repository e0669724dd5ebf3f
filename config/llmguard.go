package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// LLM Guard's API reads a scanners.yml whose top level holds app,
// rate_limit, auth, tracing and metrics sections beside input_scanners and
// output_scanners. Parse recognises that format by those sections and
// translates it into a Config, so an LLM Guard deployment's file loads as it
// is. The mapping (also in the README's "Migrating from LLM Guard"):
//
//	app.name                         server.app_name (GET / answers it)
//	app.log_level, app.log_json      server.log.level, server.log.format
//	app.scan_fail_fast               fail_fast
//	app.scan_prompt_timeout (s)      server.prompt_timeout
//	app.scan_output_timeout (s)      server.output_timeout
//	app.lazy_load                    models.preload = !lazy_load
//	rate_limit.enabled + limit       server.rate_limit ("100/minute" → requests per second, burst = the count)
//	auth.type http_bearer + token    server.auth.tokens
//	auth.type http_basic + user/pass server.auth.basic
//	tracing.exporter, .endpoint      server.tracing (console, otel_http)
//	metrics.exporter, .endpoint      server.metrics (prometheus, console, otel_http)
//	scanner params threshold         the model's decision threshold on ML scanners (ml.threshold)
//	scanner params model_*, use_onnx accepted and noted; model_path names a local model directory (ML scanners; ban_topics, factual_consistency, relevance, bias when it exists)
//
// Anything else in those sections is an error naming the key, as in our
// own format.

// llmGuardSections are the top-level keys only LLM Guard's format has.
var llmGuardSections = []string{"app", "rate_limit", "auth", "tracing", "metrics"}

// isLLMGuard reports whether the document's top level has one of LLM
// Guard's own sections.
func isLLMGuard(root *yaml.Node) bool {
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		for _, s := range llmGuardSections {
			if root.Content[i].Value == s {
				return true
			}
		}
	}
	return false
}

type lgFile struct {
	App            lgApp       `yaml:"app"`
	RateLimit      lgRateLimit `yaml:"rate_limit"`
	Auth           *lgAuth     `yaml:"auth"`
	Tracing        *lgExporter `yaml:"tracing"`
	Metrics        *lgExporter `yaml:"metrics"`
	InputScanners  []Scanner   `yaml:"input_scanners"`
	OutputScanners []Scanner   `yaml:"output_scanners"`
}

type lgApp struct {
	Name              string  `yaml:"name"`
	LogLevel          string  `yaml:"log_level"`
	LogJSON           bool    `yaml:"log_json"`
	ScanFailFast      bool    `yaml:"scan_fail_fast"`
	ScanPromptTimeout lgDelay `yaml:"scan_prompt_timeout"`
	ScanOutputTimeout lgDelay `yaml:"scan_output_timeout"`
	LazyLoad          *bool   `yaml:"lazy_load"`
}

type lgRateLimit struct {
	Enabled bool   `yaml:"enabled"`
	Limit   string `yaml:"limit"`
}

type lgAuth struct {
	Type     string `yaml:"type"`
	Token    string `yaml:"token"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

type lgExporter struct {
	Exporter string `yaml:"exporter"`
	Endpoint string `yaml:"endpoint"`
}

// lgDelay is a timeout written as LLM Guard writes it: integer (or
// decimal) seconds; a Go duration ("30s") is accepted too.
type lgDelay time.Duration

func (d *lgDelay) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	if s == "" {
		*d = 0
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) || f > 24*3600 {
			return fmt.Errorf("line %d: want seconds between 0 and 86400, got %s", n.Line, s)
		}
		*d = lgDelay(time.Duration(f * float64(time.Second)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: want a number of seconds, got %q", n.Line, s)
	}
	*d = lgDelay(v)
	return nil
}

// parseLLMGuard translates an (interpolated) LLM Guard scanners.yml.
func parseLLMGuard(b []byte) (*Config, error) {
	var f lgFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("decode LLM Guard config: %w", annotateKeys(b, err))
	}
	c := &Config{Format: FormatLLMGuard, FailFast: f.App.ScanFailFast}
	var errs []error
	c.Server.AppName = f.App.Name
	c.Server.PromptTimeout = time.Duration(f.App.ScanPromptTimeout)
	c.Server.OutputTimeout = time.Duration(f.App.ScanOutputTimeout)
	if f.App.LazyLoad != nil {
		c.Models.Preload = !*f.App.LazyLoad
	}
	switch lvl := strings.ToLower(strings.TrimSpace(f.App.LogLevel)); lvl {
	case "":
	case "debug", "info", "error":
		c.Server.Log.Level = lvl
	case "warning", "warn":
		c.Server.Log.Level = "warn"
	case "critical", "fatal":
		c.Server.Log.Level = "error"
	default:
		errs = append(errs, fmt.Errorf("app.log_level: unknown level %q (want DEBUG, INFO, WARNING, ERROR or CRITICAL)", f.App.LogLevel))
	}
	if f.App.LogJSON {
		c.Server.Log.Format = "json"
	}
	if f.RateLimit.Enabled {
		rps, burst, err := parseRateLimit(f.RateLimit.Limit)
		if err != nil {
			errs = append(errs, fmt.Errorf("rate_limit.limit: %w", err))
		}
		c.Server.RateLimit = RateLimit{RequestsPerSecond: rps, Burst: burst}
	}
	if a := f.Auth; a != nil {
		switch strings.ToLower(strings.TrimSpace(a.Type)) {
		case "http_bearer", "":
			if strings.TrimSpace(a.Token) == "" {
				errs = append(errs, errors.New("auth.token: empty: set it (e.g. ${AUTH_TOKEN}) or remove the auth section to run without authentication"))
			} else {
				c.Server.Auth.Tokens = []string{a.Token}
			}
		case "http_basic":
			if strings.TrimSpace(a.Username) == "" || a.Password == "" {
				errs = append(errs, errors.New("auth: http_basic needs a non-empty username and password"))
			}
			c.Server.Auth.Basic = &BasicAuth{Username: a.Username, Password: a.Password}
		default:
			errs = append(errs, fmt.Errorf("auth.type: unknown type %q (want http_bearer or http_basic)", a.Type))
		}
	}
	for _, ex := range []struct {
		key string
		e   *lgExporter
	}{{"tracing", f.Tracing}, {"metrics", f.Metrics}} {
		if ex.e == nil {
			continue
		}
		exp := strings.ToLower(ex.e.Exporter)
		switch exp {
		case "", "prometheus", "console", "otel_http":
			if ex.key == "tracing" && exp == "prometheus" {
				errs = append(errs, fmt.Errorf("tracing.exporter: %q is a metrics exporter", ex.e.Exporter))
				continue
			}
			to := &c.Server.Metrics
			if ex.key == "tracing" {
				to = &c.Server.Tracing
			}
			*to = Exporter{Exporter: exp, Endpoint: ex.e.Endpoint}
		default:
			errs = append(errs, fmt.Errorf("%s.exporter: unknown exporter %q (want prometheus, console or otel_http)", ex.key, ex.e.Exporter))
		}
	}
	for _, l := range []struct {
		key  string
		list []Scanner
		out  *[]Scanner
	}{{"input_scanners", f.InputScanners, &c.InputScanners}, {"output_scanners", f.OutputScanners, &c.OutputScanners}} {
		for i, s := range l.list {
			key := fmt.Sprintf("%s[%d]", l.key, i)
			notes, err := translateLLMGuardParams(key, &s)
			if err != nil {
				errs = append(errs, err)
			}
			c.Notes = append(c.Notes, notes...)
			*l.out = append(*l.out, s)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	c.applyDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// parseRateLimit reads LLM Guard's (slowapi's) "N/unit" or "N per unit".
func parseRateLimit(s string) (rps float64, burst int, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		s = "100/minute" // LLM Guard's default
	}
	count, unit, ok := strings.Cut(s, "/")
	if !ok {
		count, unit, ok = strings.Cut(s, " per ")
	}
	n, perr := strconv.Atoi(strings.TrimSpace(count))
	if !ok || perr != nil || n <= 0 {
		return 0, 0, fmt.Errorf("want \"N/second|minute|hour|day\", got %q", s)
	}
	var per time.Duration
	switch strings.TrimSuffix(strings.TrimSpace(unit), "s") {
	case "second":
		per = time.Second
	case "minute":
		per = time.Minute
	case "hour":
		per = time.Hour
	case "day":
		per = 24 * time.Hour
	default:
		return 0, 0, fmt.Errorf("unknown unit %q (want second, minute, hour or day)", unit)
	}
	return float64(n) / per.Seconds(), n, nil
}

// mlScanners take LLM Guard's threshold as the model's decision threshold.
var mlScanners = map[string]bool{"prompt_injection": true, "toxicity": true}

// userModelScanners run a user model given as a local directory in
// model_path (a Hugging Face id there is noted and ignored: their built-in
// implementation runs, rather than start-up failing on a model that is
// not in the registry).
var userModelScanners = map[string]bool{"ban_topics": true, "factual_consistency": true, "relevance": true, "bias": true,
	"emotion_detection": true, "no_refusal": true, "malicious_urls": true}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return p != "" && err == nil && fi.IsDir()
}

// translateLLMGuardParams rewrites one scanner entry's params from LLM
// Guard's names to ours, in place, and returns notes for what it accepted
// without using.
func translateLLMGuardParams(key string, s *Scanner) ([]string, error) {
	typ := NormalizeType(s.Type)
	if s.Params.Kind == 0 || (s.Params.Kind == yaml.ScalarNode && s.Params.Tag == "!!null") {
		s.Params = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	}
	if s.Params.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s.params: want a mapping", key)
	}
	var notes []string
	var kept []*yaml.Node
	var threshold *yaml.Node
	has := map[string]bool{}
	for i := 0; i+1 < len(s.Params.Content); i += 2 {
		k, v := s.Params.Content[i], s.Params.Content[i+1]
		switch {
		case k.Value == "use_onnx" || k.Value == "model_batch_size" || k.Value == "model_max_length" || k.Value == "model_onnx_file_name":
			notes = append(notes, fmt.Sprintf("%s.params.%s: accepted and ignored (models run through ONNX Runtime or pure Go, batched by models.batching)", key, k.Value))
			continue
		case k.Value == "recognizer_conf" && (typ == "anonymize" || typ == "sensitive"):
			notes = append(notes, fmt.Sprintf("%s.params.recognizer_conf: accepted and ignored (llmshield's recognizers are built in; choose them with entity_types and add patterns with regex_patterns)", key))
			continue
		case k.Value == "model_path":
			if mlScanners[typ] || (userModelScanners[typ] && isDir(v.Value)) {
				k = &yaml.Node{Kind: yaml.ScalarNode, Value: "model"}
			} else {
				notes = append(notes, fmt.Sprintf("%s.params.model_path: accepted and ignored (%s runs its built-in implementation)", key, typ))
				continue
			}
		case k.Value == "threshold" && mlScanners[typ]:
			threshold = v
			continue
		}
		has[k.Value] = true
		kept = append(kept, k, v)
	}
	if threshold != nil {
		ml := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "threshold"}, threshold}}
		kept = append(kept, &yaml.Node{Kind: yaml.ScalarNode, Value: "ml"}, ml)
	}
	// LLM Guard's Regex redacts by default; ours does not.
	if typ == "regex" && !has["redact"] {
		kept = append(kept, &yaml.Node{Kind: yaml.ScalarNode, Value: "redact"}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	s.Params.Content = kept
	return notes, nil
}
