// Package scanner is the leaf contract every llmshield scanner shares: the
// Scanner interface, its Input and Result, the findings it reports, how a
// verdict was reached (DetectionMethod), the errors the pipeline records, and
// the optional capabilities the pipeline asks a scanner for (Stager,
// Rewriter, Fingerprinter, BatchScanner, Closer, Preloader,
// HealthReporter), so that the pipeline never needs a concrete scanner
// type. It imports no other llmshield package.
//
// Each scanner lives in its own package below this one and exports a type
// named Scanner that implements the interface defined here.
package scanner

import (
	"context"
	"time"
)

// Stage says where in a conversation a scanner can run.
type Stage uint8

// Stages. A scanner may support both.
const (
	// StagePrompt scanners inspect the user's prompt before it reaches the LLM.
	StagePrompt Stage = 1 << iota
	// StageOutput scanners inspect the LLM's response (with its prompt for context).
	StageOutput
	// StageBoth is StagePrompt|StageOutput.
	StageBoth = StagePrompt | StageOutput
)

// Input is what a scanner inspects.
//
// For a prompt scan, Stage is StagePrompt (or zero) and the scanner inspects
// Prompt. For an output scan, Stage is StageOutput: the scanner inspects
// Output and may use Prompt as context (e.g. deanonymisation, relevance).
type Input struct {
	Prompt string
	Output string
	// Stage is where in the conversation the scan happens: StagePrompt (the
	// zero value means the same) or StageOutput.
	Stage Stage
	// UserID identifies the end user for sticky rollout and A/B groups. Optional.
	UserID string
	// Vault holds the conversation's anonymised values: anonymize stores
	// into it, deanonymize restores from it. Nil: no conversation (anonymize
	// uses a vault of its own for the one call; deanonymize restores nothing).
	Vault *Vault
}

// Text returns the text under scan: Output for output scans, else Prompt.
func (in Input) Text() string {
	if in.IsOutput() {
		return in.Output
	}
	return in.Prompt
}

// IsOutput reports whether the input is a response (an output scan).
func (in Input) IsOutput() bool { return in.Stage == StageOutput }

// Scanner inspects text. Implementations are safe for concurrent use and
// return promptly once ctx is done.
type Scanner interface {
	// Name is the scanner's snake_case identifier, e.g. "prompt_injection".
	Name() string
	// Scan inspects in and returns a verdict. An error means the scanner could
	// not reach a verdict; a flagged text is a Result with Valid false, not an error.
	Scan(ctx context.Context, in Input) (Result, error)
}

// Stager is implemented by scanners that only make sense at one stage.
// Scanners that do not implement it are usable at both.
type Stager interface {
	Stages() Stage
}

// BatchScanner is implemented by scanners that can scan several inputs more
// cheaply together than one at a time (typically ML scanners).
type BatchScanner interface {
	Scanner
	ScanBatch(ctx context.Context, in []Input) ([]Result, error)
}

// Fingerprinter is implemented by scanners whose results may be cached. The
// fingerprint must change whenever anything that can change a verdict changes
// (configuration, thresholds, model version).
type Fingerprinter interface {
	Fingerprint() string
}

// Closer is implemented by scanners that hold resources (model sessions).
type Closer interface {
	Close() error
}

// Preloader is implemented by scanners that load a model on first use.
// When the configuration asks for it (models.preload), the pipeline calls
// Preload at start-up. An error means the scanner cannot work without what
// failed to load; a scanner allowed to fall back (to its heuristic) logs
// the failure and returns nil.
type Preloader interface {
	Preload(ctx context.Context) error
}

// HealthReporter is implemented by scanners whose verdicts depend on a
// model behind a circuit breaker. The pipeline's health check reads it.
type HealthReporter interface {
	// Health reports on the model calls; ok is false when the scanner, as
	// configured, never consults a model.
	Health() (h Health, ok bool)
}

// Health is a snapshot of a scanner's model calls.
type Health struct {
	// Name identifies the calls: the scanner instance and its model
	// ("input_scanners[0]/prompt_injection").
	Name string
	// Model names the model.
	Model string
	// LastError is the last model failure's message; "" when the last call
	// succeeded or none failed yet.
	LastError string
	// Breaker is the circuit breaker's state: "closed", "half-open" or "open".
	Breaker string
	// Calls, Successes, Failures and Fallbacks count model calls: all of
	// them, those that answered, those that failed, and those answered by
	// the fallback instead. Degraded counts verdicts reached without the
	// model (heuristic fallback or refusal).
	Calls, Successes, Failures, Fallbacks, Degraded uint64
}

// Finding is one thing a scanner matched.
type Finding struct {
	// Rule names what matched: a rule id ("instruction_override"), an entity
	// type ("EMAIL_ADDRESS") or a model label ("INJECTION").
	Rule string `json:"rule"`
	// Start and End are byte offsets into the scanned text (end exclusive).
	// Both are zero when the finding concerns the whole text.
	Start int `json:"start"`
	End   int `json:"end"`
	// Score is the finding's own confidence in [0,1].
	Score float64 `json:"score"`
	// Detail is a short, human-readable explanation. It never contains the
	// matched secret or personal data itself.
	Detail string `json:"detail,omitempty"`
}

// Result is a scanner's verdict on one input.
type Result struct {
	// Valid is false when the text should be blocked.
	Valid bool `json:"valid"`
	// Risk is in [0,1]; 0 is clean.
	Risk float64 `json:"risk"`
	// Sanitized is the text after redaction. Scanners that do not rewrite
	// return the input text unchanged.
	Sanitized string `json:"sanitized"`
	// Findings lists what matched.
	Findings []Finding `json:"findings"`
	// Method says how the verdict was reached.
	Method DetectionMethod `json:"method"`
	// Threshold is the risk at or above which this scanner flags, when it
	// decides by a threshold (0: none). LLM Guard's API reports risk
	// relative to it.
	Threshold float64 `json:"threshold,omitempty"`
	// Duration is how long the scan took.
	Duration time.Duration `json:"duration_ns"`
	// Cached is true when the result came from the result cache.
	Cached bool `json:"cached,omitempty"`
	// Group is the rollout or A/B group the request fell into, if any.
	Group string `json:"group,omitempty"`
	// Degraded is true when the scanner could not use the model it is
	// configured to use (it failed, timed out, was not present or its
	// circuit breaker was open) and the verdict came from its fallback:
	// the heuristic alone, or a refusal (ml.on_unavailable).
	Degraded bool `json:"degraded,omitempty"`
	// Partial is true when the model saw only part of the text (the text
	// exceeded ml.max_windows); the heuristic always reads all of it.
	Partial bool `json:"partial,omitempty"`
}

// Clean returns a valid, zero-risk result for text.
func Clean(text string, m DetectionMethod) Result {
	return Result{Valid: true, Sanitized: text, Method: m, Findings: []Finding{}}
}

// ClampRisk confines r to [0,1]; NaN becomes 1 so that a broken score never
// lets text through silently.
func ClampRisk(r float64) float64 {
	switch {
	case r != r: // NaN
		return 1
	case r < 0:
		return 0
	case r > 1:
		return 1
	}
	return r
}

// Rewriter is implemented by scanners that may return Sanitized text that
// differs from their input (redaction, removal of invisible characters).
// The pipeline runs rewriters one after another, in configuration order,
// each on the previous one's output, before the detectors, which then run
// concurrently on the sanitized text.
type Rewriter interface {
	Rewrites() bool
}
