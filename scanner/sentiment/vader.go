package sentiment

import (
	"fmt"
	"math"
	"strings"

	"github.com/jonreiter/govader"

	"github.com/llmshield/llmshield/scanner"
)

// Methods of Config.Method.
const (
	// MethodHeuristic is llmshield's own lexicon-and-rules analyser,
	// combined with the built-in ML classifier as the ml settings say.
	MethodHeuristic = "heuristic"
	// MethodVADER is VADER's compound score alone (github.com/jonreiter/govader,
	// a Go port of vaderSentiment), as LLM Guard's Sentiment scanner
	// computes it; the ml settings are not used.
	MethodVADER = "vader"
)

// vaderLabelBound is VADER's customary label boundary: compound >= 0.05
// positive, <= -0.05 negative, else neutral.
const vaderLabelBound = 0.05

// VADER scores text with VADER's lexicon and rules. It is immutable after
// NewVADER and safe for concurrent use.
type VADER struct {
	sia *govader.SentimentIntensityAnalyzer
}

// NewVADER loads VADER's lexicon (about 7,500 entries and the emoji table,
// embedded in the library).
func NewVADER() *VADER { return &VADER{sia: govader.NewSentimentIntensityAnalyzer()} }

// Analyze returns VADER's compound score in [-1,1] as an Analysis: Label by
// the ±0.05 convention, Risk max(0, -compound), and for negative text one
// whole-text finding (VADER reports no spans).
func (v *VADER) Analyze(text string) Analysis {
	c := 0.0
	if strings.TrimSpace(text) != "" {
		c = v.sia.PolarityScores(text).Compound
	}
	if math.IsNaN(c) {
		c = 0
	}
	c = max(-1, min(1, c))
	a := Analysis{Compound: c, Label: LabelNeutral, Risk: max(0, -c)}
	switch {
	case c >= vaderLabelBound:
		a.Label = LabelPositive
	case c <= -vaderLabelBound:
		a.Label = LabelNegative
		a.Findings = []scanner.Finding{{Rule: "vader_compound", Score: a.Risk, Detail: fmt.Sprintf("VADER compound %.4f", c)}}
	}
	return a
}

// vaderVersion identifies the VADER library release in fingerprints; bump
// it with the govader version in go.mod.
const vaderVersion = "govader-v0.0.0-20250429093935-f6505c8d03cc"

// Assess returns VADER's risk, max(0, -compound), and its finding (the
// rule side of the Scanner with method vader).
func (v *VADER) Assess(text string) (float64, []scanner.Finding) {
	a := v.Analyze(text)
	return a.Risk, a.Findings
}

// Fingerprint is the VADER library version; it is part of the Scanner's
// cache key.
func (v *VADER) Fingerprint() string { return "vader:" + vaderVersion }
