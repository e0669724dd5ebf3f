package toxicity

import (
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	var flagged []string
	for _, c := range loadGolden(t) {
		if c.Want == "flag" {
			flagged = append(flagged, c.Text)
		}
	}
	scannertest.Run(t, newScanner(t), scannertest.WithInputs(flagged...))
}
