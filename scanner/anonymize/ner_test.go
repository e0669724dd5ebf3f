package anonymize

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// stubNER reports every occurrence of one invented name as a person.
type stubNER struct{ name string }

func (s stubNER) Entities(_ context.Context, text string) ([]pii.Match, error) {
	var out []pii.Match
	for i := 0; ; {
		k := strings.Index(text[i:], s.name)
		if k < 0 {
			return out, nil
		}
		out = append(out, pii.Match{Type: pii.Person, Start: i + k, End: i + k + len(s.name), Score: 0.95})
		i += k + len(s.name)
	}
}

func TestNEROption(t *testing.T) {
	cfg := DefaultConfig()
	cfg.NER = true
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "ner") {
		t.Fatalf("ner: true without a model: %v", err)
	}
	text := "The file from Zorblax Quennington arrived."
	plain, err := New(DefaultConfig(), WithNER(stubNER{"Zorblax Quennington"})) // ner off: model ignored
	if err != nil {
		t.Fatal(err)
	}
	r, err := plain.Scan(context.Background(), scanner.Input{Prompt: text})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Valid {
		t.Fatalf("without ner the invented name should pass: %+v", r)
	}
	s, err := New(cfg, WithNER(stubNER{"Zorblax Quennington"}))
	if err != nil {
		t.Fatal(err)
	}
	v := scanner.NewVault(0)
	r = scannertest.Check(t, s, scanner.Input{Prompt: text, Vault: v})
	if r.Valid || r.Sanitized != "The file from [REDACTED_PERSON_1] arrived." {
		t.Fatalf("with ner: %+v", r)
	}
	cfg.AllowedNames = []string{"Zorblax Quennington"}
	s, _ = New(cfg, WithNER(stubNER{"Zorblax Quennington"}))
	if r, _ = s.Scan(context.Background(), scanner.Input{Prompt: text}); !r.Valid {
		t.Fatalf("allowed name anonymised: %+v", r)
	}
}
