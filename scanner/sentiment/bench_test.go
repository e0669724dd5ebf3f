package sentiment

import (
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

// benignCorpus returns about 400 KB of benign English instructions (SAFE
// rows of the GPTeacher dataset) when available, else the golden texts
// repeated.
func benignCorpus(b *testing.B) string {
	b.Helper()
	texts := make([]string, len(golden))
	for i, c := range golden {
		texts[i] = c.text
	}
	return scannertest.BenignCorpus(b, 400<<10, texts...)
}

func BenchmarkHeuristicBenign(b *testing.B) {
	h := newHeuristic(b)
	text := benignCorpus(b)
	scannertest.BenchCPU(b, len(text), func() { h.Analyze(text) })
}

// BenchmarkHeuristicShortText measures the per-call cost on a review-sized
// text.
func BenchmarkHeuristicShortText(b *testing.B) {
	h := newHeuristic(b)
	text := "The screen is nice, but the battery is terrible and it crashes constantly. Not worth the money :("
	scannertest.BenchCPU(b, len(text), func() { h.Analyze(text) })
}
