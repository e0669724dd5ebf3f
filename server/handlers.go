package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/api"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/health"
	"github.com/llmshield/llmshield/scanner"
)

// routeAll registers every endpoint.
func (s *Server) routeAll() {
	s.mux = http.NewServeMux()
	s.allowed = map[string][]string{}
	add := func(method, path string, public, limited bool, h http.HandlerFunc) {
		var hh http.Handler = h
		if limited {
			hh = s.limit(hh)
		}
		if !public {
			hh = s.authenticate(hh)
		}
		route := method + " " + path
		s.mux.Handle(route, s.instrument(route, hh))
		path = strings.TrimSuffix(path, "{$}") // "/{$}" is the exact path "/"
		s.routes = append(s.routes, Route{Method: method, Path: path, Public: public})
		s.allowed[path] = append(s.allowed[path], method)
	}
	// LLM Guard compatible.
	add("POST", "/analyze/prompt", false, true, s.compat(false, true))
	add("POST", "/analyze/output", false, true, s.compat(true, true))
	add("POST", "/scan/prompt", false, true, s.compat(false, false))
	add("POST", "/scan/output", false, true, s.compat(true, false))
	// Ours.
	add("POST", "/v1/scan", false, true, s.handleScan)
	add("POST", "/v1/scan/batch", false, true, s.handleBatch)
	add("GET", "/v1/scanners", false, false, s.handleScanners)
	add("GET", "/{$}", true, false, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"name": s.cfg.AppName}) // LLM Guard's GET /
	})
	add("GET", "/healthz", true, false, s.handleHealthz)
	add("GET", "/readyz", true, false, s.handleReadyz)
	add("GET", "/metrics", s.cfg.MetricsPublic, false, s.handleMetrics())
	doc := api.OpenAPI()
	add("GET", "/openapi.json", false, false, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(doc)
	})
	s.mux.Handle("/", s.instrument("unmatched", http.HandlerFunc(s.handleUnmatched)))
}

func (s *Server) handleUnmatched(w http.ResponseWriter, r *http.Request) {
	if methods, ok := s.allowed[r.URL.Path]; ok {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeError(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed on %s (allowed: %s)", r.Method, r.URL.Path, strings.Join(methods, ", ")))
		return
	}
	writeError(w, r, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path))
}

// admit starts serving a request whose body decoded with err: it returns
// the current generation, which the caller releases, or nil once it has
// answered err (or errClosed, when the server is shutting down) through
// scanError with timeout.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, timeout time.Duration, err error) *generation {
	if err == nil {
		if g := s.acquire(); g != nil {
			return g
		}
		err = errClosed
	}
	s.scanError(r.Context(), w, r, timeout, err)
	return nil
}

// scanError answers a failed scan: input the pipeline refused (400/413),
// a scan that ran out of time (408), a client that went away, or a server
// that is shutting down.
func (s *Server) scanError(ctx context.Context, w http.ResponseWriter, r *http.Request, timeout time.Duration, err error) {
	var re *requestError
	switch {
	case errors.As(err, &re):
		if re.status == http.StatusRequestEntityTooLarge {
			s.metrics.rejected.WithLabelValues("too_large").Inc()
		} else {
			s.metrics.rejected.WithLabelValues("bad_request").Inc()
		}
		writeError(w, r, re.status, re.msg)
	case r.Context().Err() != nil:
		// The client went away: nobody reads the answer.
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		s.metrics.rejected.WithLabelValues("timeout").Inc()
		writeError(w, r, http.StatusRequestTimeout, fmt.Sprintf("scan did not finish within %s", timeout))
	case errors.Is(err, llmshield.ErrInputTooLarge):
		s.metrics.rejected.WithLabelValues("too_large").Inc()
		writeError(w, r, http.StatusRequestEntityTooLarge, err.Error())
	case errors.Is(err, llmshield.ErrInvalidUTF8):
		s.metrics.rejected.WithLabelValues("bad_request").Inc()
		writeError(w, r, http.StatusBadRequest, err.Error())
	case errors.Is(err, errClosed):
		w.Header().Set("Retry-After", "1")
		writeError(w, r, http.StatusServiceUnavailable, "server is shutting down")
	default:
		s.log.Error("scan failed", "request_id", requestIDOf(w), "error", err)
		writeError(w, r, http.StatusInternalServerError, "scan failed")
	}
}

