package llmshield_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
)

// TestNewWithUserModel: New builds a model hub for a scanner whose model
// parameter names a local model directory (no ML scanner in the
// configuration), and the model decides.
func TestNewWithUserModel(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("internal", "inference", "testdata", "tiny-nli"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
models: {offline: true, backend: purego, dir: %q}
output_scanners:
  - type: FactualConsistency
    params: {model: %q, minimum_score: 0.5}
`, t.TempDir(), dir)))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := llmshield.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	ctx := context.Background()
	rep, err := sh.ScanOutput(ctx, "the bank will pay money to the market .", "money bank .")
	if err != nil || !rep.Valid {
		t.Fatalf("supported answer: %+v %v", rep, err)
	}
	rep, err = sh.ScanOutput(ctx, "the bank will pay money to the market .", "the river boat .")
	if err != nil || rep.Valid {
		t.Fatalf("unsupported answer: %+v %v", rep, err)
	}
}
