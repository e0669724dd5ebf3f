package sensitive

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/scanner/anonymize"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

type stubNER struct{}

func (stubNER) Entities(_ context.Context, text string) ([]pii.Match, error) {
	if i := strings.Index(text, "Zorblax Quennington"); i >= 0 {
		return []pii.Match{{Type: pii.Person, Start: i, End: i + len("Zorblax Quennington"), Score: 0.95}}, nil
	}
	return nil, nil
}

func TestNEROption(t *testing.T) {
	cfg := DefaultConfig()
	cfg.NER = true
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "ner") {
		t.Fatalf("ner: true without a model: %v", err)
	}
	s, err := New(cfg, anonymize.WithNER(stubNER{}))
	if err != nil {
		t.Fatal(err)
	}
	r := scannertest.Check(t, s, scannertest.Answer("The report was written by Zorblax Quennington."))
	if r.Valid || len(r.Findings) != 1 || r.Findings[0].Rule != pii.Person {
		t.Fatalf("%+v", r)
	}
}
