package sensitive

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Redact = true
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	scannertest.Run(t, s, scannertest.WithInputs("Her IBAN is GB33BUKB20201555555555, SSN 219-09-9991."))
}

func TestScan(t *testing.T) {
	cfg := DefaultConfig()
	s, _ := New(cfg)
	out := "Sure: the customer's e-mail is jane@corp.example and her card 4111 1111 1111 1111."
	res := scannertest.Check(t, s, scannertest.Answer(out))
	if res.Valid || len(res.Findings) != 2 || res.Sanitized != out {
		t.Fatalf("got %+v", res)
	}
	cfg.Redact = true
	r, _ := New(cfg)
	res, _ = r.Scan(context.Background(), scannertest.Answer(out))
	if want := "Sure: the customer's e-mail is [REDACTED_EMAIL_ADDRESS] and her card [REDACTED_CREDIT_CARD]."; res.Sanitized != want {
		t.Errorf("got %q", res.Sanitized)
	}
	clean, _ := s.Scan(context.Background(), scannertest.Answer("The capital of France is Paris."))
	if !clean.Valid && clean.Findings[0].Rule != "LOCATION" {
		t.Errorf("unexpected: %+v", clean)
	}
	if s.Fingerprint() == r.Fingerprint() {
		t.Errorf("redact does not change the fingerprint")
	}
	if _, err := New(Config{Threshold: 0}); err == nil || !strings.Contains(err.Error(), "threshold") {
		t.Errorf("zero threshold accepted: %v", err)
	}
}

func FuzzScan(f *testing.F) {
	s, _ := New(Config{Threshold: 0.5, Redact: true})
	f.Add("mail me at a@b.co, 4111111111111111")
	f.Fuzz(func(t *testing.T, text string) {
		scannertest.CheckFlagsByFindings(t, s, scannertest.Answer(text))
	})
}

func BenchmarkScan1K(b *testing.B) {
	s, _ := New(DefaultConfig())
	out := strings.Repeat("The board approved the budget and asked for a revised plan next week. ", 14) + "Contact jane@corp.example."
	scannertest.Bench(b, s, scannertest.Answer(out))
}