var errClosed = errors.New("server is closed")

func requestIDOf(w http.ResponseWriter) string {
	if e := exchangeOf(w); e != nil {
		return e.id
	}
	return ""
}

// scanOne runs one scan on the current Shield.
func (s *Server) scanOne(ctx context.Context, g *generation, prompt string, output *string, opts []llmshield.ScanOption) (rep llmshield.Report, err error) {
	start := time.Now()
	defer func() { s.traceScanners(ctx, start, rep) }()
	if output != nil {
		return g.sh.ScanOutput(ctx, prompt, *output, opts...)
	}
	return g.sh.ScanPrompt(ctx, prompt, opts...)
}

// timedOut reports whether the scan ran out of the request's time.
func timedOut(ctx context.Context) bool { return errors.Is(ctx.Err(), context.DeadlineExceeded) }

// payload records prompt and output for the access log (only used when
// server.log_payloads is on).
func (s *Server) payload(w http.ResponseWriter, prompt string, output *string) {
	if !s.cfg.LogPayloads {
		return
	}
	if e := exchangeOf(w); e != nil {
		e.payload = append(e.payload, "prompt", prompt)
		if output != nil {
			e.payload = append(e.payload, "output", *output)
		}
	}
}

// ---- LLM Guard compatible endpoints ----

type compatRequest struct {
	Prompt           *string  `json:"prompt"`
	Output           *string  `json:"output"`
	ScannersSuppress []string `json:"scanners_suppress"`
	// VaultID names the conversation (vault.go); /analyze/* only.
	VaultID *string `json:"vault_id"`
}

type analyzePromptResponse struct {
	IsValid         bool     `json:"is_valid"`
	Scanners        riskList `json:"scanners"`
	SanitizedPrompt string   `json:"sanitized_prompt"`
	VaultID         string   `json:"vault_id,omitempty"`
}

type analyzeOutputResponse struct {
	IsValid         bool     `json:"is_valid"`
	Scanners        riskList `json:"scanners"`
	SanitizedOutput string   `json:"sanitized_output"`
	VaultID         string   `json:"vault_id,omitempty"`
}

type scanResponseCompat struct {
	IsValid  bool     `json:"is_valid"`
	Scanners riskList `json:"scanners"`
}

// riskList is LLM Guard's {"ScannerName": risk} object, written in
// pipeline order (encoding/json would sort a map).
type riskList []riskEntry

type riskEntry struct {
	name string
	risk float64
}

func (l riskList) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(e.name))
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(e.risk, 'f', -1, 64))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

var lowerSnake = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)

