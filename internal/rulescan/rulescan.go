// Package rulescan is the shell that llmshield's rule scanners (regex,
// ban_substrings, code, language, secrets, ...) share around their own
// analysis, so that each scanner package keeps only what is its own:
//
//   - Shell, embedded in each Scanner, answers Name, Stages and
//     Fingerprint, which makes it a rulescan.Scanner once it has Scan;
//   - Scan checks the context before and after the analysis, hands it a
//     clean result to fill in and times the scan;
//   - Flag records a finding, capped at MaxFindings;
//   - Matches sorts pattern matches, reports them and redacts them;
//   - EachSpan walks match_type windows (sentences, pieces) and stops
//     when the context is done;
//   - Threshold, OneOf (OneOfFold) and AtLeast check the settings that many scanners
//     have, with errors that name the field.
//
// The hybrid ML scanners (prompt_injection, toxicity, sentiment) use only
// Threshold; their shell is internal/mlscan.
package rulescan

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/llmshield/llmshield/internal/textenum"
	"github.com/llmshield/llmshield/scanner"
)

// MaxFindings caps the findings of one scan; the verdict and any
// sanitising still cover the whole text.
const MaxFindings = 100

// Scanner is what a rule scanner is: a scanner.Scanner that says which
// stages it suits and whose results may be cached. A Scanner embedding
// Shell and with a Scan method is one.
type Scanner interface {
	scanner.Scanner
	scanner.Stager
	scanner.Fingerprinter
}

// Shell is embedded by a rule scanner's Scanner: it holds the scanner's
// name, the stages it suits and the fingerprint of its configuration, and
// answers Name, Stages and Fingerprint with them. It is immutable.
type Shell struct {
	name   string
	stages scanner.Stage
	fp     string
}

// NewShell returns the shell of the scanner name, which suits stages. The
// fingerprint hashes name, version (which changes with built-in rules or
// models) and settings, the normalised configuration (or whatever else
// decides the verdicts), as JSON: every setting that can change a verdict
// must be among its exported fields. (Shells of equal settings have equal
// fingerprints in every process, so a shared result cache can use them.)
func NewShell(name string, stages scanner.Stage, version string, settings any) Shell {
	b, err := json.Marshal(struct {
		Name, Version string
		Cfg           any
	}{name, version, settings})
	if err != nil {
		// Not plain data (a NaN, say): Go syntax still shows every field.
		b = fmt.Appendf(nil, "%s\x00%s\x00%#v", name, version, settings)
	}
	return HashedShell(name, stages, b)
}

// HashedShell returns the shell of the scanner name, which suits stages,
// whose fingerprint hashes parts, for scanners that write their own
// fingerprint input (an embedded model, a blocklist file's contents): the
// first 128 bits of the SHA-256 of the parts one after another, in hex, as
// NewShell's.
func HashedShell(name string, stages scanner.Stage, parts ...[]byte) Shell {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return Shell{name: name, stages: stages, fp: hex.EncodeToString(h.Sum(nil)[:16])}
}

// Name returns the scanner's identifier.
func (s Shell) Name() string { return s.name }

// Stages reports the stages the scanner suits.
func (s Shell) Stages() scanner.Stage { return s.stages }

// Fingerprint identifies the scanner's configuration: it changes with
// every setting that can change a verdict.
func (s Shell) Fingerprint() string { return s.fp }

