package builtin

import (
	"context"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/promptinjection"
)

// All returns every built-in scanner factory, in a stable order.
func All() []Factory {
	return []Factory{
		{
			Name:        promptinjection.Name,
			Description: "Prompt injection and jailbreaks: normalised-text rules (EN/DE/FR/ES), optionally with an ML classifier.",
			Stages:      scanner.StagePrompt,
			Defaults:    func() any { c := promptinjection.DefaultConfig(); return &c },
			Build: func(_ context.Context, p any, _ Deps) (scanner.Scanner, error) {
				return promptinjection.New(*p.(*promptinjection.Config))
			},
		},
	}
}
