// Package rulescan holds what llmshield's rule-based scanners
// (prompt_injection, toxicity, sentiment) share around their own analysis:
// the context checks, timing and result shape of a scan, and how a
// configuration becomes a fingerprint.
package rulescan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/llmshield/llmshield/scanner"
)

// Verdict is a rule engine's assessment of one text.
type Verdict struct {
	Flagged  bool
	Risk     float64
	Findings []scanner.Finding
}

// Scan runs analyze on in.Text() and returns the result of a heuristic scan
// that never rewrites the text. It returns ctx.Err() when ctx is done
// before the analysis starts or by the time it ends.
func Scan(ctx context.Context, in scanner.Input, analyze func(text string) Verdict) (scanner.Result, error) {
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	start := time.Now()
	text := in.Text()
	v := analyze(text)
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	if v.Findings == nil {
		v.Findings = []scanner.Finding{}
	}
	return scanner.Result{
		Valid:     !v.Flagged,
		Risk:      v.Risk,
		Sanitized: text,
		Findings:  v.Findings,
		Method:    scanner.MethodHeuristic,
		Duration:  time.Since(start),
	}, nil
}

// Fingerprint identifies a scanner configuration: the scanner name, its
// rules or lexicon version and its threshold.
func Fingerprint(name, version string, threshold float64) string {
	sum := sha256.Sum256([]byte(strings.Join([]string{name, version, strconv.FormatFloat(threshold, 'g', -1, 64)}, "\x00")))
	return hex.EncodeToString(sum[:16])
}
