package llmshield

import (
	"context"
	"errors"
	"fmt"

	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/builtin"
)

// New compiles a configuration into a Shield. A nil cfg means the embedded
// default configuration. Errors name the configuration key at fault.
func New(ctx context.Context, cfg *config.Config, opts ...Option) (*Shield, error) {
	if cfg == nil {
		var err error
		if cfg, err = config.Default(); err != nil {
			return nil, err
		}
	} else if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	deps := builtin.Deps{Logger: o.log, Registerer: o.reg, Config: cfg, CacheBackend: o.cacheBackend}
	var built []scanner.Scanner
	var errs []error
	entries := func(key string, list []config.Scanner) []Entry {
		var out []Entry
		for i, e := range list {
			if e.Disabled {
				continue
			}
			s, err := builtin.Build(ctx, fmt.Sprintf("%s[%d]", key, i), e, deps)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			built = append(built, s)
			out = append(out, Entry{Name: e.DisplayName(), Scanner: s, Timeout: e.Timeout})
		}
		return out
	}
	p := Pipeline{
		Input:    entries("input_scanners", cfg.InputScanners),
		Output:   entries("output_scanners", cfg.OutputScanners),
		Timeout:  cfg.ScannerTimeout,
		FailFast: cfg.FailFast,
		FailOpen: cfg.FailOpen,
	}
	if err := errors.Join(errs...); err != nil {
		for _, s := range built {
			if c, ok := s.(scanner.Closer); ok {
				_ = c.Close()
			}
		}
		return nil, err
	}
	return NewFromScanners(p, opts...)
}
