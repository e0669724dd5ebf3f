package anonymize

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestConformance(t *testing.T) {
	s, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	scannertest.Run(t, s, scannertest.WithInputs(
		"Call Hans Müller at +49 30 901820 or mail hans.mueller@example.de; IBAN DE89 3704 0044 0532 0130 00.",
		"My SSN is 219-09-9991 and my card 4111 1111 1111 1111, IP 10.0.0.1."))
}

func TestScanStableAndScoped(t *testing.T) {
	s, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	v := scanner.NewVault(0)
	text := "Hi, I'm John Smith, mail john.smith@example.com or call John Smith's card 4111-1111-1111-1111."
	res := scannertest.Check(t, s, scanner.Input{Prompt: text, Vault: v})
	want := "Hi, I'm [REDACTED_PERSON_1], mail [REDACTED_EMAIL_ADDRESS_1] or call [REDACTED_PERSON_1]'s card [REDACTED_CREDIT_CARD_1]."
	if res.Sanitized != want || res.Valid {
		t.Fatalf("got %q valid=%v, want %q invalid", res.Sanitized, res.Valid, want)
	}
	if got := v.Deanonymize(res.Sanitized); got != text {
		t.Errorf("round trip: %q", got)
	}
	// A second call in the same conversation keeps the numbering.
	res2, _ := s.Scan(context.Background(), scanner.Input{Prompt: "Jane Doe and John Smith", Vault: v})
	if !strings.Contains(res2.Sanitized, "[REDACTED_PERSON_1]") || !strings.Contains(res2.Sanitized, "[REDACTED_PERSON_2]") {
		t.Errorf("numbering not stable across calls: %q", res2.Sanitized)
	}
	for _, f := range res.Findings {
		if strings.Contains(f.Detail, "john") {
			t.Errorf("finding leaks the value: %+v", f)
		}
	}
}

func TestParams(t *testing.T) {
	cfg := DefaultConfig()
	cfg.EntityTypes = []string{"EMAIL_ADDRESS", "EMPLOYEE_ID"}
	cfg.RegexPatterns = []Pattern{{Name: "EMPLOYEE_ID", Expressions: []string{`\bEMP-\d{5}\b`}, Examples: []string{"EMP-12345"}}}
	cfg.HiddenNames = []string{"Project Falcon"}
	cfg.AllowedNames = []string{"help@example.com"}
	cfg.Preamble = "Anonymised: "
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := scannertest.Check(t, s, scanner.Input{Prompt: "EMP-00042 on project falcon wrote to help@example.com and bob@corp.example, John Smith"})
	want := "Anonymised: [REDACTED_EMPLOYEE_ID_1] on [REDACTED_CUSTOM_1] wrote to help@example.com and [REDACTED_EMAIL_ADDRESS_1], John Smith"
	if res.Sanitized != want {
		t.Errorf("got  %q\nwant %q", res.Sanitized, want)
	}
	for _, bad := range []struct {
		cfg   Config
		field string
	}{
		{Config{Threshold: 2}, "threshold"},
		{Config{Threshold: 0.5, EntityTypes: []string{"SHOE_SIZE"}}, "entity_types[0]"},
		{Config{Threshold: 0.5, Language: "xx"}, "language"},
		{Config{Threshold: 0.5, RegexPatterns: []Pattern{{Name: "X", Expressions: []string{"("}}}}, "regex_patterns[0]"},
		{Config{Threshold: 0.5, RegexPatterns: []Pattern{{Name: "X", Expressions: []string{"a*"}}}}, "empty string"},
		{Config{Threshold: 0.5, HiddenNames: []string{" "}}, "hidden_names[0]"},
	} {
		if _, err := New(bad.cfg); err == nil || !strings.Contains(err.Error(), bad.field) {
			t.Errorf("%+v: err %v, want one naming %s", bad.cfg, err, bad.field)
		}
	}
}

func TestFaker(t *testing.T) {
	cfg := DefaultConfig()
	cfg.UseFaker, cfg.FakerSeed = true, 7
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	text := "Mail jane.doe@corp.example, card 4111 1111 1111 1111, from 203.0.113.9."
	v := scanner.NewVault(0)
	res, _ := s.Scan(context.Background(), scanner.Input{Prompt: text, Vault: v})
	if strings.Contains(res.Sanitized, "jane.doe") || strings.Contains(res.Sanitized, "[REDACTED_") {
		t.Fatalf("fakes not used: %q", res.Sanitized)
	}
	if !strings.Contains(res.Sanitized, "@example.com") || !strings.Contains(res.Sanitized, "192.0.2.") {
		t.Errorf("unexpected fakes: %q", res.Sanitized)
	}
	again, _ := s.Scan(context.Background(), scanner.Input{Prompt: text, Vault: scanner.NewVault(0)})
	if again.Sanitized != res.Sanitized {
		t.Errorf("fakes not deterministic for a seed: %q vs %q", again.Sanitized, res.Sanitized)
	}
	if got := v.Deanonymize(res.Sanitized); got != text {
		t.Errorf("fake round trip: %q", got)
	}
}

func FuzzScan(f *testing.F) {
	s, err := New(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Add("John Smith, john@example.com, 4111 1111 1111 1111")
	f.Add("Dr. Müller wohnt in München, Tel. +49 89 1234567")
	f.Add("\xff\x00[REDACTED_PERSON_1]")
	f.Fuzz(func(t *testing.T, text string) {
		v := scanner.NewVault(0)
		res := scannertest.Check(t, s, scanner.Input{Prompt: text, Vault: v})
		if utf8.ValidString(text) && !utf8.ValidString(res.Sanitized) {
			t.Fatalf("invalid UTF-8 out of valid input")
		}
		for _, fd := range res.Findings {
			if fd.Start < 0 || fd.End > len(text) || fd.Start >= fd.End {
				t.Fatalf("bad span %+v", fd)
			}
		}
		if !strings.Contains(text, "[REDACTED_") && v.Deanonymize(res.Sanitized) != text {
			t.Fatalf("round trip failed: %q -> %q", text, res.Sanitized)
		}
	})
}

// prompt1K is a 1 KB prompt with a few entities.
var prompt1K = strings.Repeat("Please summarise the quarterly report and draft a reply to the board about the budget. ", 9) +
	"Contact Maria Garcia at maria.garcia@example.com or +1 415 555 2671; card 4111 1111 1111 1111."

// BenchmarkScan1K reports, besides ns/op, the median wall time of one scan
// (p50-ns) and, on Unix, the process CPU time per scan (cpu-ns/op, from
// getrusage, GC included), which a machine shared with other work
// inflates less than wall time.
func BenchmarkScan1K(b *testing.B) {
	s, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(prompt1K)))
	b.ReportAllocs()
	var lat []time.Duration
	cpu0 := cpuSeconds()
	for b.Loop() {
		t0 := time.Now()
		if _, err := s.Scan(ctx, scanner.Input{Prompt: prompt1K, Vault: scanner.NewVault(0)}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	if cpu0 >= 0 {
		b.ReportMetric((cpuSeconds()-cpu0)*1e9/float64(len(lat)), "cpu-ns/op")
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
}
