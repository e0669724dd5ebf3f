package promptinjection

import (
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	var flagged []string
	for _, c := range loadGolden(t) {
		flagged = append(flagged, c.Text)
	}
	scannertest.Run(t, newScanner(t), scannertest.WithInputs(flagged...))
}
