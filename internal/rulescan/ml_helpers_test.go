package rulescan

import (
	"testing"

	"github.com/llmshield/llmshield/scanner"
)

func TestShellWith(t *testing.T) {
	s := ShellWith("x", scanner.StageOutput, "x/model/m@1/0.5")
	if s.Name() != "x" || s.Stages() != scanner.StageOutput || s.Fingerprint() != "x/model/m@1/0.5" {
		t.Fatalf("%+v", s)
	}
}
