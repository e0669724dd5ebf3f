package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/classifier"
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
// --scanners is refused). Close the result.
//
// Every caller scans right away, so when a scanner may run a model the
// inference runtime (ONNX Runtime's library and environment: tens of
// milliseconds) starts in the background while the scanners are built,
// rather than on the first scan. The hub then belongs to the command, not
// to the Shield.
func (a *app) buildShield(cmd *cobra.Command, configPath, scanners string) (*cliShield, error) {
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
	opts := []llmshield.Option{llmshield.WithLogger(a.log)}
	cs := &cliShield{}
	if builtin.UsesModels(cfg) {
		// An invalid models section is reported by New, as without a
		// warm-up; the hub is then not needed.
		if hub, err := modelhub.New(cfg.Models, a.log); err == nil {
			warm := make(chan struct{})
			go func() {
				defer close(warm)
				// An error is kept by the hub and met again, and handled
				// by the scanners' policy, when a model opens.
				_, _ = hub.Runtime()
			}()
			cs.hub, cs.warm = hub, warm
			opts = append(opts, llmshield.WithModelHub(hub))
		}
	}
	if cs.Shield, err = llmshield.New(cmd.Context(), cfg, opts...); err != nil {
		return nil, errors.Join(err, cs.closeHub())
	}
	return cs, nil
}

// cliShield is a Shield with the model hub buildShield made for it.
type cliShield struct {
	*llmshield.Shield
	hub  *classifier.Hub
	warm <-chan struct{} // closed when the runtime warm-up has returned
}

// Close closes the Shield, then the hub.
func (s *cliShield) Close() error { return errors.Join(s.Shield.Close(), s.closeHub()) }

func (s *cliShield) closeHub() error {
	if s.hub == nil {
		return nil
	}
	<-s.warm
	return s.hub.Close()
}
