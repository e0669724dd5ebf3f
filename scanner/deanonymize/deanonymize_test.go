package deanonymize

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	for _, st := range []string{Exact, CaseInsensitive, Fuzzy, CombinedExactFuzzy} {
		t.Run(st, func(t *testing.T) {
			s := scannertest.Must(t, New, Config{MatchingStrategy: st})
			scannertest.Run(t, s, scannertest.WithInputs("Dear [REDACTED_PERSON_1], see [redacted person 1]."))
		})
	}
}

func vault() *scanner.Vault {
	v := scanner.NewVault(0)
	v.Placeholder("PERSON", "John Smith")
	v.Placeholder("PERSON", "Jane Doe")
	v.Placeholder("EMAIL_ADDRESS", "john@example.com")
	return v
}

func TestStrategies(t *testing.T) {
	out := "Hello [REDACTED_PERSON_1], [redacted_person_2] wrote to [REDACTED EMAIL_ADDRESS 1] about REDACTED_PERSON_2."
	want := map[string]string{
		Exact:              "Hello John Smith, [redacted_person_2] wrote to [REDACTED EMAIL_ADDRESS 1] about REDACTED_PERSON_2.",
		CaseInsensitive:    "Hello John Smith, Jane Doe wrote to [REDACTED EMAIL_ADDRESS 1] about REDACTED_PERSON_2.",
		Fuzzy:              "Hello John Smith, Jane Doe wrote to john@example.com about Jane Doe.",
		CombinedExactFuzzy: "Hello John Smith, Jane Doe wrote to john@example.com about Jane Doe.",
	}
	for st, w := range want {
		s := scannertest.Must(t, New, Config{MatchingStrategy: st})
		res := scannertest.Check(t, s, scanner.Input{Output: out, Stage: scanner.StageOutput, Vault: vault()})
		if res.Sanitized != w || !res.Valid || res.Risk != 0 {
			t.Errorf("%s: got %q (valid %v), want %q", st, res.Sanitized, res.Valid, w)
		}
	}
}

func TestFuzzyKeepsNumbers(t *testing.T) {
	v := scanner.NewVault(0)
	v.Placeholder("PERSON", "Alice")
	s, _ := New(Config{MatchingStrategy: Fuzzy})
	res, _ := s.Scan(context.Background(), scanner.Input{Output: "[REDACTED_PERSON_2] met [REDACTED_PERSN_1]", Stage: scanner.StageOutput, Vault: v})
	if res.Sanitized != "[REDACTED_PERSON_2] met Alice" {
		t.Errorf("got %q", res.Sanitized)
	}
}

func TestNoVaultNoChange(t *testing.T) {
	s, _ := New(DefaultConfig())
	out := "Hello [REDACTED_PERSON_1]"
	res, err := s.Scan(context.Background(), scannertest.Answer(out))
	if err != nil || res.Sanitized != out {
		t.Errorf("got %q, %v", res.Sanitized, err)
	}
	if _, err := New(Config{MatchingStrategy: "regex"}); err == nil || !strings.Contains(err.Error(), "matching_strategy") {
		t.Errorf("bad strategy accepted: %v", err)
	}
}

func FuzzScan(f *testing.F) {
	s, _ := New(Config{MatchingStrategy: CombinedExactFuzzy})
	f.Add("Hello [REDACTED_PERSON_1] and [redacted person 2]")
	f.Add("\xff[REDACTED_EMAIL_ADDRESS_1")
	f.Fuzz(func(t *testing.T, text string) {
		res := scannertest.Check(t, s, scanner.Input{Output: text, Stage: scanner.StageOutput, Vault: vault()})
		if !strings.Contains(strings.ToLower(text), "redact") && !strings.Contains(strings.ToLower(text), "person") && res.Sanitized != text {
			// Only near-placeholders may change.
			if len(res.Findings) == 0 {
				t.Fatalf("changed without findings: %q -> %q", text, res.Sanitized)
			}
		}
	})
}

func BenchmarkCombined1K(b *testing.B) {
	s, _ := New(Config{MatchingStrategy: CombinedExactFuzzy})
	out := strings.Repeat("The board approved the budget and asked for a revised plan next week. ", 14) + "Regards, [REDACTED_PERSON_1]"
	v := vault()
	scannertest.Bench(b, s, scanner.Input{Output: out, Stage: scanner.StageOutput, Vault: v})
}
