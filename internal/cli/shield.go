package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/modelhub"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/builtin"
)

// loadConfig reads --config (or the embedded default).
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default()
	}
	return config.Load(path)
}

// registry opens the model registry that the configuration at path (or
// the embedded default) sets up.
func (a *app) registry(path string) (*registry.Registry, error) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, err
	}
	return modelhub.Registry(cfg.Models, a.log)
}

// selectScanners narrows cfg to the named scanner types (comma-separated).
// A named scanner that the configuration lists keeps its params; one it
// does not list runs with its defaults. Each is placed in the input list,
// the output list, or both, as the scanner allows.
func selectScanners(cfg *config.Config, names string) error {
	if strings.TrimSpace(names) == "" {
		return nil
	}
	var in, out []config.Scanner
	for _, raw := range strings.Split(names, ",") {
		name := strings.TrimSpace(raw)
		if name == "" {
			continue
		}
		f, ok := builtin.Lookup(name)
		if !ok {
			return fmt.Errorf("--scanners: unknown scanner %q (known: %s)", name, strings.Join(builtin.Names(), ", "))
		}
		find := func(list []config.Scanner) (config.Scanner, bool) {
			i := slices.IndexFunc(list, func(s config.Scanner) bool { return config.NormalizeType(s.Type) == f.Name || s.Name == name })
			if i < 0 {
				return config.Scanner{Type: f.Name}, false
			}
			e := list[i]
			e.Disabled = false
			return e, true
		}
		if f.Stages&scanner.StagePrompt != 0 {
			e, _ := find(cfg.InputScanners)
			in = append(in, e)
		}
		if f.Stages&scanner.StageOutput != 0 {
			e, _ := find(cfg.OutputScanners)
			out = append(out, e)
		}
	}
	if len(in) == 0 && len(out) == 0 {
		return fmt.Errorf("--scanners %q names no scanner: give at least one (known: %s)", names, strings.Join(builtin.Names(), ", "))
	}
	cfg.InputScanners, cfg.OutputScanners = in, out
	return cfg.Validate()
}

// checkFormat checks a --format value.
func checkFormat(format string) error {
	if format != "text" && format != "json" {
		return fmt.Errorf("--format: want text or json, got %q", format)
	}
	return nil
}

// checkScannersFlag refuses an explicitly empty --scanners: running no
// scanner would pass everything.
func checkScannersFlag(cmd *cobra.Command, value string) error {
	if cmd.Flags().Changed("scanners") && strings.TrimSpace(strings.ReplaceAll(value, ",", "")) == "" {
		return fmt.Errorf("--scanners %q names no scanner: give at least one (known: %s)", value, strings.Join(builtin.Names(), ", "))
	}
	return nil
}

// buildShield builds the pipeline of the configuration file, keeping only
// the scanners --scanners names when it is given (an explicitly empty
// --scanners is refused).
func (a *app) buildShield(cmd *cobra.Command, configPath, scanners string) (*llmshield.Shield, error) {
	if err := checkScannersFlag(cmd, scanners); err != nil {
		return nil, err
	}
	cfg, err := loadConfig(configPath)
	if err != nil {
		return nil, err
	}
	if err := selectScanners(cfg, scanners); err != nil {
		return nil, err
	}
	return llmshield.New(cmd.Context(), cfg, llmshield.WithLogger(a.log))
}