// Scan runs check on in.Text() as every rule scanner does: it returns
// ctx.Err() when ctx is done before check starts or by the time it
// returns, hands check a valid, zero-risk heuristic result for the text
// (scanner.Clean) to fill in, and times the scan. check may return early
// with ctx.Err() from a long loop.
func Scan(ctx context.Context, in scanner.Input, check func(ctx context.Context, text string, res *scanner.Result) error) (scanner.Result, error) {
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	start := time.Now()
	text := in.Text()
	res := scanner.Clean(text, scanner.MethodHeuristic)
	if err := check(ctx, text, &res); err != nil {
		return scanner.Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

// Flag records f in res: the text is no longer valid, its risk is at least
// f.Score, and f is listed unless res already lists MaxFindings findings.
func Flag(res *scanner.Result, f scanner.Finding) {
	res.Valid = false
	res.Risk = max(res.Risk, f.Score)
	if len(res.Findings) < MaxFindings {
		res.Findings = append(res.Findings, f)
	}
}

// Match is one match of a pattern in a text: text[Start:End] matched the
// configured pattern number Pattern.
type Match struct{ Start, End, Pattern int }

// Matches are the matches of a scanner's patterns in one text.
type Matches []Match

// Sort orders ms by position, the longest match first where several start
// at the same byte (matches of one span keep their order).
func (ms Matches) Sort() {
	slices.SortStableFunc(ms, func(a, b Match) int {
		if c := cmp.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		return cmp.Compare(b.End, a.End)
	})
}

// Findings returns one finding per match, in order and at most
// MaxFindings, each with score 1, the rule rule and the detail that
// detail gives for its pattern number.
func (ms Matches) Findings(rule string, detail func(pattern int) string) []scanner.Finding {
	fs := make([]scanner.Finding, 0, min(len(ms), MaxFindings))
	for _, m := range ms[:min(len(ms), MaxFindings)] {
		fs = append(fs, scanner.Finding{Rule: rule, Start: m.Start, End: m.End, Score: 1, Detail: detail(m.Pattern)})
	}
	return fs
}

// Redact returns text with each match, sorted by Sort, replaced by token.
// Overlapping matches become one redaction; empty matches are left alone.
func (ms Matches) Redact(text, token string) string {
	var sb strings.Builder
	last := 0 // text[:last] is written or redacted
	for _, m := range ms {
		if m.End <= last || m.Start == m.End {
			continue // inside an earlier redaction, or empty
		}
		if m.Start >= last {
			sb.WriteString(text[last:m.Start])
			sb.WriteString(token)
		} // else overlapping: extend the earlier redaction
		last = m.End
	}
	sb.WriteString(text[last:])
	return sb.String()
}

// Threshold checks a threshold setting in (0, 1]; the error names the
// field "threshold".
func Threshold(t float64) error {
	if !(t > 0 && t <= 1) {
		return fmt.Errorf("threshold: must be in (0, 1], got %v", t)
	}
	return nil
}

// OneOf checks that the setting field is one of want; the error names the
// field and lists what it accepts.
func OneOf(field, got string, want ...string) error {
	return oneOf(field, got, got, want)
}

// OneOfFold is OneOf for a setting that is matched in lower case: got in
// any case is accepted when its lower-case form is one of want.
func OneOfFold(field, got string, want ...string) error {
	return oneOf(field, got, strings.ToLower(got), want)
}

// oneOf checks that key, the form of the setting field's value got that
// is compared, is one of want.
func oneOf(field, got, key string, want []string) error {
	for _, w := range want {
		if key == w {
			return nil
		}
	}
	q := make([]string, len(want))
	for i, w := range want {
		q[i] = strconv.Quote(w)
	}
	return fmt.Errorf("%s: unknown %q (want %s)", field, got, textenum.Or(q...))
}

// AtLeast checks that the integer setting field is at least least.
func AtLeast(field string, got, least int) error {
	if got < least {
		return fmt.Errorf("%s: must be at least %d, got %d", field, least, got)
	}
	return nil
}

// EachSpan calls fn with the bounds of each span in turn (match_type
// "sentence" windows, say), checking ctx every 64 spans; it returns
// ctx.Err() once ctx is done.
func EachSpan(ctx context.Context, spans [][2]int, fn func(start, end int)) error {
	for i, sp := range spans {
		if i%64 == 63 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		fn(sp[0], sp[1])
	}
	return nil
}
