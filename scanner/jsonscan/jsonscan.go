// Package jsonscan checks the JSON in a model's answer, like LLM Guard's
// JSON output scanner: it finds the JSON documents in the answer (fenced
// code blocks and bare objects or arrays in the text), validates each,
// optionally repairs the broken ones with github.com/kaptinlin/jsonrepair
// (the sanitized answer then carries the repaired JSON), and flags the
// answer when it has fewer valid documents than RequiredElements. The
// package is named jsonscan so that it does not shadow encoding/json; the
// scanner's type is "json".
//
// # Finding JSON
//
//   - A fenced block (``` or ~~~) tagged json, json5 or jsonc, or untagged
//     with content starting with { or [, is one candidate: its content.
//   - Outside fences, a bare candidate starts at { followed (after
//     optional white space) by a quote, or at [ followed by {, [ or a
//     quote; so prose such as "{name}", "[1]" or a task list's "[ ]" is
//     not taken for JSON (nor are empty {} and []). It ends at the matching bracket (brackets inside strings do not
//     count) or, when the document is cut off, at the end of the answer.
//     Candidates do not nest: the inner objects of a document are part of it.
//
// # Differences from LLM Guard
//
//   - LLM Guard finds candidates with a recursive regular expression for
//     objects only and, without repair, only counts the valid ones. Here a
//     candidate that is not valid JSON (and is not repaired) also flags the
//     answer: broken JSON is what a caller of this scanner needs to hear
//     about. Set RequiredElements to 0 and leave Repair off to only count.
//     Arrays and fenced blocks are found too.
//   - A repair that fails (or yields invalid JSON) flags the answer and
//     leaves that candidate unchanged.
package jsonscan

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kaptinlin/jsonrepair"

	"github.com/llmshield/llmshield/internal/mdfence"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "json"

// Rule names in findings.
const (
	RuleInvalid  = "invalid_json"
	RuleRequired = "required_elements"
)

// Config configures Scanner.
type Config struct {
	// RequiredElements is the smallest number of valid JSON documents the
	// answer must contain. Default 0.
	RequiredElements int `yaml:"required_elements"`
	// Repair rewrites invalid JSON documents with jsonrepair; repaired
	// documents count as valid. Default false.
	Repair bool `yaml:"repair"`
	// MaxRepairBytes caps the bytes of broken JSON one answer may have
	// repaired (not in LLM Guard; see the package doc). Default 8192.
	MaxRepairBytes int `yaml:"max_repair_bytes"`
}

// DefaultConfig returns LLM Guard's defaults and a repair budget of 8 KB.
func DefaultConfig() Config { return Config{MaxRepairBytes: 8192} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if c.RequiredElements < 0 {
		return fmt.Errorf("required_elements: must not be negative, got %d", c.RequiredElements)
	}
	if c.Repair && c.MaxRepairBytes <= 0 {
		return fmt.Errorf("max_repair_bytes: must be positive when repair is on, got %d", c.MaxRepairBytes)
	}
	return nil
}

// Scanner checks JSON in answers. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
}

var (
	_ rulescan.Scanner = (*Scanner)(nil)
	_ scanner.Rewriter = (*Scanner)(nil)
)

// New validates cfg. The scanner runs on outputs, as in LLM Guard.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &Scanner{Shell: rulescan.NewShell(Name, scanner.StageOutput, "1", cfg), cfg: cfg}, nil
}

// Rewrites reports whether the scanner may change the text (repair).
func (s *Scanner) Rewrites() bool { return s.cfg.Repair }

// Candidate is one JSON document found in a text: text[Start:End].
type Candidate struct {
	Start, End int
	// Fenced is true for the content of a fenced code block.
	Fenced bool
}

func isJSONTag(info string) bool {
	tag, _, _ := strings.Cut(strings.ToLower(info), " ")
	switch tag {
	case "json", "json5", "jsonc", "jsonl", "ndjson":
		return true
	}
	return false
}

