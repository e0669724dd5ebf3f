package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield/health"
)

func (a *app) healthCommand() *cobra.Command {
	var cfgPath, format string
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Check the pipeline: canary scan, models, circuit breakers, caches",
		Long: `Build the pipeline from the configuration, run a canary scan through every scanner
(which loads the ML models), and report the health checks.

Exit status: 0 healthy, 1 degraded (warnings, e.g. a model failed and its scanner
falls back to its heuristic), 2 unhealthy (the canary failed or the configuration is invalid).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			sh, err := a.buildShield(cmd, cfgPath, "")
			if err != nil {
				return err
			}
			defer sh.Close()
			st := sh.Health(cmd.Context(), health.DefaultThresholds())
			if format == "json" {
				if err := json.NewEncoder(a.streams.Out).Encode(st); err != nil {
					return err
				}
			} else {
				fmt.Fprintln(a.streams.Out, st.Summary())
				for _, name := range slices.Sorted(maps.Keys(st.Checks)) {
					r := st.Checks[name]
					fmt.Fprintf(a.streams.Out, "  %-5s %-40s %s\n", r.Status, name, r.Message)
				}
			}
			if code := st.ExitCode(); code != 0 {
				return exitCode(code)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "configuration file (default: the embedded default)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
