package ner

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/anonymize"
	"github.com/llmshield/llmshield/scanner/secrets"
)

// prompt1K is scanner/anonymize's benchmark prompt (1 KiB, three entities).
var prompt1K = strings.Repeat("Please summarise the quarterly report and draft a reply to the board about the budget. ", 9) +
	"Contact Maria Garcia at maria.garcia@example.com or +1 415 555 2671; card 4111 1111 1111 1111."

type benchCase struct{ name, backend, variant string }

var benchCases = []benchCase{
	{"ort-fp32", inference.BackendORT, "fp32"}, {"ort-int8", inference.BackendORT, "int8"},
	{"purego-fp32", inference.BackendPureGo, "fp32"}, {"purego-int8", inference.BackendPureGo, "int8"},
}

func p50(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
}

// BenchmarkTagger1K: the model alone (tokenizer, forward pass, aggregation).
//
//	go test ./internal/ner -run XXX -bench Tagger1K -benchtime=200x
func BenchmarkTagger1K(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			s := source(b, c.backend, c.variant, Options{})
			ctx := context.Background()
			if _, err := s.Entities(ctx, prompt1K); err != nil { // load, compile
				b.Fatal(err)
			}
			b.ReportAllocs()
			var lat []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if _, err := s.Entities(ctx, prompt1K); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			p50(b, lat)
		})
	}
}

// BenchmarkSecretsAnonymize1K: the secrets and anonymize scanners one after
// the other on a 1 KiB prompt, without the NER model (gazetteers) and with
// it on each backend and precision.
//
//	go test ./internal/ner -run XXX -bench SecretsAnonymize1K -benchtime=200x
func BenchmarkSecretsAnonymize1K(b *testing.B) {
	sec, err := secrets.New(secrets.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, an *anonymize.Scanner) {
		ctx := context.Background()
		b.SetBytes(int64(len(prompt1K)))
		b.ReportAllocs()
		var lat []time.Duration
		scan := func() {
			if _, err := sec.Scan(ctx, scanner.Input{Prompt: prompt1K}); err != nil {
				b.Fatal(err)
			}
			if _, err := an.Scan(ctx, scanner.Input{Prompt: prompt1K, Vault: scanner.NewVault(0)}); err != nil {
				b.Fatal(err)
			}
		}
		scan() // load, compile
		for b.Loop() {
			t0 := time.Now()
			scan()
			lat = append(lat, time.Since(t0))
		}
		p50(b, lat)
	}
	b.Run("gazetteers", func(b *testing.B) {
		an, err := anonymize.New(anonymize.DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		run(b, an)
	})
	for _, c := range benchCases {
		b.Run("ner-"+c.name, func(b *testing.B) {
			cfg := anonymize.DefaultConfig()
			cfg.NER = true
			an, err := anonymize.New(cfg, anonymize.WithNER(source(b, c.backend, c.variant, Options{})))
			if err != nil {
				b.Fatal(err)
			}
			run(b, an)
		})
	}
}