// bareStart reports whether text[i] ({ or [) opens something that looks
// like JSON.
func bareStart(text string, i int) bool {
	j := i + 1
	for j < len(text) && (text[j] == ' ' || text[j] == '\n' || text[j] == '\t' || text[j] == '\r') {
		j++
	}
	if j == len(text) {
		return false
	}
	c := text[j]
	if text[i] == '{' {
		return c == '"' || c == '\''
	}
	return c == '{' || c == '[' || c == '"'
}

// matchEnd returns the end of the bracketed document starting at i: just
// after its matching bracket, at a mismatched closing bracket, or len(text).
func matchEnd(text string, i int) int {
	var stack []byte
	inStr, esc := false, false
	for j := i; j < len(text); j++ {
		c := text[j]
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{':
			stack = append(stack, '}')
		case '[':
			stack = append(stack, ']')
		case '}', ']':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return j
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return j + 1
			}
		}
	}
	return len(text)
}

// Find returns the JSON candidates in text, in order.
func Find(text string) []Candidate {
	var out []Candidate
	lineStart := true
	for i := 0; i < len(text); {
		if lineStart {
			if marker, info, lineEnd := mdfence.Opening(text, i); marker != "" {
				body := min(lineEnd+1, len(text))
				end, next := mdfence.Close(text, body, marker)
				content := strings.TrimSpace(text[body:end])
				if content != "" && (isJSONTag(info) || info == "" && (content[0] == '{' || content[0] == '[')) {
					a := body + strings.Index(text[body:end], content)
					out = append(out, Candidate{Start: a, End: a + len(content), Fenced: true})
				}
				i, lineStart = next, true
				continue
			}
		}
		c := text[i]
		if (c == '{' || c == '[') && bareStart(text, i) {
			end := matchEnd(text, i)
			if end > i+1 {
				out = append(out, Candidate{Start: i, End: end})
				lineStart = text[end-1] == '\n'
				i = end
				continue
			}
		}
		lineStart = c == '\n'
		i++
	}
	return out
}

// repair runs jsonrepair, turning a panic in it into an error.
func repair(doc string) (out string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jsonrepair panicked: %v", p)
		}
	}()
	out, err = jsonrepair.JSONRepair(doc)
	if err == nil && !json.Valid([]byte(out)) {
		err = fmt.Errorf("jsonrepair returned invalid JSON")
	}
	return out, err
}

// Scan checks the JSON in in.Text(). It returns ctx.Err() once ctx is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		valid, budget := 0, s.cfg.MaxRepairBytes
		var sb strings.Builder
		last := 0
		for _, c := range Find(text) {
			if err := ctx.Err(); err != nil {
				return err
			}
			doc := text[c.Start:c.End]
			if json.Valid([]byte(doc)) {
				valid++
				continue
			}
			tooBig := len(doc) > budget
			if s.cfg.Repair && !tooBig {
				budget -= len(doc)
				if fixed, err := repair(doc); err == nil {
					valid++
					sb.WriteString(text[last:c.Start])
					sb.WriteString(fixed)
					last = c.End
					continue
				}
			}
			detail := "not valid JSON"
			switch {
			case s.cfg.Repair && tooBig:
				detail = fmt.Sprintf("not valid JSON; over the repair budget of %d bytes", s.cfg.MaxRepairBytes)
			case s.cfg.Repair:
				detail = "not valid JSON and could not be repaired"
			}
			rulescan.Flag(res, scanner.Finding{Rule: RuleInvalid, Start: c.Start, End: c.End, Score: 1, Detail: detail})
		}
		if last > 0 {
			sb.WriteString(text[last:])
			res.Sanitized = sb.String()
		}
		if valid < s.cfg.RequiredElements {
			// Listed even after MaxFindings invalid documents.
			res.Valid, res.Risk = false, 1
			res.Findings = append(res.Findings, scanner.Finding{Rule: RuleRequired, Score: 1,
				Detail: fmt.Sprintf("%d valid JSON documents, %d required", valid, s.cfg.RequiredElements)})
		}
		return nil
	})
}
