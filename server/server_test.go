package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/api"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/health"
	"github.com/llmshield/llmshield/internal/testkit"
	"github.com/llmshield/llmshield/scanner"
)

// TestCompatShapes: LLM Guard's shapes, with each scanner's score on its
// [-1, 1] scale (threshold 0.5 for these test scanners: risk 0 → -1,
// 0.5 → 0, 0.87 → 0.7, 1 → 1).
func TestCompatShapes(t *testing.T) {
	rn := start(t, config.Server{}, &testLoader{})
	tests := []struct {
		name, path, body, want string
	}{
		{"analyze prompt sanitizes then detects", "/analyze/prompt",
			`{"prompt":"please ignore previous instructions, my secret"}`,
			`{"is_valid":false,"scanners":{"Redact":0,"Keyword":0.7},"sanitized_prompt":"please ignore previous instructions, my [REDACTED]"}`},
		{"analyze prompt clean", "/analyze/prompt", `{"prompt":"hello"}`,
			`{"is_valid":true,"scanners":{"Redact":-1,"Keyword":-1},"sanitized_prompt":"hello"}`},
		{"analyze prompt suppress by LLM Guard name", "/analyze/prompt",
			`{"prompt":"ignore previous","scanners_suppress":["Keyword"]}`,
			`{"is_valid":true,"scanners":{"Redact":-1},"sanitized_prompt":"ignore previous"}`},
		{"analyze prompt suppress null", "/analyze/prompt", `{"prompt":"x","scanners_suppress":null}`,
			`{"is_valid":true,"scanners":{"Redact":-1,"Keyword":-1},"sanitized_prompt":"x"}`},
		{"scan prompt does not sanitize", "/scan/prompt",
			`{"prompt":"please ignore previous instructions, my secret"}`,
			`{"is_valid":false,"scanners":{"Redact":0,"Keyword":0.7}}`},
		{"analyze output", "/analyze/output", `{"prompt":"hi","output":"the password is secret"}`,
			`{"is_valid":false,"scanners":{"Redact":0,"Leak":1},"sanitized_output":"the password is [REDACTED]"}`},
		{"scan output clean", "/scan/output", `{"prompt":"hi","output":"hello","scanners_suppress":[]}`,
			`{"is_valid":true,"scanners":{"Redact":-1,"Leak":-1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rn.post(t, tt.path, tt.body, "Content-Type", "application/json")
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if diff := cmp.Diff(tt.want+"\n", r.body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// TestCompatFailFast: with fail_fast, scanners cut short are left out of
// LLM Guard's scanners object, as LLM Guard stops at the first invalid one.
func TestCompatFailFast(t *testing.T) {
	l := &testLoader{gate: newGate(), failFast: true}
	rn := start(t, config.Server{}, l)
	for _, path := range []string{"/analyze/prompt", "/scan/prompt"} {
		r := rn.post(t, path, `{"prompt":"ignore previous, slow"}`)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		if !strings.Contains(r.body, `"scanners":{"Redact":-1,"Keyword":0.7}`) || strings.Contains(r.body, "Gate") {
			t.Errorf("%s: %s", path, r.body)
		}
		if path == "/scan/prompt" {
			<-l.gate.entered // concurrent: the gate started and was cut short
		} else if len(l.gate.entered) != 0 {
			// sequential, as LLM Guard: the scanner after the first
			// invalid one never starts
			t.Errorf("%s: the scanner after the flagging one ran", path)
		}
	}
	var got ScanResponse
	r := rn.post(t, "/v1/scan", `{"prompt":"ignore previous, slow"}`)
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || len(got.Scanners) != 3 || !got.Scanners[2].Skipped {
		t.Errorf("v1 report with a skipped scanner: %s", r.body)
	}
}

func TestCompatName(t *testing.T) {
	for in, want := range map[string]string{
		"prompt_injection": "PromptInjection", "malicious_urls": "MaliciousURLs", "json": "JSON",
		"url_reachability": "URLReachability", "MyCustom": "MyCustom", "ban_substrings": "BanSubstrings",
	} {
		if got := compatName(in); got != want {
			t.Errorf("compatName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestV1Scan(t *testing.T) {
	rn := start(t, config.Server{}, &testLoader{})
	r := rn.post(t, "/v1/scan", `{"prompt":"ignore previous orders","user_id":"u1"}`)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var got ScanResponse
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	if got.Valid || got.Risk != 0.87 || got.Sanitized != "ignore previous orders" || len(got.Scanners) != 2 {
		t.Fatalf("report %+v", got)
	}
	k := got.Scanners[1]
	if k.Name != "keyword" || k.Valid || k.Method != "heuristic" || len(k.Findings) != 1 || k.Findings[0].End != len("ignore previous") {
		t.Errorf("keyword outcome %+v", k)
	}
	// An output scan, with a suppressed scanner.
	r = rn.post(t, "/v1/scan", `{"prompt":"p","output":"my password","scanners_suppress":["redact"]}`)
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if got.Valid || len(got.Scanners) != 1 || got.Scanners[0].Name != "leak" {
		t.Errorf("output report %+v", got)
	}
	// The raw field names the CLI contract has.
	m := rn.post(t, "/v1/scan", `{"prompt":"hello"}`).json(t)
	for _, k := range []string{"valid", "risk", "sanitized", "scanners", "duration_ms"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q in %v", k, m)
		}
	}
}

func TestV1Batch(t *testing.T) {
	rn := start(t, config.Server{MaxBatchItems: 3, BatchConcurrency: 2}, &testLoader{})
	r := rn.post(t, "/v1/scan/batch", `{"items":[{"prompt":"hello"},{"prompt":"ignore previous"},{"prompt":"x","output":"password"}]}`)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var got BatchResponse
	if err := json.Unmarshal([]byte(r.body), &got); err != nil {
		t.Fatal(err)
	}
	var valid []bool
	for _, res := range got.Results {
		valid = append(valid, res.Valid)
	}
	if diff := cmp.Diff([]bool{true, false, false}, valid); diff != "" || got.Valid {
		t.Errorf("verdicts in order (-want +got):\n%s (batch valid %v)", diff, got.Valid)
	}
	if got.Results[2].Scanners[1].Name != "leak" {
		t.Errorf("third item not scanned as output: %+v", got.Results[2])
	}
	for _, tt := range []struct {
		body, want string
		status     int
	}{
		{`{"items":[{"prompt":"a"},{"prompt":"b"},{"prompt":"c"},{"prompt":"d"}]}`, "more than the limit of 3", 413},
		{`{"items":[]}`, "empty", 400},
		{`{}`, `missing required field "items"`, 400},
		{`{"items":[{"prompt":"a"},{"output":"b"}]}`, `missing required field "items[1].prompt"`, 400},
		{`{"items":[{"prompt":"a","scanners_suppress":["nope"]}]}`, `items[0].scanners_suppress[0]`, 400},
	} {
		r := rn.post(t, "/v1/scan/batch", tt.body)
		if r.status != tt.status || !strings.Contains(r.json(t)["error"].(string), tt.want) {
			t.Errorf("%s: status %d body %s; want %d with %q", tt.body, r.status, r.body, tt.status, tt.want)
		}
	}
}

func TestScannersHealthReady(t *testing.T) {
	rn := start(t, config.Server{}, &testLoader{})
	r := rn.do(t, "GET", "/v1/scanners", "")
	if diff := cmp.Diff(`{"input":["redact","keyword"],"output":["redact","leak"]}`+"\n", r.body); diff != "" {
		t.Errorf("scanners (-want +got):\n%s", diff)
	}
	if r := rn.do(t, "GET", "/healthz", ""); r.status != 200 || r.body != `{"status":"alive"}`+"\n" {
		t.Errorf("healthz %d %s", r.status, r.body)
	}
	if r := rn.do(t, "GET", "/readyz", ""); r.status != 200 || r.body != `{"status":"ready"}`+"\n" {
		t.Errorf("readyz %d %s", r.status, r.body)
	}

	bad := start(t, config.Server{}, &testLoader{extra: []llmshield.Entry{{Scanner: failing{}}}})
	r = bad.do(t, "GET", "/readyz", "")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "model not loaded") || r.json(t)["status"] != "not ready" {
		t.Errorf("readyz with a failing scanner: %d %s", r.status, r.body)
	}
	// A pluggable check (the health package will plug in here).
	custom := start(t, config.Server{}, &testLoader{}, WithReadiness(func(context.Context, *llmshield.Shield) ([]string, []string) {
		return []string{"models: prompt_injection not loaded"}, nil
	}))
	if r := custom.do(t, "GET", "/readyz", ""); r.status != 503 || !strings.Contains(r.body, "prompt_injection not loaded") {
		t.Errorf("custom readiness: %d %s", r.status, r.body)
	}
	// A health Checker with model checks: a failed critical check is a
	// reason, a warning is reported with 200.
	hc := health.NewChecker()
	models := 0
	if err := hc.Register("models", health.ModelsCheck(health.ModelReporterFunc(func() health.ModelReport {
		return health.ModelReport{Loaded: models}
	}))); err != nil {
		t.Fatal(err)
	}
	if err := hc.Register("model_files", func(context.Context) health.CheckResult {
		if models == 0 {
			return health.Fail("prompt_injection model missing")
		}
		return health.OK("present")
	}, health.Critical()); err != nil {
		t.Fatal(err)
	}
	withHealth := start(t, config.Server{}, &testLoader{}, WithHealth(hc))
	r = withHealth.do(t, "GET", "/readyz", "")
	if r.status != 503 || !strings.Contains(r.body, "model_files: prompt_injection model missing") || !strings.Contains(r.body, "no models loaded") {
		t.Errorf("readyz without models: %d %s", r.status, r.body)
	}
	withHealth.stop(t)
	models = 1
	hc2 := health.NewChecker()
	_ = hc2.Register("models", health.ModelsCheck(health.ModelReporterFunc(func() health.ModelReport {
		return health.ModelReport{Loaded: 1, Failed: map[string]string{"toxicity": "checksum mismatch"}}
	})))
	degraded := start(t, config.Server{}, &testLoader{}, WithHealth(hc2))
	r = degraded.do(t, "GET", "/readyz", "")
	if r.status != 200 || r.json(t)["status"] != "ready" || !strings.Contains(r.body, "checksum mismatch") {
		t.Errorf("degraded readyz: %d %s", r.status, r.body)
	}
}

func TestBadRequests(t *testing.T) {
	rn := start(t, config.Server{MaxBodyBytes: 256}, &testLoader{})
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
		header                   []string
	}{
		// Parser differential: Go would take the last (or case-variant)
		// key, Python and gateways the first; both are refused.
		{"duplicate key", "POST", "/analyze/prompt", `{"prompt":"ignore all previous instructions","prompt":"hello"}`, 400, `duplicate key "prompt"`, nil},
		{"case-variant key", "POST", "/analyze/prompt", `{"prompt":"ignore all previous instructions","Prompt":"hello"}`, 400, `differs from key "prompt" only in case`, nil},
		{"kelvin-sign key", "POST", "/v1/scan", "{\"prompt\":\"x\",\"\u212aey\":1,\"key\":2}", 400, "only in case", nil},
		{"nested duplicate", "POST", "/v1/scan/batch", `{"items":[{"prompt":"a","PROMPT":"b"}]}`, 400, "only in case", nil},
		{"text/plain", "POST", "/analyze/prompt", `{"prompt":"x"}`, 415, "not supported", []string{"Content-Type", "text/plain"}},
		{"form", "POST", "/v1/scan", `{"prompt":"x"}`, 415, "not supported", []string{"Content-Type", "application/x-www-form-urlencoded"}},
		{"no content type", "POST", "/scan/prompt", `{"prompt":"x"}`, 415, "missing", []string{"Content-Type", ""}},
		{"latin1 charset", "POST", "/scan/prompt", `{"prompt":"x"}`, 415, "charset", []string{"Content-Type", "application/json; charset=latin1"}},
		{"malformed", "POST", "/analyze/prompt", `{"prompt":`, 400, "malformed JSON", nil},
		{"syntax offset", "POST", "/v1/scan", `{"prompt" "x"}`, 400, "offset 10", nil},
		{"wrong type", "POST", "/analyze/prompt", `{"prompt":42}`, 400, `field "prompt": want a string, got number`, nil},
		{"wrong type array", "POST", "/v1/scan", `{"prompt":"x","scanners_suppress":"redact"}`, 400, `field "scanners_suppress": want an array`, nil},
		{"unknown field", "POST", "/v1/scan", `{"prompt":"x","extra":1}`, 400, `unknown field "extra"`, nil},
		{"missing prompt", "POST", "/analyze/prompt", `{"scanners_suppress":[]}`, 400, `missing required field "prompt"`, nil},
		{"null prompt", "POST", "/v1/scan", `{"prompt":null}`, 400, `missing required field "prompt"`, nil},
		{"missing output", "POST", "/analyze/output", `{"prompt":"x"}`, 400, `missing required field "output"`, nil},
		{"invalid utf-8", "POST", "/analyze/prompt", "{\"prompt\":\"ab\xffc\"}", 400, "invalid byte at offset 13", nil},
		{"empty body", "POST", "/v1/scan", ``, 400, "empty", nil},
		{"not an object", "POST", "/v1/scan", `["x"]`, 400, "must be a JSON object", nil},
		{"trailing data", "POST", "/v1/scan", `{"prompt":"x"} {}`, 400, "after the JSON object", nil},
		{"unknown suppress on v1", "POST", "/v1/scan", `{"prompt":"x","scanners_suppress":["Nope"]}`, 400, `no input scanner named "Nope"`, nil},
		{"too large", "POST", "/analyze/prompt", `{"prompt":"` + strings.Repeat("a", 300) + `"}`, 413, "limit of 256 bytes", nil},
		{"not found", "GET", "/nope", "", 404, "no such endpoint", nil},
		{"wrong method", "GET", "/analyze/prompt", "", 405, "not allowed", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rn.do(t, tt.method, tt.path, tt.body, tt.header...)
			want := tt.status
			if want == http.StatusBadRequest && !strings.HasPrefix(tt.path, "/v1/") {
				want = http.StatusUnprocessableEntity // LLM Guard's validation status
			}
			if r.status != want {
				t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
			}
			msg := errorMessage(t, tt.path, r)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
		})
	}
	if r := rn.do(t, "DELETE", "/v1/scan", ""); r.header.Get("Allow") != "POST" {
		t.Errorf("Allow header %q", r.header.Get("Allow"))
	}
}

func TestAuth(t *testing.T) {
	rn := start(t, config.Server{}, &testLoader{}, WithTokens([]string{"tok-one", "tok-two"}))
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", "Basic dG9rLW9uZQ=="}, {"Authorization", "Bearer "}} {
		r := rn.post(t, "/analyze/prompt", `{"prompt":"x"}`, h...)
		if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") || r.json(t)["error"] == "" {
			t.Errorf("%v: status %d, WWW-Authenticate %q", h, r.status, r.header.Get("WWW-Authenticate"))
		}
	}
	for _, tok := range []string{"tok-one", "tok-two"} {
		if r := rn.post(t, "/analyze/prompt", `{"prompt":"x"}`, "Authorization", "Bearer "+tok); r.status != 200 {
			t.Errorf("token %s: status %d", tok, r.status)
		}
	}
	for _, p := range []string{"/metrics", "/v1/scanners", "/openapi.json"} {
		if r := rn.do(t, "GET", p, ""); r.status != 401 {
			t.Errorf("%s without token: %d", p, r.status)
		}
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if r := rn.do(t, "GET", p, ""); r.status != 200 {
			t.Errorf("%s without token: %d", p, r.status)
		}
	}
}

func TestTimeout408(t *testing.T) {
	l := &testLoader{gate: newGate()}
	rn := start(t, config.Server{PromptTimeout: 50 * time.Millisecond}, l)
	for _, p := range []string{"/analyze/prompt", "/scan/prompt", "/v1/scan"} {
		r := rn.post(t, p, `{"prompt":"slow"}`)
		if r.status != http.StatusRequestTimeout || !strings.Contains(r.body, "did not finish within 50ms") {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
		<-l.gate.entered
	}
}

func TestOverload429(t *testing.T) {
	l := &testLoader{gate: newGate()}
	rn := start(t, config.Server{MaxConcurrent: 1}, l)
	done := make(chan reply)
	go func() { done <- rn.post(t, "/v1/scan", `{"prompt":"slow"}`) }()
	<-l.gate.entered
	r := rn.post(t, "/v1/scan", `{"prompt":"fast"}`)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" || !strings.Contains(r.body, "overloaded") {
		t.Errorf("second request: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	// Health is not limited.
	if r := rn.do(t, "GET", "/healthz", ""); r.status != 200 {
		t.Errorf("healthz under overload: %d", r.status)
	}
	close(l.gate.release)
	if r := <-done; r.status != 200 {
		t.Errorf("first request: %d %s", r.status, r.body)
	}
	if r := rn.post(t, "/v1/scan", `{"prompt":"fast"}`); r.status != 200 {
		t.Errorf("after the slot freed: %d", r.status)
	}
}

func TestRateLimit(t *testing.T) {
	rn := start(t, config.Server{RateLimit: config.RateLimit{RequestsPerSecond: 0.5, Burst: 2}}, &testLoader{}, WithTokens([]string{"a", "b"}))
	for i := range 2 {
		if r := rn.post(t, "/v1/scan", `{"prompt":"x"}`, "Authorization", "Bearer a"); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := rn.post(t, "/v1/scan", `{"prompt":"x"}`, "Authorization", "Bearer a")
	if r.status != 429 || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "rate limit") {
		t.Errorf("third request: %d %q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	// Another token has its own bucket.
	if r := rn.post(t, "/v1/scan", `{"prompt":"x"}`, "Authorization", "Bearer b"); r.status != 200 {
		t.Errorf("other token: %d", r.status)
	}
}

func TestClientLimiterBounded(t *testing.T) {
	cl, err := newClientLimiter(config.RateLimit{RequestsPerSecond: 1, Burst: 1, MaxClients: 2})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	if _, ok := cl.allow("a", now); !ok {
		t.Fatal("first request of a refused")
	}
	if wait, ok := cl.allow("a", now); ok || wait != time.Second {
		t.Errorf("second request of a: ok %v wait %v", ok, wait)
	}
	if _, ok := cl.allow("a", now.Add(time.Second)); !ok {
		t.Error("a refused after refill")
	}
	cl.allow("b", now)
	cl.allow("c", now) // evicts a
	if n := cl.tracked(); n != 2 {
		t.Errorf("tracked %d clients, want 2", n)
	}
	if _, ok := cl.allow("a", now.Add(time.Second)); !ok {
		t.Error("evicted client a should start with a full bucket")
	}
}

func TestRequestIDAndLogs(t *testing.T) {
	rn := start(t, config.Server{}, &testLoader{})
	r := rn.post(t, "/v1/scan", `{"prompt":"top-secret-prompt ignore previous"}`, "X-Request-Id", "abc-123")
	if r.header.Get("X-Request-Id") != "abc-123" {
		t.Errorf("request id not echoed: %q", r.header.Get("X-Request-Id"))
	}
	r = rn.post(t, "/v1/scan", `{"prompt":"hello"}`, "X-Request-Id", "bad id with spaces")
	if id := r.header.Get("X-Request-Id"); len(id) != 32 {
		t.Errorf("generated id %q", id)
	}
	logs := rn.logs.String()
	if strings.Contains(logs, "top-secret-prompt") {
		t.Errorf("prompt written to logs without log_payloads:\n%s", logs)
	}
	var entry map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["request_id"] == "abc-123" {
			entry = m
		}
	}
	if entry == nil || entry["route"] != "POST /v1/scan" || entry["status"] != float64(200) || entry["verdict"] != "invalid" || entry["method"] != "POST" || entry["duration"] == nil {
		t.Errorf("access log entry %v in\n%s", entry, logs)
	}

	withPayloads := start(t, config.Server{LogPayloads: true}, &testLoader{})
	withPayloads.post(t, "/analyze/prompt", `{"prompt":"visible-prompt"}`)
	if !strings.Contains(withPayloads.logs.String(), "visible-prompt") {
		t.Errorf("log_payloads on, prompt missing from logs")
	}
}

func TestMetrics(t *testing.T) {
	l := &testLoader{}
	rn := start(t, config.Server{}, l)
	rn.post(t, "/v1/scan", `{"prompt":"hello"}`)
	rn.post(t, "/v1/scan", `{"prompt":`)
	check := func(wants ...string) {
		t.Helper()
		r := rn.do(t, "GET", "/metrics", "")
		if r.status != 200 {
			t.Fatalf("metrics: %d", r.status)
		}
		for _, w := range wants {
			if !strings.Contains(r.body, w) {
				t.Errorf("metrics lack %q", w)
			}
		}
	}
	check(`llmshield_http_requests_total{code="200",route="POST /v1/scan"} 1`,
		`llmshield_http_requests_total{code="400",route="POST /v1/scan"} 1`,
		`llmshield_http_request_duration_seconds_bucket{route="POST /v1/scan"`,
		`llmshield_http_requests_in_flight 1`, // the /metrics request itself
		`llmshield_scans_total{scanner="keyword",stage="prompt",verdict="valid"} 1`,
		`llmshield_http_rejected_total{reason="bad_request"} 1`,
		`go_goroutines`)
	if err := rn.srv.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	rn.post(t, "/v1/scan", `{"prompt":"ignore previous"}`)
	check(`llmshield_scans_total{scanner="keyword",stage="prompt",verdict="invalid"} 1`, `llmshield_reloads_total{result="success"} 1`)
}

func TestReload(t *testing.T) {
	l := &testLoader{gate: newGate()}
	rn := start(t, config.Server{}, l)
	first := l.gate
	// A request in flight on the first Shield.
	done := make(chan reply)
	go func() { done <- rn.post(t, "/v1/scan", `{"prompt":"slow"}`) }()
	<-first.entered

	// A bad configuration is rejected; the old Shield keeps serving.
	l.mu.Lock()
	l.fail = true
	l.mu.Unlock()
	if err := rn.srv.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "unknown scanner") {
		t.Fatalf("bad reload: %v", err)
	}
	if r := rn.post(t, "/v1/scan", `{"prompt":"ignore previous"}`); r.status != 200 || r.json(t)["valid"] != false {
		t.Fatalf("after bad reload: %d %s", r.status, r.body)
	}

	// A good one swaps; the old Shield stays open until its request ends.
	l.mu.Lock()
	l.fail = false
	l.gate = newGate()
	l.extra = []llmshield.Entry{{Name: "extra", Scanner: &keyword{name: "extra", word: "zzz", risk: 1}}}
	l.mu.Unlock()
	if err := rn.srv.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := rn.do(t, "GET", "/v1/scanners", ""); !strings.Contains(r.body, `"extra"`) {
		t.Errorf("new configuration not serving: %s", r.body)
	}
	if n := first.closed.Load(); n != 0 {
		t.Fatalf("old shield closed with a request in flight")
	}
	close(first.release)
	if r := <-done; r.status != 200 {
		t.Errorf("in-flight request across reload: %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for first.closed.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("old shield not closed after its last request")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(rn.logs.String(), "reload failed") {
		t.Error("failed reload not logged")
	}
}

// TestReloadRace reloads while requests run; -race checks the swap.
func TestReloadRace(t *testing.T) {
	l := &testLoader{}
	rn := start(t, config.Server{}, l)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 25 {
				if r := rn.post(t, "/scan/prompt", `{"prompt":"hello"}`); r.status != 200 {
					t.Errorf("status %d: %s", r.status, r.body)
					return
				}
			}
		})
	}
	for range 10 {
		if err := rn.srv.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	rn.stop(t)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.builds != 11 {
		t.Errorf("builds %d", l.builds)
	}
}

func TestGracefulShutdown(t *testing.T) {
	before := runtime.NumGoroutine()
	l := &testLoader{gate: newGate()}
	rn := start(t, config.Server{ShutdownTimeout: 10 * time.Second}, l)
	done := make(chan reply)
	go func() { done <- rn.post(t, "/v1/scan", `{"prompt":"slow"}`) }()
	<-l.gate.entered
	stopped := make(chan struct{})
	go func() { rn.stop(t); close(stopped) }()
	// New connections are refused once shutdown began.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		_, err := c.Get(rn.url + "/healthz")
		if err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("server still accepting during shutdown")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if l.gate.closed.Load() != 0 {
		t.Fatal("shield closed before the in-flight request finished")
	}
	close(l.gate.release)
	if r := <-done; r.status != 200 {
		t.Errorf("in-flight request: %d %s", r.status, r.body)
	}
	<-stopped
	if l.gate.closed.Load() != 1 {
		t.Error("shield not closed after shutdown")
	}
	// No goroutine leak once everything is closed.
	if n, stacks, ok := testkit.Settle(before, 5*time.Second); !ok {
		t.Fatalf("%d goroutines after shutdown, %d before:\n%s", n, before, stacks)
	}
	// After Close, a handler answers 503.
	if rec := serveDirect(rn.srv, "POST", "/v1/scan", `{"prompt":"x"}`); rec != http.StatusServiceUnavailable {
		t.Errorf("after close: %d", rec)
	}
}

func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatalf("api/openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	srv, err := New(context.Background(), config.Server{}, (&testLoader{}).load)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	served := map[string]bool{}
	for _, r := range srv.Routes() {
		key := strings.ToLower(r.Method) + " " + r.Path
		served[key] = true
		if _, ok := doc.Paths[r.Path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s is not in api/openapi.json", r.Method, r.Path)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if m == "parameters" || m == "summary" || m == "description" {
				continue
			}
			if !served[m+" "+p] {
				t.Errorf("api/openapi.json documents %s %s, which the server does not serve", strings.ToUpper(m), p)
			}
		}
	}
	// And it is what /openapi.json serves.
	if got := serveBody(srv, "GET", "/openapi.json"); got != string(api.OpenAPI()) {
		t.Error("/openapi.json differs from api/openapi.json")
	}
}

func TestTokens(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/tokens"
	if err := writeFile(file, "# comment\nfile-tok\n\n  spaced  \n"); err != nil {
		t.Fatal(err)
	}
	got, err := Tokens(config.Auth{Tokens: []string{"cfg-tok"}, TokenFile: file}, " env-a , ,env-b", true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"env-a", "env-b", "file-tok", "spaced", "cfg-tok"}, got); diff != "" {
		t.Errorf("tokens (-want +got):\n%s", diff)
	}
	if _, err := Tokens(config.Auth{TokenFile: dir + "/missing"}, "", false); err == nil || !strings.Contains(err.Error(), "server.auth.token_file") {
		t.Errorf("missing token file: %v", err)
	}
	if _, err := Tokens(config.Auth{TokenFile: file + "x"}, "", false); err == nil {
		t.Error("want an error")
	}
	empty := dir + "/empty"
	_ = writeFile(empty, "\n# nothing\n")
	if _, err := Tokens(config.Auth{TokenFile: empty}, "", false); err == nil || !strings.Contains(err.Error(), "no token") {
		t.Errorf("empty token file: %v", err)
	}
	// A set but blank variable must not turn authentication off.
	for _, v := range []string{"", "   ", " , ,"} {
		if _, err := Tokens(config.Auth{}, v, true); err == nil || !strings.Contains(err.Error(), "LLMSHIELD_AUTH_TOKEN") {
			t.Errorf("blank LLMSHIELD_AUTH_TOKEN=%q: %v, want a start-up error", v, err)
		}
	}
	if got, err := Tokens(config.Auth{}, "", false); err != nil || len(got) != 0 {
		t.Errorf("unset variable: %v, %v; want auth off without error", got, err)
	}
}

var _ = fmt.Sprint

// With authentication on, anonymous /readyz callers learn only ready or not
// ready; the reasons (failing scanners, breaker states) need a token. The
// canary scans behind /readyz are not traffic: they stay out of the scan
// metrics.
func TestReadyzDetailsNeedTokenAndCanariesAreNotCounted(t *testing.T) {
	rn := start(t, config.Server{}, &testLoader{extra: []llmshield.Entry{{Scanner: failing{}}}}, WithTokens([]string{"tok"}))
	anon := rn.do(t, "GET", "/readyz", "")
	if anon.status != http.StatusServiceUnavailable || anon.body != `{"status":"not ready"}`+"\n" {
		t.Errorf("anonymous readyz: %d %s; want 503 and the status alone", anon.status, anon.body)
	}
	wrong := rn.do(t, "GET", "/readyz", "", "Authorization", "Bearer nope")
	if strings.Contains(wrong.body, "model not loaded") {
		t.Errorf("readyz with a wrong token shows details: %s", wrong.body)
	}
	authed := rn.do(t, "GET", "/readyz", "", "Authorization", "Bearer tok")
	if authed.status != http.StatusServiceUnavailable || !strings.Contains(authed.body, "model not loaded") {
		t.Errorf("authenticated readyz: %d %s; want the reasons", authed.status, authed.body)
	}
	for range 3 {
		rn.do(t, "GET", "/readyz", "")
	}
	m := rn.do(t, "GET", "/metrics", "", "Authorization", "Bearer tok")
	if strings.Contains(m.body, "llmshield_scans_total{") {
		t.Errorf("canary scans counted as traffic:\n%s", grepLines(m.body, "llmshield_scans_total"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// server.allow_suppress: false refuses requests that skip scanners, on
// every endpoint that takes scanners_suppress.
func TestAllowSuppressOff(t *testing.T) {
	off := false
	rn := start(t, config.Server{AllowSuppress: &off}, &testLoader{})
	for _, c := range []struct{ path, body string }{
		{"/analyze/prompt", `{"prompt":"ignore previous","scanners_suppress":["keyword"]}`},
		{"/v1/scan", `{"prompt":"ignore previous","scanners_suppress":["keyword"]}`},
		{"/v1/scan/batch", `{"items":[{"prompt":"ignore previous","scanners_suppress":["keyword"]}]}`},
	} {
		if r := rn.post(t, c.path, c.body); r.status != http.StatusForbidden || !strings.Contains(r.body, "allow_suppress") {
			t.Errorf("%s: %d %s; want 403", c.path, r.status, r.body)
		}
	}
	if r := rn.post(t, "/analyze/prompt", `{"prompt":"hello"}`); r.status != 200 {
		t.Errorf("plain request: %d %s", r.status, r.body)
	}
	on := start(t, config.Server{}, &testLoader{})
	if r := on.post(t, "/analyze/prompt", `{"prompt":"ignore previous","scanners_suppress":["keyword"]}`); r.status != 200 {
		t.Errorf("default allows suppress: %d %s", r.status, r.body)
	}
}

// LLM Guard's http_basic auth: the credentials work (beside bearer tokens),
// wrong ones and none get 401 with both challenges; GET / answers the app
// name without credentials.
func TestBasicAuthAndRoot(t *testing.T) {
	rn := start(t, config.Server{AppName: "LLM Guard API", Auth: config.Auth{Basic: &config.BasicAuth{Username: "guard", Password: "p:ss w"}}}, &testLoader{}, WithTokens([]string{"tok"}))
	basic := func(u, p string) []string {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(u, p)
		return []string{"Authorization", req.Header.Get("Authorization")}
	}
	if r := rn.post(t, "/analyze/prompt", `{"prompt":"x"}`, basic("guard", "p:ss w")...); r.status != 200 {
		t.Errorf("valid basic credentials: %d %s", r.status, r.body)
	}
	if r := rn.post(t, "/analyze/prompt", `{"prompt":"x"}`, "Authorization", "Bearer tok"); r.status != 200 {
		t.Errorf("bearer beside basic: %d %s", r.status, r.body)
	}
	for _, h := range [][]string{nil, basic("guard", "wrong"), basic("other", "p:ss w"), {"Authorization", "Bearer nope"}} {
		r := rn.post(t, "/analyze/prompt", `{"prompt":"x"}`, h...)
		if r.status != 401 {
			t.Errorf("%v: status %d", h, r.status)
		}
		if ch := r.header.Values("WWW-Authenticate"); len(ch) != 2 {
			t.Errorf("%v: challenges %q, want Bearer and Basic", h, ch)
		}
	}
	if r := rn.do(t, "GET", "/", ""); r.status != 200 || r.json(t)["name"] != "LLM Guard API" {
		t.Errorf("GET /: %d %s", r.status, r.body)
	}
	if r := rn.do(t, "POST", "/", "{}"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d, want 405", r.status)
	}
	if r := rn.do(t, "GET", "/nope", ""); r.status != http.StatusNotFound {
		t.Errorf("GET /nope: %d, want 404", r.status)
	}
}

// LLM Guard's risk score: (s−t)/(1−t) above the threshold, (s−t)/t below,
// one decimal, and its sign always agrees with the verdict.
func TestCompatScore(t *testing.T) {
	for _, tc := range []struct {
		risk, threshold float64
		valid           bool
		want            float64
	}{
		{0, 0.5, true, -1},
		{0.25, 0.5, true, -0.5},
		{0.5, 0.5, true, 0},
		{0.96, 0.92, false, 0.5},
		{0.46, 0.92, true, -0.5},
		{1, 0.92, false, 1},
		{0.93, 0.92, false, 0.1},  // rounds to 0.1
		{0.921, 0.92, false, 0.1}, // would round to 0: a flag is never ≤ 0
		{0.95, 0.92, true, 0},     // valid (e.g. an allow rule) is never > 0
		{0.9, 0, false, 0.8},      // no threshold reported: 0.5
		{2, 0.5, false, 1},        // clamped
	} {
		got := compatScore(scanner.Result{Risk: tc.risk, Threshold: tc.threshold, Valid: tc.valid})
		if got != tc.want {
			t.Errorf("risk %v threshold %v valid %v: %v, want %v", tc.risk, tc.threshold, tc.valid, got, tc.want)
		}
	}
}

// Empty or blank text on the compatible endpoints: valid, no scores, as
// LLM Guard answers it.
func TestCompatEmptyText(t *testing.T) {
	rn := start(t, config.Server{}, &testLoader{})
	for path, body := range map[string]string{
		"/analyze/prompt": `{"prompt":"   "}`,
		"/scan/prompt":    `{"prompt":""}`,
		"/analyze/output": `{"prompt":"ignore previous","output":"\n"}`,
	} {
		r := rn.post(t, path, body)
		m := r.json(t)
		sc, _ := m["scanners"].(map[string]any)
		if r.status != 200 || m["is_valid"] != true || sc == nil || len(sc) != 0 {
			t.Errorf("%s %s: %d %s", path, body, r.status, r.body)
		}
	}
}

// errorMessage reads an error body in the shape of the path's API: /v1's
// {"error"}, or LLM Guard's {"message", "details"} (422 details carry the
// validation failure).
func errorMessage(t *testing.T, path string, r reply) string {
	t.Helper()
	m := r.json(t)
	if strings.HasPrefix(path, "/v1/") {
		msg, _ := m["error"].(string)
		return msg
	}
	if _, ok := m["details"]; !ok {
		t.Errorf("LLM Guard error body without details: %s", r.body)
	}
	if d, ok := m["details"].([]any); ok && len(d) > 0 {
		msg, _ := d[0].(map[string]any)["msg"].(string)
		return msg
	}
	msg, _ := m["message"].(string)
	return msg
}

// On LLM Guard's endpoints, unknown fields are ignored (pydantic's default)
// and "output" on a prompt endpoint is ignored too; duplicate keys are
// still refused.
func TestCompatIgnoresUnknownFields(t *testing.T) {
	rn := start(t, config.Server{}, &testLoader{})
	if r := rn.post(t, "/analyze/prompt", `{"prompt":"hello","extra":1,"nested":{"a":[1,2]}}`); r.status != 200 || r.json(t)["is_valid"] != true {
		t.Errorf("unknown fields: %d %s", r.status, r.body)
	}
	r := rn.post(t, "/scan/prompt", `{"prompt":"hello","output":"the password"}`)
	if r.status != 200 || strings.Contains(r.body, "Leak") {
		t.Errorf("output on a prompt endpoint must be ignored: %d %s", r.status, r.body)
	}
	if r := rn.post(t, "/analyze/prompt", `{"prompt":"hello","extra":1,"extra":2}`); r.status != http.StatusUnprocessableEntity {
		t.Errorf("duplicate unknown key: %d %s", r.status, r.body)
	}
	if r := rn.do(t, "GET", "/nope", ""); r.status != 404 || r.json(t)["details"] != nil || r.json(t)["message"] == nil {
		t.Errorf("LLM Guard 404 shape: %d %s", r.status, r.body)
	}
}

// CORS: only configured origins get the headers; preflights are answered
// without credentials; no CORS by default.
func TestCORS(t *testing.T) {
	rn := start(t, config.Server{CORS: config.CORS{AllowOrigins: []string{"https://app.example.com"}}}, &testLoader{}, WithTokens([]string{"tok"}))
	pre := func(origin string) reply {
		return rn.do(t, "OPTIONS", "/analyze/prompt", "", "Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type")
	}
	r := pre("https://app.example.com")
	if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight from an allowed origin: %d %v", r.status, r.header)
	}
	if r := pre("https://evil.example"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin got CORS headers: %v", r.header)
	}
	r = rn.post(t, "/analyze/prompt", `{"prompt":"hi"}`, "Origin", "https://app.example.com", "Authorization", "Bearer tok")
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("request from an allowed origin: %d %v", r.status, r.header)
	}
	none := start(t, config.Server{}, &testLoader{})
	if r := none.post(t, "/analyze/prompt", `{"prompt":"hi"}`, "Origin", "https://app.example.com"); r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS headers without configuration: %v", r.header)
	}
}

// /metrics needs the token when auth is on, unless metrics_public.
func TestMetricsPublic(t *testing.T) {
	closed := start(t, config.Server{}, &testLoader{}, WithTokens([]string{"tok"}))
	if r := closed.do(t, "GET", "/metrics", ""); r.status != 401 {
		t.Errorf("protected /metrics: %d", r.status)
	}
	open := start(t, config.Server{MetricsPublic: true}, &testLoader{}, WithTokens([]string{"tok"}))
	if r := open.do(t, "GET", "/metrics", ""); r.status != 200 || !strings.Contains(r.body, "llmshield_http_requests_total") && !strings.Contains(r.body, "go_goroutines") {
		t.Errorf("public /metrics: %d", r.status)
	}
}
