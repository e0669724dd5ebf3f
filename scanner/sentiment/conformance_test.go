package sentiment

import (
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	s := scannertest.MustWith(t, New, heuristicConfig(DefaultConfig().Threshold))
	var inputs []string
	for _, c := range golden {
		inputs = append(inputs, c.text)
	}
	scannertest.Run(t, s, scannertest.WithInputs(inputs...))
}
