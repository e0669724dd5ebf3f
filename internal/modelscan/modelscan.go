// Package modelscan is the part that the scanners which may run a user
// model in place of their built-in method share: Setup validates the
// configuration and pairs the model an option supplies with the one the
// configuration names; Texts and Err are the checks and the error of every
// model call; for a user sequence classifier (classifier.Model), Run and
// Judge classify the text with the scanner's positive labels and turn the
// prediction into the result's method, threshold, risk and verdict. The
// scanner adds its own findings.
package modelscan

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/scanner"
)

// Verdict is a classifier's verdict on a text.
type Verdict struct {
	// Prediction is the model's; zero for blank text.
	Prediction classifier.Prediction
	// Start and End are the byte span of the best part (0, 0 when the
	// model's span does not fit the text).
	Start, End int
	// Flagged is whether the score reached the threshold.
	Flagged bool
}

// MatchType maps a scanner's match_type ("full" or "sentence") onto the
// classifier's: sentence classifies each sentence, anything else the
// whole text in overlapping windows.
func MatchType(mt string) classifier.MatchType {
	if mt == "sentence" {
		return classifier.MatchSentence
	}
	return classifier.MatchFull
}

// Run classifies text with m for the positive labels (the model's own when
// empty) and records the verdict in res: method ml, threshold, risk (the
// positive score) and Valid. Invalid UTF-8 is an error, blank text is
// valid and not classified; a model error names the scanner and model.
func Run(ctx context.Context, name, model string, m classifier.Model, text string, mt classifier.MatchType, positive []string, threshold float64, res *scanner.Result) (Verdict, error) {
	if ok, err := Texts(name, threshold, res, text); !ok {
		return Verdict{}, err
	}
	p, err := m.Classify(ctx, text, mt, positive)
	if err != nil {
		return Verdict{}, Err(name, model, err)
	}
	v := Verdict{Prediction: p, Start: p.Best.Start, End: p.Best.End}
	if v.Start < 0 || v.End > len(text) || v.Start > v.End {
		v.Start, v.End = 0, 0
	}
	res.Risk = scanner.ClampRisk(p.Score)
	v.Flagged = res.Risk >= threshold
	res.Valid = res.Valid && !v.Flagged
	return v, nil
}

// Texts makes res the model's verdict (method ml, threshold) on texts,
// which the model is about to read, and says whether there is anything to
// judge: invalid UTF-8 in any text is an error naming the scanner, and a
// blank text leaves nothing to judge (judge false, res still valid).
func Texts(name string, threshold float64, res *scanner.Result, texts ...string) (judge bool, err error) {
	res.Method, res.Threshold = scanner.MethodML, threshold
	for _, t := range texts {
		if !utf8.ValidString(t) {
			return false, fmt.Errorf("%s: %w", name, scanner.ErrInvalidUTF8)
		}
	}
	for _, t := range texts {
		if strings.TrimSpace(t) == "" {
			return false, nil
		}
	}
	return true, nil
}

// Err is the error of a failed model call: it names the scanner and the
// model.
func Err(name, model string, err error) error {
	return fmt.Errorf("%s: model %s: %w", name, model, err)
}

// Scan is a whole scan by Run: a text with fewer than minLetters letters
// is valid without being classified; a flagged text gets the one finding
// finding makes of the verdict.
func Scan(ctx context.Context, name, model string, m classifier.Model, text string, mt classifier.MatchType, positive []string, threshold float64, minLetters int,
	finding func(Verdict) scanner.Finding,
) (scanner.Result, error) {
	start := time.Now()
	res := scanner.Clean(text, scanner.MethodML)
	res.Threshold = threshold
	if minLetters > 0 && Letters(text, minLetters) < minLetters {
		res.Duration = time.Since(start)
		return res, ctx.Err()
	}
	if err := Judge(ctx, name, model, m, text, mt, positive, threshold, &res, finding); err != nil {
		return scanner.Result{}, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

// Judge is Run followed by the finding: a flagged text gets the one
// finding that finding makes of the verdict, with the verdict's span and
// the risk as its score.
func Judge(ctx context.Context, name, model string, m classifier.Model, text string, mt classifier.MatchType, positive []string, threshold float64, res *scanner.Result,
	finding func(Verdict) scanner.Finding,
) error {
	v, err := Run(ctx, name, model, m, text, mt, positive, threshold, res)
	if err != nil {
		return err
	}
	if v.Flagged {
		f := finding(v)
		f.Start, f.End, f.Score = v.Start, v.End, res.Risk
		res.Findings = append(res.Findings, f)
	}
	return nil
}

// LabelsBut returns the labels of a model that are not named benign (any
// case), or LABEL_1 for a LABEL_0/LABEL_1 model; what is the name of the
// scanner's positive class, for the error.
func LabelsBut(labels []string, benign, what string) ([]string, error) {
	var out []string
	found := false
	for _, l := range labels {
		if strings.EqualFold(l, benign) {
			found = true
			continue
		}
		out = append(out, l)
	}
	switch {
	case found && len(out) > 0:
		return out, nil
	case len(labels) == 2 && labels[0] == "LABEL_0" && labels[1] == "LABEL_1":
		return []string{"LABEL_1"}, nil
	}
	return nil, fmt.Errorf("cannot tell the %s labels from the model's labels %q (want a %q label, or LABEL_0/LABEL_1)", what, labels, benign)
}

// Config is the configuration of a scanner that may run a user model.
type Config interface {
	// Validate checks the configuration; errors name the field.
	Validate() error
	// ConfiguredModel is the user model the configuration names ("" for
	// the scanner's built-in method).
	ConfiguredModel() string
}

// Setup is the start of a New: it validates cfg, then applies opts to s
// and checks that the option named option supplied a model (has reports
// whether s has one) exactly when cfg names one. Errors name the scanner.
func Setup[S any, O ~func(*S)](name string, cfg Config, s *S, opts []O, option string, has func(*S) bool) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return Apply(name, s, opts, cfg.ConfiguredModel(), option, has)
}

// Apply applies opts to s, then checks with Pair that the option named
// option supplied a model (has reports whether s has one) exactly when the
// configuration names one. The error names the scanner.
func Apply[S any, O ~func(*S)](name string, s *S, opts []O, model, option string, has func(*S) bool) error {
	for _, o := range opts {
		o(s)
	}
	if err := Pair(model, has(s), option); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Pair checks that a model was supplied (with the option named option)
// exactly when the configuration names one.
func Pair(model string, loaded bool, option string) error {
	switch {
	case model != "" && !loaded:
		return fmt.Errorf("model: %q is configured but not loaded (build the scanner with scanner/builtin, or pass %s)", model, option)
	case model == "" && loaded:
		return fmt.Errorf("model: %s was given but model is empty (name the model it loads)", option)
	}
	return nil
}

// Letters counts the letters of text, stopping at limit.
func Letters(text string, limit int) int {
	n := 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			if n++; n >= limit {
				break
			}
		}
	}
	return n
}
