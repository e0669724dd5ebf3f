package llmshield_test

import (
	"context"
	"testing"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/anonymize"
	"github.com/llmshield/llmshield/scanner/deanonymize"
)

func TestWithVault(t *testing.T) {
	an, err := anonymize.New(anonymize.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	de, err := deanonymize.New(deanonymize.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	sh, err := llmshield.NewFromScanners(llmshield.Pipeline{Input: []llmshield.Entry{{Scanner: an}}, Output: []llmshield.Entry{{Scanner: de}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	ctx := context.Background()
	v := scanner.NewVault(100)
	rep, _ := sh.ScanPrompt(ctx, "Email jane@corp.example please", llmshield.WithVault(v))
	if rep.Sanitized != "Email [REDACTED_EMAIL_ADDRESS_1] please" {
		t.Fatalf("sanitized %q", rep.Sanitized)
	}
	out, err := sh.ScanOutput(ctx, rep.Sanitized, "Sent to [REDACTED_EMAIL_ADDRESS_1].", llmshield.WithVault(v))
	if err != nil || out.Sanitized != "Sent to jane@corp.example." {
		t.Errorf("restored %q, %v", out.Sanitized, err)
	}
	// Another conversation's vault restores nothing.
	other, _ := sh.ScanOutput(ctx, "", "Sent to [REDACTED_EMAIL_ADDRESS_1].", llmshield.WithVault(scanner.NewVault(100)))
	if other.Sanitized != "Sent to [REDACTED_EMAIL_ADDRESS_1]." {
		t.Errorf("restored from another vault: %q", other.Sanitized)
	}
}
