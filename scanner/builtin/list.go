package builtin

import (
	"context"
	"errors"

	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/bansubstrings"
	"github.com/llmshield/llmshield/scanner/invisibletext"
	"github.com/llmshield/llmshield/scanner/mlscan"
	"github.com/llmshield/llmshield/scanner/promptinjection"
	"github.com/llmshield/llmshield/scanner/regex"
	"github.com/llmshield/llmshield/scanner/secrets"
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
			Name:        secrets.Name,
			Description: "Credentials (API keys, tokens, private keys, passwords, password hashes): gitleaks' rules plus llmshield's, keyword-prefiltered; redacts them (all, partial or hash).",
			Stages:      scanner.StageBoth,
			Defaults:    func() any { c := secrets.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return secrets.New(*p.(*secrets.Config))
			},
		},
		{
			Name:        promptinjection.Name,
			Description: "Prompt injection and jailbreaks: normalised-text rules (EN/DE/FR/ES) and the built-in ML classifier, in hybrid mode by default. On outputs it catches instructions passed on to the next agent step.",
			Stages:      scanner.StageBoth,
			Defaults: func() any {
				return &promptInjectionParams{Heuristic: promptinjection.DefaultConfig(), ML: mlscan.DefaultConfig()}
			},
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				pp := p.(*promptInjectionParams)
				h, err := promptinjection.NewHeuristic()
				if err != nil {
					return nil, err
				}
				return mlscan.New(pp.ML, d.mlOptions(promptinjection.Name, model.TaskPromptInjection, scanner.StageBoth, pp.Heuristic.Threshold,
					mlscan.HeuristicFunc(func(text string) (float64, []scanner.Finding) {
						a := h.Analyze(text)
						return a.Risk, a.Findings
					})))
			},
		},
		{
			Name:        toxicity.Name,
			Description: "Toxicity (insults, profanity, threats, identity attacks, sexual content): obfuscation-aware lexicon rules (EN/DE) and the built-in ML classifier, hybrid by default.",
			Stages:      scanner.StageBoth,
			Defaults: func() any {
				return &toxicityParams{Heuristic: toxicity.DefaultConfig(), ML: mlscan.DefaultConfig()}
			},
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				pp := p.(*toxicityParams)
				h, err := toxicity.NewHeuristic()
				if err != nil {
					return nil, err
				}
				return mlscan.New(pp.ML, d.mlOptions(toxicity.Name, model.TaskToxicity, scanner.StageBoth, pp.Heuristic.Threshold,
					mlscan.HeuristicFunc(func(text string) (float64, []scanner.Finding) {
						a := h.Analyze(text)
						return a.Risk, a.Findings
					})))
			},
		},
		{
			Name:        sentiment.Name,
			Description: "Negative sentiment: a lexicon-and-rules analyser (EN/DE) and the built-in 3-class ML classifier (label NEGATIVE), hybrid by default.",
			Stages:      scanner.StageBoth,
			Defaults: func() any {
				return &sentimentParams{Heuristic: sentiment.DefaultConfig(), ML: mlscan.DefaultConfig()}
			},
			Build: func(_ context.Context, p any, d Deps) (scanner.Scanner, error) {
				pp := p.(*sentimentParams)
				h, err := sentiment.NewHeuristic()
				if err != nil {
					return nil, err
				}
				// The heuristic flags compound < threshold; its risk is
				// max(0, -compound), so the risk threshold is -threshold (a
				// non-negative threshold flags any negative compound).
				return mlscan.New(pp.ML, d.mlOptions(sentiment.Name, model.TaskSentiment, scanner.StageBoth, max(-pp.Heuristic.Threshold, 1e-9),
					mlscan.HeuristicFunc(func(text string) (float64, []scanner.Finding) {
						a := h.Analyze(text)
						return a.Risk, a.Findings
					})))
			},
		},
	}
}

// MLParams is implemented by the params of ML-capable scanners.
type MLParams interface {
	MLConfig() mlscan.Config
}

type promptInjectionParams struct {
	Heuristic promptinjection.Config `yaml:",inline"`
	ML        mlscan.Config          `yaml:",inline"`
}

func (p *promptInjectionParams) Validate() error {
	return errors.Join(p.Heuristic.Validate(), p.ML.Validate())
}

func (p *promptInjectionParams) MLConfig() mlscan.Config { return p.ML }

type toxicityParams struct {
	Heuristic toxicity.Config `yaml:",inline"`
	ML        mlscan.Config   `yaml:",inline"`
}

func (p *toxicityParams) Validate() error {
	return errors.Join(p.Heuristic.Validate(), p.ML.Validate())
}

func (p *toxicityParams) MLConfig() mlscan.Config { return p.ML }

type sentimentParams struct {
	Heuristic sentiment.Config `yaml:",inline"`
	ML        mlscan.Config    `yaml:",inline"`
}

func (p *sentimentParams) Validate() error {
	return errors.Join(p.Heuristic.Validate(), p.ML.Validate())
}

func (p *sentimentParams) MLConfig() mlscan.Config { return p.ML }

func (d Deps) mlOptions(name string, task model.Task, stages scanner.Stage, threshold float64, h mlscan.Heuristic) mlscan.Options {
	return mlscan.Options{
		Name: name, Instance: d.Instance, Task: task, Heuristic: h, HeuristicThreshold: threshold,
		Models: d.Models, Stages: stages, Logger: d.Logger, Registerer: d.Registerer,
	}
}
