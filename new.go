package llmshield

import (
	"context"
	"errors"
	"fmt"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/modelhub"
	"github.com/llmshield/llmshield/internal/ner"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/builtin"
)

// WithModelHub makes New build the ML scanners on hub instead of creating
// (and owning) one. NewFromScanners takes scanners already built, so it has
// no use for a hub. Share a hub between the Shields of successive
// reloads so that models are loaded once.
func WithModelHub(hub *classifier.Hub) Option { return func(o *options) { o.hub = hub } }

// New compiles a configuration into a Shield. A nil cfg means the embedded
// default configuration. Errors name the configuration key at fault.
//
// ML scanners get their models from a hub (WithModelHub, else one built
// from cfg.Models and closed with the Shield). Models load on first use,
// or at once when cfg.Models.Preload is set; a model that fails to preload
// stops New only when its scanner's ml.on_unavailable is error. A model:
// id the registry does not know always stops New.
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
	for _, n := range cfg.Notes {
		o.log.Info("configuration: setting accepted without effect", "note", n)
	}
	hub, ownHub := o.hub, false
	if hub == nil && builtin.UsesModels(cfg) {
		h, err := modelhub.New(cfg.Models, o.log)
		if err != nil {
			return nil, fmt.Errorf("models: %w", err)
		}
		hub, ownHub = h, true
	}
	deps := builtin.Deps{Logger: o.log, Registerer: o.reg, Config: cfg}
	if cfg.Models.OnUnavailable == config.ModelsOnUnavailableError {
		deps.OnModelUnavailable = builtin.ModelFailClosed
	}
	var nerSrc *ner.Source
	if hub != nil {
		deps.Hub = hub
		src, err := ner.NewSource(hub.Registry(), hub.Runtime, ner.SourceOptions{Logger: o.log})
		if err != nil {
			if ownHub {
				_ = hub.Close()
			}
			return nil, fmt.Errorf("models: %w", err)
		}
		nerSrc, deps.NER = src, src
	}
	var built []scanner.Scanner
	var errs []error
	closeAll := func() {
		for _, s := range built {
			if c, ok := s.(scanner.Closer); ok {
				_ = c.Close()
			}
		}
		if nerSrc != nil {
			_ = nerSrc.Close()
		}
		if ownHub {
			_ = hub.Close()
		}
	}
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
		Cache:    cfg.Cache.Settings,
	}
	if err := errors.Join(errs...); err != nil {
		closeAll()
		return nil, err
	}
	if cfg.Models.Preload && hub != nil {
		if err := preload(ctx, built); err != nil {
			closeAll()
			return nil, err
		}
	}
	sh, err := NewFromScanners(p, opts...)
	if err != nil {
		closeAll()
		return nil, err
	}
	sh.hub = hub
	if nerSrc != nil {
		sh.closers = append(sh.closers, nerSrc.Close)
	}
	if ownHub {
		sh.closers = append(sh.closers, hub.Close)
	}
	return sh, nil
}

// preload opens the models of the scanners that load one (Preloader). A
// model that is not present or fails to load follows the scanner's
// ml.on_unavailable: logged by the scanner, or an error here.
func preload(ctx context.Context, built []scanner.Scanner) error {
	var errs []error
	for _, s := range built {
		if p, ok := s.(scanner.Preloader); ok {
			if err := p.Preload(ctx); err != nil {
				errs = append(errs, fmt.Errorf("scanner %s: %w", s.Name(), err))
			}
		}
	}
	return errors.Join(errs...)
}