// compatName turns our snake_case scanner type into LLM Guard's CamelCase
// name ("prompt_injection" -> "PromptInjection", "malicious_urls" ->
// "MaliciousURLs"). A custom entry name that is not snake_case is kept.
func compatName(name string) string {
	if !lowerSnake.MatchString(name) {
		return name
	}
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		switch part {
		case "url", "json":
			b.WriteString(strings.ToUpper(part))
		case "urls":
			b.WriteString("URLs")
		default:
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// compatRisks maps a report to LLM Guard's scanners object. Our risk is in
// [0,1]; it is reported rounded to one decimal (LLM Guard's scale is
// [-1,1], negative meaning below the threshold; we never report negative
// values). A scanner that failed reports 1.0. Scanners skipped by fail-fast
// are left out, as LLM Guard stops at the first invalid scanner.
func compatRisks(g *generation, rep llmshield.Report) riskList {
	out := make(riskList, 0, len(rep.Scanners))
	for _, sr := range rep.Scanners {
		if sr.Skipped {
			continue
		}
		score := 1.0 // a failed scanner counts as flagging
		if sr.Err == nil {
			score = compatScore(sr.Result)
		}
		name, ok := g.compatNames[sr.Name]
		if !ok {
			name = compatName(sr.Name)
		}
		out = append(out, riskEntry{name: name, risk: score})
	}
	return out
}

// compatScore puts a scanner's verdict on LLM Guard's [-1, 1] risk scale
// (its calculate_risk_score): with risk s and the scanner's threshold t,
// (s−t)/(1−t) when s > t, else (s−t)/t, rounded to one decimal. A scanner
// that reports no threshold is taken at 0.5. The sign always follows the
// verdict, so that clients which treat a score ≤ 0 as passed and > 0 as
// flagged agree with is_valid: a valid scanner never reports more than 0,
// a flagging one never 0 or less.
func compatScore(r scanner.Result) float64 {
	t := r.Threshold
	if !(t > 0 && t < 1) {
		t = 0.5
	}
	s := scanner.ClampRisk(r.Risk)
	var score float64
	if s > t {
		score = (s - t) / (1 - t)
	} else {
		score = (s - t) / t
	}
	score = math.Round(max(-1, min(1, score))*10) / 10
	switch {
	case r.Valid && score > 0:
		score = 0
	case !r.Valid && score <= 0:
		score = 0.1
	}
	return score
}

// The scan options every compatible request passes, made once.
var (
	sequentially      = llmshield.Sequentially()
	withoutSanitizing = llmshield.WithoutSanitizing()
)

// compatSuppress accepts LLM Guard's CamelCase names and ours.
func compatSuppress(names []string) llmshield.ScanOption {
	all := make([]string, 0, 2*len(names))
	for _, n := range names {
		all = append(all, n, config.NormalizeType(n))
	}
	return llmshield.Suppress(all...)
}

func (s *Server) compat(output, sanitize bool) http.HandlerFunc {
	timeout := s.cfg.PromptTimeout
	if output {
		timeout = s.cfg.OutputTimeout
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var req compatRequest
		// LLM Guard (pydantic) ignores fields it does not know.
		err := s.readJSON(w, r, timeout, &req, true)
		if err == nil {
			err = checkCompat(req, output)
		}
		if !output {
			req.Output = nil // ignored on the prompt endpoints, as LLM Guard does
		}
		if err == nil {
			err = s.checkSuppress(req.ScannersSuppress, "")
		}
		if err == nil && !sanitize && req.VaultID != nil {
			err = badRequest(`unknown field "vault_id" (conversations use the /analyze endpoints)`)
		}
		g := s.admit(w, r, timeout, err)
		if g == nil {
			return
		}
		defer g.release()
		var cv convo
		if sanitize {
			if cv, err = s.openVault(r.Context(), g, req.VaultID, output, ""); err != nil {
				s.scanError(r.Context(), w, r, timeout, err)
				return
			}
		}
		s.payload(w, *req.Prompt, req.Output)
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		opts := make([]llmshield.ScanOption, 0, 3)
		if len(req.ScannersSuppress) > 0 {
			opts = append(opts, compatSuppress(req.ScannersSuppress))
		}
		if cv.v != nil {
			opts = append(opts, llmshield.WithVault(cv.v))
		}
		if sanitize {
			// LLM Guard's /analyze: one scanner after another, in order.
			opts = append(opts, sequentially)
		} else {
			opts = append(opts, withoutSanitizing)
		}
		var rep llmshield.Report
		if text := *req.Prompt; (output && strings.TrimSpace(*req.Output) == "") || (!output && strings.TrimSpace(text) == "") {
			// LLM Guard answers empty or blank text as valid, with no
			// scanner scores, without scanning it.
			rep = llmshield.Report{Valid: true, Sanitized: text}
			if output {
				rep.Sanitized = *req.Output
			}
		} else {
			rep, err = s.scanOne(ctx, g, *req.Prompt, req.Output, opts)
			if err != nil || timedOut(ctx) || r.Context().Err() != nil {
				s.scanError(ctx, w, r, timeout, err)
				return
			}
		}
		vaultID, err := s.keepVault(ctx, cv, output)
		if err != nil {
			s.scanError(ctx, w, r, timeout, err)
			return
		}
		setVerdict(w, rep.Valid)
		risks := compatRisks(g, rep)
		switch {
		case !sanitize:
			writeJSON(w, http.StatusOK, scanResponseCompat{IsValid: rep.Valid, Scanners: risks})
		case output:
			writeJSON(w, http.StatusOK, analyzeOutputResponse{IsValid: rep.Valid, Scanners: risks, SanitizedOutput: rep.Sanitized, VaultID: vaultID})
		default:
			writeJSON(w, http.StatusOK, analyzePromptResponse{IsValid: rep.Valid, Scanners: risks, SanitizedPrompt: rep.Sanitized, VaultID: vaultID})
		}
	}
}

func checkCompat(req compatRequest, output bool) error {
	if req.Prompt == nil {
		return badRequest(`missing required field "prompt"`)
	}
	if output && req.Output == nil {
		return badRequest(`missing required field "output"`)
	}
	return nil
}

// ---- /v1 ----

// ScanRequest is the body of POST /v1/scan and one item of a batch. With
// Output the response is scanned by the output scanners (Prompt being its
// context), else Prompt by the input scanners.
type ScanRequest struct {
	Prompt           *string  `json:"prompt"`
	Output           *string  `json:"output,omitempty"`
	ScannersSuppress []string `json:"scanners_suppress,omitempty"`
	UserID           string   `json:"user_id,omitempty"`
	// VaultID names the conversation (vault.go).
	VaultID *string `json:"vault_id,omitempty"`
}

// ScanResponse is one scan's full report. It is the one JSON encoding of a
// report: `llmshield scan --format json` writes it too (with Error set on a
// JSONL line that could not be scanned).
type ScanResponse struct {
	Valid      bool             `json:"valid"`
	Risk       float64          `json:"risk"`
	Sanitized  string           `json:"sanitized"`
	Scanners   []ScannerOutcome `json:"scanners"`
	DurationMS float64          `json:"duration_ms"`
	// VaultID names the conversation whose vault the scan used.
	VaultID string `json:"vault_id,omitempty"`
	// Error says why an input could not be scanned (CLI JSONL lines only).
	Error string `json:"error,omitempty"`
}

// ScannerOutcome is one scanner's part of a ScanResponse.
type ScannerOutcome struct {
	Name       string            `json:"name"`
	Valid      bool              `json:"valid"`
	Risk       float64           `json:"risk"`
	Method     string            `json:"method"`
	Findings   []scanner.Finding `json:"findings"`
	DurationMS float64           `json:"duration_ms"`
	Cached     bool              `json:"cached,omitempty"`
	Skipped    bool              `json:"skipped,omitempty"`
	Degraded   bool              `json:"degraded,omitempty"`
	Partial    bool              `json:"partial,omitempty"`
	Error      string            `json:"error,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// NewScanResponse converts a report.
func NewScanResponse(rep llmshield.Report) ScanResponse {
	out := ScanResponse{Valid: rep.Valid, Risk: rep.Risk, Sanitized: rep.Sanitized, DurationMS: ms(rep.Duration), Scanners: make([]ScannerOutcome, 0, len(rep.Scanners))}
	for _, sr := range rep.Scanners {
		o := ScannerOutcome{Name: sr.Name, Valid: sr.Result.Valid, Risk: sr.Result.Risk, Method: sr.Result.Method.String(), Findings: sr.Result.Findings,
			DurationMS: ms(sr.Result.Duration), Cached: sr.Result.Cached, Skipped: sr.Skipped,
			Degraded: sr.Result.Degraded, Partial: sr.Result.Partial}
		if o.Findings == nil {
			o.Findings = []scanner.Finding{}
		}
		if sr.Err != nil {
			o.Error, o.Method = sr.Err.Error(), ""
		}
		out.Scanners = append(out.Scanners, o)
	}
	return out
}

// checkSuppress refuses scanners_suppress when server.allow_suppress is off.
func (s *Server) checkSuppress(names []string, at string) error {
	if len(names) == 0 || s.cfg.SuppressAllowed() {
		return nil
	}
	return &requestError{status: http.StatusForbidden, msg: fmt.Sprintf(`field "%sscanners_suppress": this server does not let requests skip scanners (server.allow_suppress is false)`, at)}
}

// checkRequest validates a /v1 request: the server's policy, then the Shield.
func (s *Server) checkRequest(req ScanRequest, g *generation, at string) error {
	if err := s.checkSuppress(req.ScannersSuppress, at); err != nil {
		return err
	}
	return checkScan(req, g, at)
}

// checkScan validates a request against the Shield; at names the item in
// error messages ("" for a single scan, "items[3]." in a batch).
func checkScan(req ScanRequest, g *generation, at string) error {
	if req.Prompt == nil {
		return badRequest(`missing required field "%sprompt"`, at)
	}
	in, out := g.sh.Scanners()
	known := in
	if req.Output != nil {
		known = out
	}
	for i, n := range req.ScannersSuppress {
		if !slices.Contains(known, n) {
			return badRequest(`field "%sscanners_suppress[%d]": no %s scanner named %q (configured: %s)`, at, i, stageOf(req), n, strings.Join(known, ", "))
		}
	}
	if len(req.UserID) > 256 {
		return badRequest(`field "%suser_id": longer than 256 bytes`, at)
	}
	return nil
}

func stageOf(req ScanRequest) string {
	if req.Output != nil {
		return "output"
	}
	return "input"
}

func (req ScanRequest) options() []llmshield.ScanOption {
	var opts []llmshield.ScanOption
	if len(req.ScannersSuppress) > 0 {
		opts = append(opts, llmshield.Suppress(req.ScannersSuppress...))
	}
	if req.UserID != "" {
		opts = append(opts, llmshield.ForUser(req.UserID))
	}
	return opts
}

func (s *Server) timeoutFor(output bool) time.Duration {
	if output {
		return s.cfg.OutputTimeout
	}
	return s.cfg.PromptTimeout
}

func (s *Server) handleScan(w http.ResponseWriter, r *http.Request) {
	var req ScanRequest
	err := s.readJSON(w, r, max(s.cfg.PromptTimeout, s.cfg.OutputTimeout), &req, false)
	timeout := s.timeoutFor(req.Output != nil)
	g := s.admit(w, r, timeout, err)
	if g == nil {
		return
	}
	defer g.release()
	if err := s.checkRequest(req, g, ""); err != nil {
		s.scanError(r.Context(), w, r, timeout, err)
		return
	}
	cv, err := s.openVault(r.Context(), g, req.VaultID, req.Output != nil, "")
	if err != nil {
		s.scanError(r.Context(), w, r, timeout, err)
		return
	}
	s.payload(w, *req.Prompt, req.Output)
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	rep, err := s.scanOne(ctx, g, *req.Prompt, req.Output, append(req.options(), cv.option()...))
	if err != nil || timedOut(ctx) || r.Context().Err() != nil {
		s.scanError(ctx, w, r, timeout, err)
		return
	}
	vaultID, err := s.keepVault(ctx, cv, req.Output != nil)
	if err != nil {
		s.scanError(ctx, w, r, timeout, err)
		return
	}
	setVerdict(w, rep.Valid)
	resp := NewScanResponse(rep)
	resp.VaultID = vaultID
	writeJSON(w, http.StatusOK, resp)
}

// BatchRequest is the body of POST /v1/scan/batch.
type BatchRequest struct {
	Items []ScanRequest `json:"items"`
}

// BatchResponse holds one result per item, in request order.
type BatchResponse struct {
	Results []ScanResponse `json:"results"`
	Valid   bool           `json:"valid"`
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	var req BatchRequest
	err := s.readJSON(w, r, max(s.cfg.PromptTimeout, s.cfg.OutputTimeout), &req, false)
	timeout := max(s.cfg.PromptTimeout, s.cfg.OutputTimeout)
	if err == nil {
		switch {
		case req.Items == nil:
			err = badRequest(`missing required field "items"`)
		case len(req.Items) == 0:
			err = badRequest(`field "items": empty; give at least one item`)
		case len(req.Items) > s.cfg.MaxBatchItems:
			err = &requestError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf(`field "items": %d items, more than the limit of %d`, len(req.Items), s.cfg.MaxBatchItems)}
		}
	}
	g := s.admit(w, r, timeout, err)
	if g == nil {
		return
	}
	defer g.release()
	for i, it := range req.Items {
		if it.VaultID != nil {
			s.scanError(r.Context(), w, r, timeout, badRequest(`field "items[%d].vault_id": conversations are not supported in batches (use /v1/scan)`, i))
			return
		}
		if err := s.checkRequest(it, g, fmt.Sprintf("items[%d].", i)); err != nil {
			s.scanError(r.Context(), w, r, timeout, err)
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	results := make([]ScanResponse, len(req.Items))
	eg := errgroup.Group{}
	eg.SetLimit(s.cfg.BatchConcurrency)
	for i, it := range req.Items {
		eg.Go(func() error {
			rep, err := s.scanOne(ctx, g, *it.Prompt, it.Output, it.options())
			if err != nil { // the input itself was refused
				var re error = badRequest("items[%d]: %v", i, err)
				if errors.Is(err, llmshield.ErrInputTooLarge) {
					re = &requestError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("items[%d]: %v", i, err)}
				}
				return re
			}
			results[i] = NewScanResponse(rep)
			return nil
		})
	}
	err = eg.Wait()
	if err != nil || timedOut(ctx) || r.Context().Err() != nil {
		s.scanError(ctx, w, r, timeout, err)
		return
	}
	valid := true
	for _, res := range results {
		valid = valid && res.Valid
	}
	setVerdict(w, valid)
	writeJSON(w, http.StatusOK, BatchResponse{Results: results, Valid: valid})
}

// ScannersResponse is the body of GET /v1/scanners.
type ScannersResponse struct {
	Input  []string `json:"input"`
	Output []string `json:"output"`
}

func (s *Server) handleScanners(w http.ResponseWriter, r *http.Request) {
	g := s.admit(w, r, 0, nil)
	if g == nil {
		return
	}
	defer g.release()
	in, out := g.sh.Scanners()
	if in == nil {
		in = []string{}
	}
	if out == nil {
		out = []string{}
	}
	writeJSON(w, http.StatusOK, ScannersResponse{Input: in, Output: out})
}

// ---- health, metrics, docs ----

type statusResponse struct {
	Status   string   `json:"status"`
	Reasons  []string `json:"reasons,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

func (s *Server) handleHealthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, statusResponse{Status: "alive"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	g := s.acquire()
	if g == nil {
		writeJSON(w, http.StatusServiceUnavailable, statusResponse{Status: "not ready", Reasons: []string{"server is shutting down"}})
		return
	}
	defer g.release()
	ctx, cancel := context.WithTimeout(r.Context(), max(s.cfg.PromptTimeout, s.cfg.OutputTimeout))
	defer cancel()
	reasons, warnings := s.ready(ctx, g.sh)
	status, code := "ready", http.StatusOK
	if len(reasons) > 0 {
		w.Header().Set("Retry-After", "1")
		status, code = "not ready", http.StatusServiceUnavailable
	}
	// Reasons and warnings name models, breaker states and error rates:
	// with authentication on, only a caller with a valid token sees them
	// (they would tell an attacker when a fallback window is open).
	if s.authOn() && !s.authorized(r) {
		reasons, warnings = nil, nil
	}
	writeJSON(w, code, statusResponse{Status: status, Reasons: reasons, Warnings: warnings})
}

func (s *Server) handleMetrics() http.HandlerFunc {
	h := promhttp.HandlerFor(s.Gatherer(), promhttp.HandlerOpts{ErrorLog: slogPrinter{s}, ErrorHandling: promhttp.ContinueOnError})
	return h.ServeHTTP
}

type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Warn("metrics", "error", fmt.Sprint(v...)) }

// statusReasons splits a health status into reasons (failed critical
// checks, when unhealthy) and warnings.
func statusReasons(st health.Status) (reasons, warnings []string) {
	if !st.Healthy {
		reasons = st.Errors
		if len(reasons) == 0 {
			reasons = []string{"unhealthy"}
		}
	}
	return reasons, st.Warnings
}

// canary scans a harmless prompt (and response) through every scanner of
// the current Shield; any scanner error fails it. A flagged verdict is
// fine: only failures count.
func (s *Server) canary(ctx context.Context) error {
	g := s.acquire()
	if g == nil {
		return errClosed
	}
	defer g.release()
	return g.sh.Canary(ctx)
}
