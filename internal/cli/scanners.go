package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/builtin"
)

func (a *app) scannersCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "scanners",
		Short: "List the scanners with their parameters and defaults",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := a.streams.Out
			for _, f := range builtin.All() {
				fmt.Fprintf(w, "%s  (%s)\n  %s\n", f.Name, stagesString(f.Stages), f.Description)
				b, err := yaml.Marshal(f.Defaults())
				if err != nil {
					return fmt.Errorf("%s: %w", f.Name, err)
				}
				fmt.Fprintln(w, "  params (defaults):")
				for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
					fmt.Fprintf(w, "    %s\n", line)
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
}

func stagesString(s scanner.Stage) string {
	switch s {
	case scanner.StagePrompt:
		return "prompts"
	case scanner.StageOutput:
		return "outputs"
	}
	return "prompts and outputs"
}
