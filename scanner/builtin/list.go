package builtin

import (
	"context"

	"github.com/llmshield/llmshield/internal/mlscan"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/bansubstrings"
	"github.com/llmshield/llmshield/scanner/invisibletext"
	"github.com/llmshield/llmshield/scanner/promptinjection"
	"github.com/llmshield/llmshield/scanner/regex"
	"github.com/llmshield/llmshield/scanner/sentiment"
	"github.com/llmshield/llmshield/scanner/toxicity"
)

// All returns every built-in scanner factory, in a stable order.
func All() []Factory {
	return []Factory{
		{
			Name:        invisibletext.Name,
			Description: "Invisible characters (format, private-use, tag characters) used to hide instructions; removes them.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := invisibletext.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return invisibletext.New(*p.(*invisibletext.Config))
			},
		},
		{
			Name:        bansubstrings.Name,
			Description: "Banned substrings or words (Aho-Corasick), optionally redacted.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := bansubstrings.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return bansubstrings.New(*p.(*bansubstrings.Config))
			},
		},
		{
			Name:        regex.Name,
			Description: "Regular expressions as a deny list (flag matches, optionally redact) or an allow list.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := regex.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return regex.New(*p.(*regex.Config))
			},
		},
		{
			Name:        promptinjection.Name,
			Description: "Prompt injection and jailbreaks: normalised-text rules (EN/DE/FR/ES) and the built-in ML classifier, in hybrid mode by default. On outputs it catches instructions passed on to the next agent step.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := promptinjection.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				return promptinjection.New(*p.(*promptinjection.Config), d.ml())
			},
		},
		{
			Name:        toxicity.Name,
			Description: "Toxicity (insults, profanity, threats, identity attacks, sexual content): obfuscation-aware lexicon rules (EN/DE) and the built-in ML classifier, hybrid by default.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := toxicity.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				return toxicity.New(*p.(*toxicity.Config), d.ml())
			},
		},
		{
			Name:        sentiment.Name,
			Description: "Negative sentiment: a lexicon-and-rules analyser (EN/DE) and the built-in 3-class ML classifier (label NEGATIVE), hybrid by default.",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := sentiment.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				return sentiment.New(*p.(*sentiment.Config), d.ml())
			},
		},
	}
}

// MLParams is implemented by the params of ML-capable scanners.
type MLParams interface {
	MLConfig() mlscan.Config
}

// ml gives an ML scanner its model hub, observability and instance name.
func (d Deps) ml() mlscan.Option {
	return mlscan.WithEnv(d.Instance, d.Models, d.Logger, d.Registerer)
}
